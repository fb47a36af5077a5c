"""Return authorizations per order line, claimed in one transaction per return."""

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from canonical.return_rules import too_many
from store.return_tables import ReturnAuthorization


class ReturnsLedger:
    """What returns have taken of each order line.

    Args:
        engine: The store's engine.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def taken(self, order_id: str, other_than: str = "") -> dict[int, Decimal]:
        """Per order line, what other returns of the order have authorized or received."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(ReturnAuthorization.line_no, func.sum(ReturnAuthorization.quantity))
                .where(
                    ReturnAuthorization.order_id == order_id,
                    ReturnAuthorization.rma_id != other_than,
                    ReturnAuthorization.state != "released",
                )
                .group_by(col(ReturnAuthorization.line_no))
            ).all()
        return {line_no: Decimal(total) for line_no, total in rows}

    def authorize(
        self,
        rma_id: str,
        order_id: str,
        lines: Mapping[int, Decimal],
        returnable: Mapping[int, Decimal],
    ) -> str:
        """Claim `lines` for `rma_id` if every one fits in what is `returnable` less what
        other returns took; "" when claimed (or claimed before by this RMA), else why not.
        One transaction, so two returns of one order cannot both take the last unit."""
        with Session(self._engine) as session, session.begin():
            mine = session.exec(
                select(ReturnAuthorization).where(ReturnAuthorization.rma_id == rma_id)
            ).all()
            if mine:
                return ""
            taken = {
                line_no: Decimal(total)
                for line_no, total in session.exec(
                    select(ReturnAuthorization.line_no, func.sum(ReturnAuthorization.quantity))
                    .where(
                        ReturnAuthorization.order_id == order_id,
                        ReturnAuthorization.state != "released",
                    )
                    .group_by(col(ReturnAuthorization.line_no))
                ).all()
            }
            for line_no, quantity in lines.items():
                left = returnable.get(line_no, Decimal(0)) - taken.get(line_no, Decimal(0))
                if quantity > left:
                    return too_many(line_no, quantity, left)
            for line_no, quantity in lines.items():
                session.add(
                    ReturnAuthorization(
                        rma_id=rma_id, order_id=order_id, line_no=line_no, quantity=quantity
                    )
                )
        return ""

    def settle(self, rma_id: str, received: Mapping[int, Decimal] | None) -> None:
        """What came back: `received` per line (lowering the claim), or None when nothing
        will (denied, expired, cancelled): the claim is released."""
        with Session(self._engine) as session:
            for row in session.exec(
                select(ReturnAuthorization).where(ReturnAuthorization.rma_id == rma_id)
            ).all():
                if received is None:
                    row.state = "released"
                else:
                    row.quantity = received.get(row.line_no, Decimal(0))
                    row.state = "received"
                session.add(row)
            session.commit()

    def rmas_of(self, order_id: str) -> list[str]:
        with Session(self._engine) as session:
            ids = session.exec(
                select(ReturnAuthorization.rma_id)
                .where(ReturnAuthorization.order_id == order_id)
                .order_by(col(ReturnAuthorization.id))
            ).all()
        return list(dict.fromkeys(ids))
