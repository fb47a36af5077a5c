"""One trace per order, seen through an in-memory exporter: the API request, the
update-with-start, the order workflow and its activities, each marked with the order
id; and an adapter's HTTP call sends the trace on in `traceparent`.

Tracer providers here are the test's own (never the process-wide one), so nothing
leaks into other tests.
"""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.testing import WorkflowEnvironment

from adapters.carrier.http import HttpCarrierAdapter
from canonical.statuses import OrderStatus
from runtime.correlation import ORDER_ID_KEY, bound_order
from runtime.telemetry import OrderIdSpanProcessor, instrument_api
from tests.api.conftest import harness_over
from tests.api.support import ApiHarness, new_key, released, submit
from tests.api.test_returns import delivered, return_body
from tests.workflows.support import running_stack


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(OrderIdSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


@pytest.fixture
async def traced_api(
    dev_server_env: WorkflowEnvironment, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> AsyncIterator[ApiHarness]:
    """The app and a worker over the fakes, both on a client that traces to `spans`."""
    provider, _ = spans
    config = dev_server_env.client.config()
    config["interceptors"] = [TracingInterceptor(provider.get_tracer("ordermesh-test"))]
    async with (
        running_stack(Client(**config)) as stack,
        harness_over(stack, prepare=lambda app: instrument_api(app, provider)) as harness,
    ):
        yield harness


async def test_an_order_is_one_trace_from_the_request_through_every_activity(
    traced_api: ApiHarness, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    _, exporter = spans
    response = await submit(traced_api.http, key=new_key())
    assert response.status_code == 201, response.text
    order_id = response.json()["order_id"]
    await released(traced_api.http, order_id)

    finished = exporter.get_finished_spans()
    request = _one(finished, "POST /orders")
    trace_id = request.context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    assert {
        "POST /orders",
        "StartUpdateWithStartWorkflow:OrderToCash",
        "RunWorkflow:OrderToCash",
        "HandleUpdate:submit",
        "RunActivity:validate_order",
        "RunActivity:create_sales_order",
        "RunActivity:reserve_inventory",
        "RunWorkflow:Shipment",
        "RunActivity:release_to_warehouse",
    } <= names, sorted(names)
    # Every span of the order's trace names the order, the request's own included.
    assert {s.name for s in in_trace if _order_of(s) != order_id} == set()
    # The workflow hangs under the update-with-start, which hangs under the request.
    start = _one(in_trace, "StartUpdateWithStartWorkflow:OrderToCash")
    assert start.parent is not None and start.parent.span_id == request.context.span_id
    assert request.status.is_ok and request.attributes is not None
    assert request.attributes["http.status_code"] == 201
    assert traced_api.stack.wms.status_of(f"{order_id}-S1") == OrderStatus.RELEASED.value


async def test_a_return_is_traced_under_its_order(
    traced_api: ApiHarness, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    _, exporter = spans
    order_id = await delivered(traced_api)
    response = await traced_api.http.post(f"/orders/{order_id}/returns", json=return_body())
    assert response.status_code == 201, response.text

    finished = exporter.get_finished_spans()
    request = _one(finished, "POST /orders/{order_id}/returns")
    in_trace = [s for s in finished if s.context.trace_id == request.context.trace_id]
    assert {"StartUpdateWithStartWorkflow:Return", "RunWorkflow:Return"} <= {
        s.name for s in in_trace
    }
    assert {s.name for s in in_trace if _order_of(s) != order_id} == set()


async def test_an_adapter_call_sends_the_trace_on_in_traceparent(
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = spans
    seen: list[httpx.Request] = []

    def carrier(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"error": "no such label"})

    client = httpx.AsyncClient(base_url="http://carrier", transport=httpx.MockTransport(carrier))
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
    adapter = HttpCarrierAdapter(client)
    tracer = provider.get_tracer("ordermesh-test")
    with tracer.start_as_current_span("RunActivity:void_label") as activity, bound_order("OM-1"):
        await adapter.void_label("OM-1-S1")
    await client.aclose()

    (request,) = seen
    version, trace_hex, parent_hex, _flags = request.headers["traceparent"].split("-")
    assert version == "00"
    assert int(trace_hex, 16) == activity.get_span_context().trace_id
    assert "ordermesh.order_id=OM-1" in request.headers["baggage"]
    call = next(s for s in exporter.get_finished_spans() if s.kind.name == "CLIENT")
    assert int(parent_hex, 16) == call.context.span_id
    assert call.parent is not None and call.parent.span_id == activity.get_span_context().span_id
    assert _order_of(call) == "OM-1"


def _one(spans: tuple[ReadableSpan, ...] | list[ReadableSpan], name: str) -> ReadableSpan:
    (span,) = [s for s in spans if s.name == name]
    return span


def _order_of(span: ReadableSpan) -> object:
    return (span.attributes or {}).get(ORDER_ID_KEY)
