"""The carriers the sandbox plays, their services and tariffs.

The TMS (`sandbox.tms`) quotes them and the carrier API (`sandbox.carrier`) sells
their labels, both from this one table, so whatever is quoted can be bought.

| carrier              | service  | mode   | days | weight (kg)  | price (EUR)          |
|----------------------|----------|--------|------|--------------|----------------------|
| SANDBOX-PARCEL       | standard | parcel | 3    | up to 70     | 4.90 + 0.80 per kg   |
| SANDBOX-PARCEL       | express  | parcel | 1    | up to 70     | 12.50 + 1.60 per kg  |
| ACME-PARCEL          | ground   | parcel | 4    | up to 70     | 4.50 + 0.85 per kg   |
| ACME-PARCEL          | next_day | parcel | 1    | up to 70     | 14.00 + 1.40 per kg  |
| ROADRUNNER-FREIGHT   | ltl      | ltl    | 5    | 30 to 1000   | 52.00 + 0.10 per kg  |

Prices are rounded half up to cents. ACME ground is the cheapest parcel service up
to 8 kg, SANDBOX standard above; LTL beats every parcel service from about 67 kg
and is the only offer above 70. The weight limits are settings
(`tms_parcel_max_kg`, `tms_ltl_min_kg`, `tms_ltl_max_kg`); the default carrier's
name is `carrier_name`; `disabled_carriers` takes carriers out. Labels are sold for
any weight, like before; only the quotes respect the limits.
"""

from dataclasses import dataclass
from decimal import Decimal

from canonical.money import round_money
from sandbox.settings import SandboxSettings

PARCEL = "parcel"
LTL = "ltl"
ACME = "ACME-PARCEL"
ROADRUNNER = "ROADRUNNER-FREIGHT"
DEFAULT_SERVICE = "standard"

# Tracking numbers: prefix and how many digits follow it.
_DEFAULT_TRACKING = ("1ZSBX", 10)
_TRACKING = {ACME: ("ACME", 12), ROADRUNNER: ("RRF", 9)}


@dataclass(frozen=True)
class CarrierService:
    """One service of one carrier and its tariff."""

    carrier: str
    service: str
    mode: str
    transit_days: int
    base: Decimal
    per_kg: Decimal

    def price(self, weight_kg: Decimal) -> Decimal:
        """The price in EUR of a consignment of `weight_kg`."""
        return round_money(self.base + self.per_kg * weight_kg)


def services(settings: SandboxSettings) -> list[CarrierService]:
    """Every service of every carrier not disabled, in table order."""
    default = settings.carrier_name
    table = [
        CarrierService(default, "standard", PARCEL, 3, Decimal("4.90"), Decimal("0.80")),
        CarrierService(default, "express", PARCEL, 1, Decimal("12.50"), Decimal("1.60")),
        CarrierService(ACME, "ground", PARCEL, 4, Decimal("4.50"), Decimal("0.85")),
        CarrierService(ACME, "next_day", PARCEL, 1, Decimal("14.00"), Decimal("1.40")),
        CarrierService(ROADRUNNER, "ltl", LTL, 5, Decimal("52.00"), Decimal("0.10")),
    ]
    disabled = set(settings.disabled_carriers)
    return [s for s in table if s.carrier not in disabled]


def find(settings: SandboxSettings, carrier: str, service: str) -> CarrierService | None:
    """The service `service` of `carrier`, or None if the sandbox has no such thing."""
    for candidate in services(settings):
        if (candidate.carrier, candidate.service) == (carrier, service):
            return candidate
    return None


def takes(settings: SandboxSettings, service: CarrierService, weight_kg: Decimal) -> bool:
    """Whether the service carries a consignment that heavy."""
    if service.mode == LTL:
        return settings.tms_ltl_min_kg <= weight_kg <= settings.tms_ltl_max_kg
    return weight_kg <= settings.tms_parcel_max_kg


def serves(settings: SandboxSettings, country: str) -> bool:
    """Whether the carriers deliver to a country at all."""
    return country not in settings.carrier_unserved_countries


def tracking_format(carrier: str) -> tuple[str, int]:
    """The tracking number prefix of a carrier and how many digits follow it."""
    return _TRACKING.get(carrier, _DEFAULT_TRACKING)
