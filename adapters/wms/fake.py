"""An in-memory WMS for unit, activity and workflow tests.

It keeps the contract of the sandbox WMS as seen through `HttpWmsAdapter` (same
idempotency rules, same error codes), records what it was asked, and fails on
demand. There is no floor: tests move a shipment along with `advance`, and play a
short pick with `short_pick`.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from adapters.errors import NotFoundError, RejectionError
from adapters.scripted_failures import FailureScript, ScriptedFailure
from adapters.wms.port import DispositionRequest, Reservation, ReservationRequest, StockLevel
from canonical.address import Address

SYSTEM = "wms"

RESERVED = "RESERVED"
RELEASED = "RELEASED"
PICKED = "PICKED"
PACKED = "PACKED"
LABELLED = "LABELLED"
SHIPPED = "SHIPPED"
CANCELLED = "CANCELLED"
OPEN = frozenset({RESERVED, RELEASED, PICKED, PACKED, LABELLED})
ON_THE_FLOOR = frozenset({RELEASED, PICKED, PACKED, LABELLED})

_METHODS = frozenset(
    {
        "stock",
        "reserve",
        "release_reservation",
        "release_to_pick",
        "recall",
        "attach_label",
        "restock",
        "scrap",
    }
)


@dataclass
class FakeReservation:
    """A reservation as the fake keeps it.

    Attributes:
        picked: line_no -> quantity picked, once `short_pick` played the pick; from
            then on that is what the line holds and ships.
    """

    request: ReservationRequest
    status: str = RESERVED
    ship_to: Address | None = None
    carrier: str = ""
    tracking_number: str = ""
    picked: dict[int, Decimal] = field(default_factory=dict)

    def held(self) -> dict[int, Decimal]:
        """line_no -> what the line holds: picked if picked, else reserved."""
        return {
            line.line_no: self.picked.get(line.line_no, line.quantity)
            for line in self.request.lines
        }

    def as_port(self) -> Reservation:
        return Reservation(
            shipment_id=self.request.shipment_id,
            warehouse=self.request.warehouse,
            status=self.status,
        )


class FakeWms:
    """`WmsPort` in memory, cosmicpython style: seeded, recording, scriptable.

    Contract, as the sandbox keeps it:
        - `reserve`: all lines or none; a shortage is
          `RejectionError(code="INSUFFICIENT_STOCK")`, an unknown warehouse
          `code="UNKNOWN_WAREHOUSE"`, a fractional quantity `code="WMS_REJECTED"`;
          the same shipment id again returns the existing reservation, unless it
          was cancelled, in which case it is reserved afresh;
        - `release_reservation`: idempotent, unknown is fine;
          `code="ALREADY_SHIPPED"` once shipped;
        - `release_to_pick`: idempotent; unknown is `NotFoundError`, cancelled is
          `code="RESERVATION_CANCELLED"`;
        - `recall`: back to RESERVED, dropping the label; idempotent, unknown is
          fine; `code="ALREADY_SHIPPED"` once shipped;
        - `attach_label`: PACKED becomes LABELLED; earlier the label is kept for
          later; unknown is `NotFoundError`; cancelled is `RESERVATION_CANCELLED`;
          after shipping only the same tracking number is accepted;
        - a short pick (`short_pick`, which the sandbox floor does on its own):
          the reservation holds only what was picked from then on, so the rest is
          available at once and shipping consumes only that; nothing picked at
          all leaves it CANCELLED (label refused, reserve again afresh);
        - `restock` / `scrap`: once per idempotency key (keys are shared by
          both): restock adds the quantity on hand, scrap changes no stock; a
          repeat of the same request does nothing more, a key reused for another
          request is `code="IDEMPOTENCY_KEY_REUSED"`; an unknown warehouse is
          `code="UNKNOWN_WAREHOUSE"`, a quantity not a whole number above 0
          `code="WMS_REJECTED"`.

    Args:
        on_hand: (warehouse, sku) -> on-hand quantity.
        warehouses: Warehouses known even without stock.

    Attributes:
        on_hand: (warehouse, sku) -> on-hand quantity; edit freely.
        warehouses: Known warehouses (those in `on_hand` plus any given).
        reservations: shipment_id -> `FakeReservation`, cancelled ones included.
        restocked: idempotency_key -> the restock booked with it.
        scrapped: idempotency_key -> the scrap booked with it.
        calls: Every call as `(method, key)`, failed ones included; the key is the
            shipment id, the idempotency key for `restock` and `scrap`, or the SKUs
            joined by commas for `stock`.
    """

    def __init__(
        self,
        on_hand: Mapping[tuple[str, str], int] | None = None,
        *,
        warehouses: Iterable[str] = (),
    ) -> None:
        self.on_hand: dict[tuple[str, str], int] = dict(on_hand or {})
        self.warehouses: set[str] = set(warehouses) | {w for w, _ in self.on_hand}
        self.reservations: dict[str, FakeReservation] = {}
        self.restocked: dict[str, DispositionRequest] = {}
        self.scrapped: dict[str, DispositionRequest] = {}
        self.calls: list[tuple[str, str]] = []
        self._script = FailureScript("FakeWms", _METHODS)

    # -- setup and inspection --

    def set_stock(self, warehouse: str, sku: str, on_hand: int) -> None:
        """Set the on-hand quantity of one SKU in one warehouse."""
        self.on_hand[warehouse, sku] = on_hand
        self.warehouses.add(warehouse)

    def reserved(self, warehouse: str, sku: str) -> Decimal:
        """Quantity of a SKU held by open reservations in a warehouse."""
        return sum(
            (
                res.picked.get(line.line_no, line.quantity)
                for res in self.reservations.values()
                if res.status in OPEN and res.request.warehouse == warehouse
                for line in res.request.lines
                if line.sku == sku
            ),
            Decimal(0),
        )

    def available(self, warehouse: str, sku: str) -> int:
        """On hand minus reserved."""
        return int(self.on_hand.get((warehouse, sku), 0) - self.reserved(warehouse, sku))

    def status_of(self, shipment_id: str) -> str | None:
        """A reservation's status, or None if there is none."""
        res = self.reservations.get(shipment_id)
        return None if res is None else res.status

    def advance(self, shipment_id: str, status: str) -> None:
        """Play the floor: set a reservation's status; SHIPPED consumes the stock it
        holds (what was picked, after a `short_pick`)."""
        res = self.reservations[shipment_id]
        if status == SHIPPED and res.status != SHIPPED:
            held = res.held()
            for line in res.request.lines:
                key = (res.request.warehouse, line.sku)
                self.on_hand[key] = max(0, self.on_hand.get(key, 0) - int(held[line.line_no]))
        res.status = status

    def short_pick(self, shipment_id: str, picked: Mapping[int, int | Decimal]) -> None:
        """Play a pick that came up short, as the sandbox floor does.

        Lines named in `picked` (by line_no) were picked that many, the others in
        full. The reservation then holds only what was picked, and on-hand stock
        drops by what was missing (the count is corrected); the shipment is PICKED,
        or CANCELLED when nothing at all was picked. The `picked` event itself is the
        test's to signal.

        Raises:
            KeyError: No such shipment.
            ValueError: An unknown line, or a quantity below 0 or above what the
                line holds.
        """
        res = self.reservations[shipment_id]
        held = res.held()
        for line_no, quantity in picked.items():
            if line_no not in held:
                raise ValueError(f"shipment {shipment_id} has no line {line_no}")
            if not 0 <= quantity <= held[line_no]:
                raise ValueError(
                    f"line {line_no} holds {held[line_no]}; cannot have picked {quantity}"
                )
        res.picked = {line_no: Decimal(picked.get(line_no, q)) for line_no, q in held.items()}
        # The shelf had less than the books said: correct the count, as the sandbox does.
        skus = {line.line_no: line.sku for line in res.request.lines}
        for line_no, quantity in held.items():
            missing = int(quantity - res.picked[line_no])
            if missing:
                key = (res.request.warehouse, skus[line_no])
                self.on_hand[key] = max(0, self.on_hand.get(key, 0) - missing)
        res.status = PICKED if any(res.picked.values()) else CANCELLED

    # -- scripting --

    def fail_next(
        self, method: str, exc: Exception, times: int = 1, *, after_effect: bool = False
    ) -> None:
        """Make the next `times` calls of `method` raise `exc`.

        Args:
            method: A port method name, e.g. `"reserve"`.
            exc: What to raise, typically a `TransientError` or `RejectionError`.
            times: How many consecutive calls fail.
            after_effect: Do the work first, then raise: a lost response, which a
                retry must cope with.
        """
        self._script.add(method, exc, times, after_effect=after_effect)

    def calls_to(self, method: str) -> list[tuple[str, str]]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call[0] == method]

    def _enter(self, method: str, key: str) -> ScriptedFailure | None:
        """Record the call; raise a scripted failure now, or return one for later."""
        self.calls.append((method, key))
        return self._script.before(method)

    @staticmethod
    def _rejected(message: str, code: str) -> RejectionError:
        return RejectionError(message, code=code, system=SYSTEM)

    def _check_units(self, quantity: Decimal, what: str) -> None:
        if quantity <= 0 or quantity != quantity.to_integral_value():
            raise self._rejected(f"{what}: whole units only", "WMS_REJECTED")

    def _get(self, shipment_id: str) -> FakeReservation:
        res = self.reservations.get(shipment_id)
        if res is None:
            raise NotFoundError(f"no reservation for shipment {shipment_id}", system=SYSTEM)
        return res

    # -- the port --

    async def stock(self, skus: list[str]) -> list[StockLevel]:
        """Stock of these SKUs in every warehouse; an empty list means every SKU."""
        failure = self._enter("stock", ",".join(skus))
        levels = [
            StockLevel(
                warehouse=warehouse,
                sku=sku,
                on_hand=on_hand,
                available=self.available(warehouse, sku),
            )
            for (warehouse, sku), on_hand in sorted(self.on_hand.items())
            if not skus or sku in skus
        ]
        if failure is not None:
            raise failure.exc
        return levels

    async def reserve(self, request: ReservationRequest) -> Reservation:
        failure = self._enter("reserve", request.shipment_id)
        reservation = self._reserve(request)
        if failure is not None:
            raise failure.exc
        return reservation

    def _reserve(self, request: ReservationRequest) -> Reservation:
        existing = self.reservations.get(request.shipment_id)
        if existing is not None and existing.status != CANCELLED:
            return existing.as_port()
        if request.warehouse not in self.warehouses:
            raise self._rejected(f"unknown warehouse {request.warehouse}", "UNKNOWN_WAREHOUSE")
        wanted: dict[str, Decimal] = defaultdict(Decimal)
        for line in request.lines:
            self._check_units(line.quantity, f"line {line.line_no}")
            wanted[line.sku] += line.quantity
        shortages = [
            f"{sku} wanted {quantity}, available {max(self.available(request.warehouse, sku), 0)}"
            for sku, quantity in wanted.items()
            if quantity > self.available(request.warehouse, sku)
        ]
        if shortages:
            raise self._rejected(
                f"not enough stock in {request.warehouse}: {'; '.join(shortages)}",
                "INSUFFICIENT_STOCK",
            )
        reservation = FakeReservation(request=request)
        self.reservations[request.shipment_id] = reservation
        return reservation.as_port()

    async def release_reservation(self, shipment_id: str) -> None:
        failure = self._enter("release_reservation", shipment_id)
        res = self.reservations.get(shipment_id)
        if res is not None and res.status == SHIPPED:
            raise self._rejected(f"shipment {shipment_id} has shipped", "ALREADY_SHIPPED")
        if res is not None:
            res.status = CANCELLED
        if failure is not None:
            raise failure.exc

    async def release_to_pick(self, shipment_id: str, ship_to: Address) -> None:
        failure = self._enter("release_to_pick", shipment_id)
        res = self._get(shipment_id)
        if res.status == CANCELLED:
            raise self._rejected(f"shipment {shipment_id} was cancelled", "RESERVATION_CANCELLED")
        if res.status == RESERVED:
            res.status = RELEASED
            res.ship_to = ship_to
        if failure is not None:
            raise failure.exc

    async def recall(self, shipment_id: str) -> None:
        failure = self._enter("recall", shipment_id)
        res = self.reservations.get(shipment_id)
        if res is not None and res.status == SHIPPED:
            raise self._rejected(f"shipment {shipment_id} has shipped", "ALREADY_SHIPPED")
        if res is not None and (
            res.status in ON_THE_FLOOR or (res.status == RESERVED and res.tracking_number)
        ):
            res.status = RESERVED
            res.carrier = ""
            res.tracking_number = ""
        if failure is not None:
            raise failure.exc

    async def attach_label(self, shipment_id: str, carrier: str, tracking_number: str) -> None:
        failure = self._enter("attach_label", shipment_id)
        res = self._get(shipment_id)
        if res.status == CANCELLED:
            raise self._rejected(f"shipment {shipment_id} was cancelled", "RESERVATION_CANCELLED")
        if res.status == SHIPPED:
            if res.tracking_number != tracking_number:
                raise self._rejected(f"shipment {shipment_id} has shipped", "ALREADY_SHIPPED")
        else:
            res.carrier = carrier
            res.tracking_number = tracking_number
            if res.status == PACKED:
                res.status = LABELLED
        if failure is not None:
            raise failure.exc

    async def restock(self, request: DispositionRequest) -> None:
        failure = self._enter("restock", request.idempotency_key)
        if self._book(self.restocked, request):
            key = (request.warehouse, request.sku)
            self.on_hand[key] = self.on_hand.get(key, 0) + int(request.quantity)
        if failure is not None:
            raise failure.exc

    async def scrap(self, request: DispositionRequest) -> None:
        failure = self._enter("scrap", request.idempotency_key)
        self._book(self.scrapped, request)
        if failure is not None:
            raise failure.exc

    def _book(self, book: dict[str, DispositionRequest], request: DispositionRequest) -> bool:
        """Check a disposition and record it in `book`; False if it was booked already."""
        self._check_units(request.quantity, request.idempotency_key)
        key = request.idempotency_key
        booked = self.restocked.get(key) or self.scrapped.get(key)
        if booked is not None:
            if booked != request or key not in book:
                raise self._rejected(
                    f"idempotency key {key} was used for another disposition",
                    "IDEMPOTENCY_KEY_REUSED",
                )
            return False
        if request.warehouse not in self.warehouses:
            raise self._rejected(f"unknown warehouse {request.warehouse}", "UNKNOWN_WAREHOUSE")
        book[key] = request
        return True
