"""An in-memory partner endpoint for tests: records every delivery it was given."""

from adapters.edi.port import Delivery, DeliveryReceipt
from adapters.errors import AdapterError
from adapters.scripted_failures import FailureScript


class FakePartnerEndpoint:
    """Takes deliveries and keeps them, in order, in `delivered`; `fail_next` scripts
    a failure of the next deliveries."""

    def __init__(self) -> None:
        self.delivered: list[Delivery] = []
        self._failures = FailureScript("FakePartnerEndpoint", ["deliver"])

    def fail_next(self, exc: AdapterError, times: int = 1) -> None:
        self._failures.add("deliver", exc, times)

    async def deliver(self, delivery: Delivery) -> DeliveryReceipt:
        self._failures.before("deliver")
        self.delivered.append(delivery)
        return DeliveryReceipt(status_code=200, disposition="processed")
