"""Run one worker process: every task queue, real adapters.

The ERP is protected twice here: the verdict's lookups go through a TTL cache
(`adapters.erp.cached_lookups`), and every request to SAP through the process's share
of the ERP call budget (`adapters.erp.rate_limit`, which says how
`ORDERMESH_ERP_CALLS_PER_SECOND` maps onto HTTP requests, Temporal's task-queue limit
and the ERP worker's concurrency).
"""

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities.carrier import CarrierActivities
from activities.cash import CashActivities
from activities.edi import PartnerDocumentActivities
from activities.erp import ErpActivities
from activities.returns import ReturnActivities
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from adapters.bank.http import MockBankAdapter
from adapters.bank.settings import BankSettings
from adapters.carrier.http import HttpCarrierAdapter
from adapters.edi.http import As2HttpEndpoint
from adapters.erp.cached_lookups import CachedErpLookups
from adapters.erp.rate_limit import ErpCallLimiter, RateLimitedTransport
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_settings import SapSettings
from adapters.tms.http import HttpTmsAdapter
from adapters.wms.http import HttpWmsAdapter
from runtime.settings import TemporalSettings
from runtime.telemetry import configure_process
from runtime.temporal import connect
from runtime.worker_metrics import worker_runtime
from store.cash_ledger import CashLedger
from store.db import create_schema, make_engine
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from store.returns_ledger import ReturnsLedger
from workers.order_directory import TemporalOrderDirectory
from workers.registry import (
    WORKFLOWS,
    erp_lookup_activities,
    erp_queue_activities,
    order_queue_activities,
)
from workers.schedules import ensure_cash_schedule
from workers.settings import WorkerSettings
from workers.step_metrics import StepMetricsInterceptor

log = logging.getLogger("ordermesh.worker")


def build_workers(
    client: Client,
    temporal: TemporalSettings,
    settings: WorkerSettings,
    erp: ErpActivities,
    warehouse: WarehouseActivities,
    carrier: CarrierActivities,
    transport: TransportActivities,
    cash: CashActivities,
    returns: ReturnActivities,
    edi: PartnerDocumentActivities,
) -> list[Worker]:
    """The order queue (workflows, WMS, carrier), the rate-limited ERP queue (at most
    `erp_calls_per_second` activity starts per second across all workers, Temporal's
    limit, and this process's share of it, rounded up, running at once) and the
    verdict's lookup queue. Each records its steps' durations, retries and failures
    per outside system (`workers.step_metrics`)."""
    step_metrics = StepMetricsInterceptor()
    return [
        Worker(
            client,
            task_queue=temporal.task_queue,
            workflows=list(WORKFLOWS),
            activities=[
                *order_queue_activities(warehouse, carrier, transport, cash, returns),
                edi.send_partner_document,
            ],
            interceptors=[step_metrics],
        ),
        Worker(
            client,
            task_queue=temporal.erp_task_queue,
            activities=erp_queue_activities(erp, cash, returns),
            max_task_queue_activities_per_second=settings.erp_calls_per_second,
            max_concurrent_activities=settings.erp_activity_slots(),
            interceptors=[step_metrics],
        ),
        # No Temporal rate limit here: cached verdicts cost the ERP nothing, and the
        # lookups that do reach SAP pass the same per-process call budget as the rest.
        Worker(
            client,
            task_queue=temporal.erp_lookup_task_queue,
            activities=erp_lookup_activities(erp),
            interceptors=[step_metrics],
        ),
    ]


async def main() -> None:
    configure_process("ordermesh-worker")
    temporal, settings = TemporalSettings(), WorkerSettings()
    # SDK metrics and ours, served at settings.metrics_bind_address.
    client = await connect(temporal, runtime=worker_runtime(settings.metrics_bind_address))
    erp = SapErpAdapter.from_settings(
        SapSettings(),
        transport=RateLimitedTransport(
            ErpCallLimiter.per_second(settings.erp_calls_per_second_here())
        ),
    )
    lookups = CachedErpLookups(
        erp,
        settings.erp_lookup_ttl_seconds,
        not_found_ttl_seconds=settings.erp_lookup_not_found_ttl_seconds,
        max_entries=settings.erp_lookup_cache_entries,
    )
    wms = HttpWmsAdapter.from_base_url(settings.sandbox_url, settings.http_timeout_seconds)
    carrier = HttpCarrierAdapter.from_base_url(settings.sandbox_url, settings.http_timeout_seconds)
    tms = HttpTmsAdapter.from_base_url(settings.sandbox_url, settings.http_timeout_seconds)
    bank_settings = BankSettings()
    bank = MockBankAdapter.from_settings(bank_settings)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    cash_ledger = CashLedger(engine)
    workers = build_workers(
        client,
        temporal,
        settings,
        ErpActivities(
            erp,
            settings.price_list(),
            settings.customer_policies,
            settings.payment_terms,
            settings.default_payment_terms,
            lookups=lookups,
        ),
        WarehouseActivities(wms),
        CarrierActivities(carrier),
        TransportActivities(tms),
        CashActivities(bank, erp, cash_ledger, settings.payer_accounts),
        ReturnActivities(
            erp,
            wms,
            carrier,
            ReturnsLedger(engine),
            cash_ledger,
            TemporalOrderDirectory(client),
            settings.returns,
        ),
        PartnerDocumentActivities(
            PartnerRegistry(engine),
            PartnerDocuments(engine),
            As2HttpEndpoint(httpx.AsyncClient(timeout=settings.http_timeout_seconds)),
        ),
    )
    if settings.cash_interval_seconds:
        await ensure_cash_schedule(
            client,
            temporal,
            bank_settings.account,
            timedelta(seconds=settings.cash_interval_seconds),
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "worker up on %s, %s and %s",
        temporal.task_queue,
        temporal.erp_task_queue,
        temporal.erp_lookup_task_queue,
    )
    runs = [asyncio.create_task(w.run()) for w in workers]
    await stop.wait()
    log.info("worker stopping")
    await asyncio.gather(*(w.shutdown() for w in workers))
    for run in runs:
        with contextlib.suppress(Exception):
            await run
