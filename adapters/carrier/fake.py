"""An in-memory parcel carrier for unit, activity and workflow tests.

It keeps the contract of the sandbox carrier as seen through `HttpCarrierAdapter`,
records what it was asked, and fails on demand.
"""

from collections.abc import Iterable, Mapping

from adapters.carrier.port import Label, LabelRequest, ReturnLabelRequest
from adapters.errors import RejectionError
from adapters.scripted_failures import FailureScript, ScriptedFailure

SYSTEM = "carrier"

_METHODS = frozenset({"buy_label", "void_label", "buy_return_label", "void_return_label"})
# The service every carrier issues return labels as.
RETURN_SERVICE = "return"

# The carriers and services the sandbox sells labels for.
DEFAULT_SERVICES: Mapping[str, frozenset[str]] = {
    "SANDBOX-PARCEL": frozenset({"standard", "express"}),
    "ACME-PARCEL": frozenset({"ground", "next_day"}),
    "ROADRUNNER-FREIGHT": frozenset({"ltl"}),
}
# Tracking number prefixes; any other carrier gets `1ZSBX`, like the default one.
_PREFIXES = {"ACME-PARCEL": "ACME", "ROADRUNNER-FREIGHT": "RRF"}


class FakeCarrier:
    """`CarrierPort` in memory, cosmicpython style: recording and scriptable.

    Contract, as the sandbox keeps it:
        - `buy_label`: the same shipment id returns the same label while it is not
          voided (whatever carrier and service the repeat asks for); after a void,
          a new label with a new tracking number. An empty `carrier` is the default
          one (`carrier`); a carrier or service not in `services` is
          `RejectionError(code="UNKNOWN_SERVICE")`; a ship-to country in
          `unserved_countries` is `RejectionError(code="ADDRESS_NOT_SERVICEABLE")`;
        - `void_label`: idempotent, a label never bought counts as voided;
          `code="ALREADY_PICKED_UP"` once `mark_picked_up` was called;
        - `buy_return_label`: keyed by RMA id like `buy_label` by shipment id,
          service `return`; a carrier not in `services` is
          `code="UNKNOWN_CARRIER"`, a customer (`ship_from`) country in
          `unserved_countries` is `code="ADDRESS_NOT_SERVICEABLE"`;
        - `void_return_label`: idempotent, an RMA never labelled counts as voided.

    Args:
        carrier: The default carrier: the one on labels that name none.
        unserved_countries: Country codes no carrier will label for.
        services: carrier -> its services; by default the sandbox's
            (`DEFAULT_SERVICES`). A default carrier missing from them sells
            `standard` and `express`, like the sandbox's default carrier.

    Attributes:
        services: carrier -> its services; edit freely.
        labels: shipment_id -> the current, unvoided label.
        requests: shipment_id -> the request that bought the current label.
        voided: Shipment ids whose last label was voided (and not re-bought).
        voided_labels: Every voided label, in order.
        picked_up: Shipment ids picked up.
        return_labels: rma_id -> the current, unvoided return label.
        return_requests: rma_id -> the request that issued it.
        voided_returns: RMA ids whose last return label was voided (and not
            re-issued).
        calls: Every call as `(method, shipment_id or rma_id)`, failed ones
            included.
    """

    def __init__(
        self,
        *,
        carrier: str = "SANDBOX-PARCEL",
        unserved_countries: Iterable[str] = ("KP",),
        services: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.carrier = carrier
        self.unserved_countries = set(unserved_countries)
        self.services = {
            name: frozenset(names) for name, names in (services or DEFAULT_SERVICES).items()
        }
        if carrier not in self.services:
            # A default carrier with no services of its own keeps the old behaviour:
            # it sells the default carrier's.
            self.services[carrier] = DEFAULT_SERVICES["SANDBOX-PARCEL"]
        self.labels: dict[str, Label] = {}
        self.requests: dict[str, LabelRequest] = {}
        self.voided: set[str] = set()
        self.voided_labels: list[Label] = []
        self.picked_up: set[str] = set()
        self.return_labels: dict[str, Label] = {}
        self.return_requests: dict[str, ReturnLabelRequest] = {}
        self.voided_returns: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        self._next_number = 1
        self._script = FailureScript("FakeCarrier", _METHODS)

    # -- setup and inspection --

    def mark_picked_up(self, shipment_id: str) -> None:
        """The driver took the parcel: its label can no longer be voided."""
        if shipment_id not in self.labels:
            raise KeyError(f"no label for shipment {shipment_id}")
        self.picked_up.add(shipment_id)

    # -- scripting --

    def fail_next(
        self, method: str, exc: Exception, times: int = 1, *, after_effect: bool = False
    ) -> None:
        """Make the next `times` calls of `method` raise `exc`.

        Args:
            method: A port method name, e.g. `"buy_label"` or `"void_return_label"`.
            exc: What to raise, typically a `TransientError` or `RejectionError`.
            times: How many consecutive calls fail.
            after_effect: Do the work first, then raise: a lost response.
        """
        self._script.add(method, exc, times, after_effect=after_effect)

    def calls_to(self, method: str) -> list[tuple[str, str]]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call[0] == method]

    def _enter(self, method: str, key: str) -> ScriptedFailure | None:
        """Record the call; raise a scripted failure now, or return one for later."""
        self.calls.append((method, key))
        return self._script.before(method)

    def _new_label(self, kind: str, carrier: str, service: str) -> Label:
        number = self._next_number
        self._next_number += 1
        return Label(
            label_id=f"{kind}-FAKE-{number:06d}",
            carrier=carrier,
            service=service,
            tracking_number=f"{_PREFIXES.get(carrier, '1ZSBX')}{number:010d}",
        )

    def _check_country(self, carrier: str, country: str) -> None:
        if country in self.unserved_countries:
            raise RejectionError(
                f"{carrier} does not serve country {country}",
                code="ADDRESS_NOT_SERVICEABLE",
                system=SYSTEM,
            )

    # -- the port --

    async def buy_label(self, request: LabelRequest) -> Label:
        failure = self._enter("buy_label", request.shipment_id)
        label = self.labels.get(request.shipment_id)
        if label is None:
            carrier = request.carrier or self.carrier
            if request.service not in self.services.get(carrier, ()):
                raise RejectionError(
                    f"no service {request.service!r} of carrier {carrier!r}",
                    code="UNKNOWN_SERVICE",
                    system=SYSTEM,
                )
            self._check_country(carrier, request.ship_to.country)
            label = self._new_label("LBL", carrier, request.service)
            self.labels[request.shipment_id] = label
            self.requests[request.shipment_id] = request
            self.voided.discard(request.shipment_id)
        if failure is not None:
            raise failure.exc
        return label

    async def void_label(self, shipment_id: str) -> None:
        failure = self._enter("void_label", shipment_id)
        if shipment_id in self.picked_up:
            raise RejectionError(
                f"the label of shipment {shipment_id} was picked up",
                code="ALREADY_PICKED_UP",
                system=SYSTEM,
            )
        label = self.labels.pop(shipment_id, None)
        if label is not None:
            self.requests.pop(shipment_id, None)
            self.voided.add(shipment_id)
            self.voided_labels.append(label)
        if failure is not None:
            raise failure.exc

    async def buy_return_label(self, request: ReturnLabelRequest) -> Label:
        failure = self._enter("buy_return_label", request.rma_id)
        label = self.return_labels.get(request.rma_id)
        if label is None:
            carrier = request.carrier or self.carrier
            if carrier not in self.services:
                raise RejectionError(
                    f"no carrier {carrier!r}", code="UNKNOWN_CARRIER", system=SYSTEM
                )
            self._check_country(carrier, request.ship_from.country)
            label = self._new_label("RLBL", carrier, RETURN_SERVICE)
            self.return_labels[request.rma_id] = label
            self.return_requests[request.rma_id] = request
            self.voided_returns.discard(request.rma_id)
        if failure is not None:
            raise failure.exc
        return label

    async def void_return_label(self, rma_id: str) -> None:
        failure = self._enter("void_return_label", rma_id)
        if self.return_labels.pop(rma_id, None) is not None:
            self.return_requests.pop(rma_id, None)
            self.voided_returns.add(rma_id)
        if failure is not None:
            raise failure.exc
