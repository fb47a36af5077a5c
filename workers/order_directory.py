"""Orders as return activities see them: through Temporal, by workflow id.

A query answers for a completed order too (its last state), which is what a return
asked for after the order was paid needs; a signal reaches only a running one.
"""

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from canonical.invoices import Payment
from canonical.view import OrderView
from workflows.cash_contracts import PAYMENT_APPLIED_SIGNAL
from workflows.contracts import VIEW_QUERY, order_workflow_id


class TemporalOrderDirectory:
    """`activities.returns.OrderDirectory` over a Temporal client."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def view(self, order_id: str) -> OrderView | None:
        handle = self._client.get_workflow_handle(order_workflow_id(order_id))
        try:
            view: OrderView = await handle.query(VIEW_QUERY, result_type=OrderView)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                return None
            raise
        return view

    async def tell(self, order_id: str, payment: Payment) -> bool:
        handle = self._client.get_workflow_handle(order_workflow_id(order_id))
        try:
            await handle.signal(PAYMENT_APPLIED_SIGNAL, payment)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                return False  # completed: nothing left to lower
            raise
        return True
