"""Business metrics of the front door, in Prometheus' text format (`GET /metrics`).

Counted as the API sees them: submissions by channel and verdict, and how long a
verdict took (EDI orders are counted `received`, with no verdict to wait for). Read
from Temporal's visibility at each scrape: running orders by status and the
exception queue's depth, so any number of API processes report the same figures and
nothing is kept that a restart would lose. Each app has its own registry (tests build many apps).
"""

import asyncio

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from temporalio.client import Client

from api.order_list import visibility_query
from canonical.statuses import OrderStatus

# A verdict is synchronous: most within a second, the slow ones up to the timeout.
VERDICT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    """The API's metrics, and how they are read for a scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.submitted = Counter(
            "ordermesh_orders_submitted",
            "Orders submitted, by channel and verdict (accepted, rejected, pending).",
            ["channel", "verdict"],
            registry=self.registry,
        )
        self.verdict_seconds = Histogram(
            "ordermesh_verdict_seconds",
            "How long a submission waited for its verdict.",
            ["channel"],
            buckets=VERDICT_BUCKETS,
            registry=self.registry,
        )
        self._by_status = Gauge(
            "ordermesh_orders",
            "Orders whose workflow is running, by status (Temporal visibility).",
            ["status"],
            registry=self.registry,
        )
        self._attention = Gauge(
            "ordermesh_exception_queue_depth",
            "Orders waiting for a decision in NEEDS_ATTENTION.",
            registry=self.registry,
        )

    def verdict(self, channel: str, verdict: str, seconds: float) -> None:
        """A submission answered `accepted`, `rejected` or `pending` after `seconds`."""
        self.submitted.labels(channel=channel, verdict=verdict).inc()
        self.verdict_seconds.labels(channel=channel).observe(seconds)

    def received(self, channel: str) -> None:
        """An order started without waiting for its verdict (EDI)."""
        self.submitted.labels(channel=channel, verdict="received").inc()

    async def scrape(self, client: Client) -> bytes:
        """The text a Prometheus scrape gets, with the visibility figures read now."""
        statuses = list(OrderStatus)
        counts = await asyncio.gather(
            *(
                client.count_workflows(
                    f"{visibility_query(status, None, None)} AND ExecutionStatus = 'Running'"
                )
                for status in statuses
            )
        )
        for status, count in zip(statuses, counts, strict=True):
            self._by_status.labels(status=status.value).set(count.count)
            if status is OrderStatus.NEEDS_ATTENTION:
                self._attention.set(count.count)
        return generate_latest(self.registry)
