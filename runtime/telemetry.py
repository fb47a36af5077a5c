"""Tracing and logs at the process edge: the OpenTelemetry SDK, its exporters, the
instrumentations and structured JSON logging, set up once by each process's `main`.

Library code only uses the OpenTelemetry API (`runtime.correlation`); this module is
what turns those calls into exported spans:

- the FastAPI request (`instrument_api`), the Temporal client calls, workflows and
  activities (Temporal's `TracingInterceptor`, which `runtime.temporal.connect`
  puts on every client), and every
  httpx request any adapter sends, with W3C `traceparent` and `baggage` headers
  (`opentelemetry-instrumentation-httpx`), form one trace per order;
- every span started under an order carries `ordermesh.order_id`
  (`OrderIdSpanProcessor`), and so does every JSON log line (`JsonLogFormatter`);
- spans go to a JSON-lines file (`ORDERMESH_TRACES_FILE`, one span per line, what
  `make run` uses), to an OTLP/HTTP collector when the standard
  `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT` is set and the
  `opentelemetry-exporter-otlp-proto-http` package is installed, or nowhere.
"""

import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from fastapi import FastAPI
from opentelemetry import context, trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.correlation import ORDER_ID_KEY, current_order_id, order_id_of_workflow


class TelemetrySettings(BaseSettings):
    """Where a process's spans and logs go.

    Attributes:
        traces_file: A JSON-lines file each finished span is appended to; unset, no
            file.
        log_format: `json` (one object a line, with the order id, trace and span
            ids) or `text` for a terminal.
        log_level: The root logger's level.
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_")

    traces_file: Path | None = None
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"


class OrderIdSpanProcessor(SpanProcessor):
    """Marks each span started under an order (the baggage `runtime.correlation`
    binds, or the Temporal workflow id it runs for) with `ordermesh.order_id`."""

    def on_start(self, span: Span, parent_context: context.Context | None = None) -> None:
        order_id = current_order_id(parent_context)
        if order_id is None and span.attributes:
            workflow_id = span.attributes.get("temporalWorkflowID")
            if isinstance(workflow_id, str):
                order_id = order_id_of_workflow(workflow_id)
        if order_id is not None:
            span.set_attribute(ORDER_ID_KEY, order_id)


class JsonLinesSpanExporter(SpanExporter):
    """Appends each span as one JSON object a line; readable with `jq`, and by the
    tests that check a trace's shape from a running stack."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out: IO[str] = path.open("a", encoding="utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            self._out.write(span_record(span) + "\n")
        self._out.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._out.close()


def span_record(span: ReadableSpan) -> str:
    """One span as compact JSON: names, ids in W3C hex, times, attributes, status."""
    ctx = span.get_span_context()
    parent = span.parent
    record = {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": f"{ctx.trace_id:032x}" if ctx else None,
        "span_id": f"{ctx.span_id:016x}" if ctx else None,
        "parent_id": f"{parent.span_id:016x}" if parent else None,
        "start": span.start_time,
        "end": span.end_time,
        "service": span.resource.attributes.get(SERVICE_NAME),
        "attributes": dict(span.attributes or {}),
        "status": span.status.status_code.name,
    }
    return json.dumps(record, default=str, separators=(",", ":"))


def tracer_provider(service: str, settings: TelemetrySettings) -> TracerProvider:
    """A provider for `service` with the order-id processor and the exporters the
    settings and the standard OTLP variables name."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(OrderIdSpanProcessor())
    if settings.traces_file is not None:
        provider.add_span_processor(BatchSpanProcessor(JsonLinesSpanExporter(settings.traces_file)))
    otlp = _otlp_exporter()
    if otlp is not None:
        provider.add_span_processor(BatchSpanProcessor(otlp))
    return provider


def _otlp_exporter() -> SpanExporter | None:
    if not (
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    ):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found]
            OTLPSpanExporter,
        )
    except ImportError:
        logging.getLogger("ordermesh.telemetry").warning(
            "OTLP endpoint set but opentelemetry-exporter-otlp-proto-http is not installed"
        )
        return None
    return OTLPSpanExporter()  # type: ignore[no-any-return]


def configure_process(service: str, settings: TelemetrySettings | None = None) -> TracerProvider:
    """Set up a process: JSON logs, the global tracer provider, and the httpx
    instrumentation that sends `traceparent` on every adapter call."""
    settings = settings or TelemetrySettings()
    configure_logging(service, settings)
    provider = tracer_provider(service, settings)
    trace.set_tracer_provider(provider)
    instrument_httpx(provider)
    return provider


def instrument_httpx(provider: TracerProvider) -> None:
    """Every httpx client in the process, made before or after, sends the trace on."""
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)


def instrument_api(app: FastAPI, provider: TracerProvider | None = None) -> None:
    """A server span per request. The ASGI send/receive spans are left out: they say
    nothing a support person needs and are started before the order id is known."""
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["receive", "send"]
    )


class JsonLogFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the service, the order
    id, the trace and span ids, and Temporal's workflow / activity fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "service": self._service,
            "message": record.getMessage(),
        }
        temporal = _temporal_fields(record)
        entry.update(temporal)
        order_id = current_order_id() or order_id_of_workflow(temporal.get("workflow_id", ""))
        if order_id is not None:
            entry["order_id"] = order_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = f"{span.trace_id:032x}"
            entry["span_id"] = f"{span.span_id:016x}"
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _temporal_fields(record: logging.LogRecord) -> dict[str, Any]:
    # Temporal's workflow and activity loggers attach these dicts as `extra`.
    fields: dict[str, Any] = {}
    for key in ("temporal_workflow", "temporal_activity"):
        extra = record.__dict__.get(key)
        if isinstance(extra, dict):
            for name in ("workflow_id", "workflow_type", "activity_type", "attempt"):
                if name in extra:
                    fields[name] = extra[name]
    return fields


def configure_logging(service: str, settings: TelemetrySettings) -> None:
    """The root logger writes to stderr in the chosen format; uvicorn's loggers go
    through it too, so access lines are JSON as well."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonLogFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
