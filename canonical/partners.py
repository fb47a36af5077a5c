"""Trading partners and what we know about how they speak: who they are (an EDI sender,
or an ecommerce store), how their item ids, units and customers map onto ours, and the
documents exchanged with them.

A `TradingPartner` is either an EDI partner (X12 over plain HTTP, known by the ISA
sender it writes) or a store (known by its shop domain). `ItemCrossReference` maps a
partner's item ids (buyer part, UPC, EAN, ...) to our SKU; `UomConversion` turns a
partner's unit (a case) into our base unit (pieces); `StoreCustomerMapping` says which
SAP customer a store's shopper buys as. `ArchivedDocument` is one document received
from or sent to a partner, as kept in the archive.

Typical usage example:

    partner = TradingPartner(
        partner_id="BUYCO", name="Buy Co", kind=PartnerKind.EDI,
        interchange_qualifier="ZZ", interchange_id="BUYCO",
        our_qualifier="ZZ", our_interchange_id="ACME", customer_id="1000001",
    )
"""

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, NamedTuple, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from canonical.orders import CustomerId, Sku
from canonical.quantities import UnitOfMeasure

PartnerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
# ISA05/ISA07: two characters (ZZ mutually defined, 01 DUNS, 12 phone, 08 UCC ...).
InterchangeQualifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{2}$"),
]
# ISA06/ISA08 are 15 characters on the wire, space padded: the padding is not the id.
InterchangeId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=15)]
# GS02/GS03: 2 to 15 characters.
ApplicationId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=15)]
# A partner's unit code as it writes it (X12 355: CA, CS, EA, BX, PK, ...).
PartnerUnit = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{1,3}$"),
]
_ID_CHARACTERS = re.compile(r"^[A-Za-z0-9 ._/&-]+$")
_SHOP_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Units that are one piece, whatever the partner calls it. X12 writes EA (each) where
# SAP's demo items count in PC (piece): the same unit, so no conversion row is needed.
# A conversion row for EA, when a partner has one, still wins.
ONE_PIECE: frozenset[str] = frozenset({UnitOfMeasure.PC.value, UnitOfMeasure.EA.value})


class PartnerKind(StrEnum):
    EDI = "edi"
    STORE = "store"


class Dialect(StrEnum):
    X12 = "X12"


class UsageIndicator(StrEnum):
    """ISA15: `P` production documents, `T` test documents."""

    TEST = "T"
    PRODUCTION = "P"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class DocumentStatus(StrEnum):
    """Where an archived document stands.

    `received`: an inbound document taken in. `duplicate`: an inbound interchange seen
    before (a replay), kept but not acted on. `sent`: an outbound document delivered
    to the partner's endpoint. `failed`: its delivery failed for good.
    `acknowledged`: the partner's 997 accepted it (inbound: we acknowledged it).
    `rejected`: the 997 rejected it (inbound: we refused it).
    """

    RECEIVED = "received"
    DUPLICATE = "duplicate"
    SENT = "sent"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"


class TradingPartner(BaseModel):
    """Someone who sends us orders and receives our documents.

    Attributes:
        partner_id: Our name for the partner, e.g. `BUYCO`.
        name: For people.
        kind: `edi` (X12) or `store` (an ecommerce shop's webhooks).
        interchange_qualifier: EDI: ISA05, the qualifier of the id they send as.
        interchange_id: EDI: ISA06, the id they send as (required for an EDI
            partner; without the wire's space padding).
        our_qualifier: EDI: ISA07, the qualifier they address us with.
        our_interchange_id: EDI: ISA08, the id they address us as.
        application_sender_id: EDI: GS02 they send; defaults to `interchange_id`.
        application_receiver_id: EDI: GS03, us as they address the group; defaults
            to `our_interchange_id`.
        dialect: EDI: `X12`.
        version: EDI: GS08's version, release and industry code, six digits
            (`004010`); ISA12 is its first five (`00401`).
        element_separator: EDI: between elements; `*` unless the partner says.
        component_separator: EDI: ISA16, between components; `>` unless told.
        segment_terminator: EDI: after each segment; `~` unless told.
        usage_indicator: EDI: ISA15, `T` (test) or `P` (production).
        endpoint_url: EDI: where we POST our documents (855, 856, 810, 997) over
            plain HTTP(S); "" when we deliver nothing yet. No credentials in it.
        customer_id: EDI: the SAP customer (business partner) the partner buys as.
            Store: the customer a shopper buys as when no mapping names theirs.
        shop_domain: Store: the shop's domain, e.g. `acme-store.myshopify.com`
            (required for a store; lower case, no scheme).
        webhook_secret_ref: Store: the name under which the webhook signing secret
            is kept (never the secret). Never shown by the API.
    """

    model_config = ConfigDict(frozen=True)

    partner_id: PartnerId
    name: str = Field(default="", max_length=120)
    kind: PartnerKind
    interchange_qualifier: InterchangeQualifier = "ZZ"
    interchange_id: InterchangeId = ""
    our_qualifier: InterchangeQualifier = "ZZ"
    our_interchange_id: InterchangeId = ""
    application_sender_id: ApplicationId = ""
    application_receiver_id: ApplicationId = ""
    dialect: Dialect = Dialect.X12
    version: str = Field(default="004010", pattern=r"^\d{6}$")
    element_separator: str = Field(default="*", min_length=1, max_length=1)
    component_separator: str = Field(default=">", min_length=1, max_length=1)
    segment_terminator: str = Field(default="~", min_length=1, max_length=1)
    usage_indicator: UsageIndicator = UsageIndicator.PRODUCTION
    endpoint_url: str = Field(default="", max_length=500)
    customer_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    shop_domain: Annotated[str, StringConstraints(strip_whitespace=True, max_length=253)] = ""
    webhook_secret_ref: str = Field(default="", max_length=200, repr=False)

    @field_validator(
        "interchange_id", "our_interchange_id", "application_sender_id", "application_receiver_id"
    )
    @classmethod
    def _x12_id(cls, value: str) -> str:
        if value and not _ID_CHARACTERS.fullmatch(value):
            raise ValueError("letters, digits, spaces and . _ / & - only")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("no credentials in the URL: it is shown to every ops caller")
        return value

    @field_validator("shop_domain")
    @classmethod
    def _shop_domain(cls, value: str) -> str:
        value = value.lower().removeprefix("https://").removeprefix("http://").rstrip("/")
        if value and not _SHOP_DOMAIN.fullmatch(value):
            raise ValueError("a domain name such as acme-store.myshopify.com")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is PartnerKind.EDI:
            missing = [
                f"{field} ({element})"
                for field, element in (
                    ("interchange_id", "ISA06"),
                    ("our_interchange_id", "ISA08"),
                    ("customer_id", "the SAP customer it buys as"),
                )
                if not getattr(self, field)
            ]
            if missing:
                raise ValueError(f"an edi partner needs {', '.join(missing)}")
            separators = (self.element_separator, self.component_separator, self.segment_terminator)
            if len(set(separators)) != 3:
                raise ValueError(
                    "element_separator, component_separator and segment_terminator must differ"
                )
            if any(c.isalnum() or c == " " for c in separators):
                raise ValueError("separators cannot be letters, digits or spaces")
            # Frozen: fill in the GS ids that default to the ISA ones.
            if not self.application_sender_id:
                object.__setattr__(self, "application_sender_id", self.interchange_id)
            if not self.application_receiver_id:
                object.__setattr__(self, "application_receiver_id", self.our_interchange_id)
        elif not self.shop_domain:
            raise ValueError("a store partner needs shop_domain (e.g. acme-store.myshopify.com)")
        return self

    @property
    def isa_version(self) -> str:
        """ISA12: the interchange control version, e.g. `00401`."""
        return self.version[:5]


class ItemCrossReference(BaseModel):
    """One of a partner's ids for one of our SKUs.

    Attributes:
        partner_id: Whose id it is.
        qualifier: What kind of id (X12 235/PO1 qualifiers): `BP` buyer's part, `UP`
            UPC, `VP` vendor's part (ours), `EN` EAN, `SK` stock keeping unit, ...
        value: The id as the partner writes it; matched ignoring case and the
            whitespace around it.
        sku: Our SKU.
    """

    model_config = ConfigDict(frozen=True)

    partner_id: PartnerId
    qualifier: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{2}$")
    ]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]
    sku: Sku


class UomConversion(BaseModel):
    """How many of our unit one of a partner's units is: 1 CA = 12 PC.

    Attributes:
        partner_id: Whose unit; "" for every partner.
        sku: For which SKU; "" for every SKU.
        from_uom: The unit as the partner writes it (X12 355 code, e.g. `CA`).
        to_uom: Our unit it converts to (the SKU's base unit, `PC` for the demo
            items).
        factor: How many `to_uom` one `from_uom` is; positive.
    """

    model_config = ConfigDict(frozen=True)

    partner_id: Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]{0,39})?$")]
    sku: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    from_uom: PartnerUnit
    to_uom: UnitOfMeasure = UnitOfMeasure.PC
    factor: Decimal = Field(gt=0, max_digits=18, decimal_places=6)

    @model_validator(mode="after")
    def _not_itself(self) -> Self:
        if self.from_uom == self.to_uom.value:
            raise ValueError(f"a conversion from {self.from_uom} to itself")
        return self


class StoreCustomerMapping(BaseModel):
    """Which SAP customer a store's shopper buys as.

    Attributes:
        partner_id: The store.
        store_customer_id: The store's own customer id; "" when mapped by email.
        email: The shopper's email, matched ignoring case; "" when mapped by id.
        customer_id: Our (SAP) customer.
    """

    model_config = ConfigDict(frozen=True)

    partner_id: PartnerId
    store_customer_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254)
    ] = ""
    customer_id: CustomerId

    @model_validator(mode="after")
    def _keyed(self) -> Self:
        if not self.store_customer_id and not self.email:
            raise ValueError("a store customer mapping needs store_customer_id or email")
        if self.email and "@" not in self.email:
            raise ValueError(f"{self.email!r} is not an email address")
        return self


class ControlNumbers(NamedTuple):
    """The next outbound envelope's numbers, as X12 writes them.

    Attributes:
        isa13: Interchange control number, nine digits, zero padded.
        gs06: Group control number.
        st02: Transaction set control number, at least four digits.
    """

    isa13: str
    gs06: str
    st02: str


class ArchivedDocument(BaseModel):
    """One document received from or sent to a partner, as the archive keeps it.

    Attributes:
        id: The archive's id.
        direction: `in` (from the partner) or `out` (ours to them).
        document_type: The X12 transaction set: `850`, `855`, `856`, `810`, `997`.
        isa13: Its interchange control number.
        gs06: Its group control number.
        st02: Its transaction set control number.
        reference: What it is about: the PO, shipment or invoice number.
        body: The document as received or sent.
        status: Where it stands (`DocumentStatus`).
    """

    model_config = ConfigDict(frozen=True)

    id: int
    direction: Direction
    partner_id: str
    document_type: str
    isa13: str = ""
    gs06: str = ""
    st02: str = ""
    reference: str = ""
    body: str = ""
    status: DocumentStatus
    created_at: datetime
    updated_at: datetime


def control_key(number: str) -> str:
    """A control number as compared: digits without their zero padding
    (`000000123` and `123` are one interchange), anything else as it is, trimmed."""
    number = number.strip()
    return str(int(number)) if number.isdigit() else number


def duplicates(
    items: Sequence[ItemCrossReference],
    uoms: Sequence[UomConversion],
    store_customers: Sequence[StoreCustomerMapping],
) -> list[str]:
    """What is given twice, as messages (one per repeat): an item id (qualifier and
    value, any case), a conversion (SKU, from and to unit), a store customer id or an
    email."""
    problems: list[str] = []
    seen: set[tuple[str, ...]] = set()
    key: tuple[str, ...]
    for n, item in enumerate(items):
        key = ("item", item.qualifier, item.value.upper())
        if key in seen:
            problems.append(f"items[{n}]: {item.qualifier} {item.value} is cross-referenced twice")
        seen.add(key)
    for n, uom in enumerate(uoms):
        key = ("uom", uom.sku, uom.from_uom, uom.to_uom.value)
        if key in seen:
            scope = f"for {uom.sku}" if uom.sku else "for every SKU"
            problems.append(
                f"uoms[{n}]: {uom.from_uom} to {uom.to_uom.value} {scope} is given twice"
            )
        seen.add(key)
    for n, mapping in enumerate(store_customers):
        for kind, value in (
            ("store_customer_id", mapping.store_customer_id),
            ("email", mapping.email),
        ):
            key = ("store", kind, value)
            if value and key in seen:
                problems.append(f"store_customers[{n}]: {kind} {value} is mapped twice")
            seen.add(key)
    return problems
