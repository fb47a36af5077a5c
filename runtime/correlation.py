"""The correlation id: which order a span, a log line or an outgoing call belongs to.

The id is the order id. It travels as W3C baggage under `ordermesh.order_id`, so it
crosses every hop the trace context crosses: the API binds it when it learns the
order id, Temporal's tracing interceptor carries it in workflow and activity headers,
and the httpx instrumentation sends it on beside `traceparent`. Workflow code cannot
read baggage (it runs in Temporal's sandbox), so for workflow log lines the id is read
back from the workflow id (`order_id_of_workflow`).

Only the OpenTelemetry API is used here; the SDK is configured at the process edge
(`runtime.telemetry`).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import baggage, context, trace

ORDER_ID_KEY = "ordermesh.order_id"
"""Baggage key and span attribute name of the correlation id."""

# An order's own workflow is `order-<id>`, its shipments `order-<id>-S<n>` and its
# partner documents `order-<id>-EDI` (workflows.contracts, workflows.edi_contracts).
_ORDER_WORKFLOW = re.compile(r"^order-(?P<order_id>.+?)(?:-S\d+|-EDI)?$")


@contextmanager
def bound_order(order_id: str) -> Iterator[None]:
    """Everything inside belongs to `order_id`: the current span is marked, and spans,
    log lines and outgoing calls started inside carry the id as baggage."""
    trace.get_current_span().set_attribute(ORDER_ID_KEY, order_id)
    token = context.attach(baggage.set_baggage(ORDER_ID_KEY, order_id))
    try:
        yield
    finally:
        context.detach(token)


def current_order_id(ctx: context.Context | None = None) -> str | None:
    """The order `ctx` (by default the current context) belongs to, if any."""
    value = baggage.get_baggage(ORDER_ID_KEY, ctx)
    return str(value) if value else None


def order_id_of_workflow(workflow_id: str) -> str | None:
    """The order a workflow id belongs to: its own, a shipment's or its partner
    documents' workflow; None for workflows of no one order (cash rounds, returns)."""
    match = _ORDER_WORKFLOW.match(workflow_id)
    return match.group("order_id") if match else None
