"""Fixtures for adapter tests, and the SAP test doubles they share.

- `mock_sap_url`: an in-process mock-sap, CSRF on, for the whole session; `mock_sap`
  resets it for one test and gives plain OData access (`MockSap`) to arrange and check
  data; `sap_adapter` is the real adapter pointed at it.
- `gateway`: a scripted SAP Gateway over `httpx.MockTransport` (`Gateway`), and
  `adapter`, the SAP adapter talking to it (its `today` is `TODAY`).
- `either_erp`: `FakeErp`, then the SAP adapter against mock-sap, for contract tests;
  `returns_request` and `credit_memo_request` make the requests of a return.
"""

import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mocksap import Config, make_server

from adapters.erp.fake import FakeErp
from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    CreditMemoRequest,
    ErpOrderItem,
    ErpPort,
    ReturnsOrderRequest,
    SalesOrderRequest,
)
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_settings import SapSettings

# -- mock-sap, in process -----------------------------------------------------------------


@pytest.fixture(scope="session")
def mock_sap_url() -> Iterator[str]:
    """One mock-sap for the session, on a free port, in a daemon thread."""
    httpd = make_server(Config(port=0, db_path=":memory:", quiet=True))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


SO = "API_SALES_ORDER_SRV"
BILLING = "API_BILLING_DOCUMENT_SRV"
BP = "API_BUSINESS_PARTNER_SRV"
ODATA = "/sap/opu/odata/sap"


@dataclass
class MockSap:
    """Test-side access to mock-sap: its control plane, and plain OData reads and
    writes for arranging and checking data (independent of the adapter under test)."""

    base_url: str
    http: httpx.AsyncClient

    async def reset(self) -> None:
        (await self.http.post("/_mock/reset")).raise_for_status()

    async def add_fault(self, **rule: Any) -> None:
        """A `/_mock/faults` rule, e.g. `match="A_SalesOrder$", method="POST", status=503`."""
        (await self.http.post("/_mock/faults", json=rule)).raise_for_status()

    async def control(self, what: str, **rule: Any) -> None:
        """A rule for one of mock-sap's control endpoints, e.g.
        `control("idoc-posting", mestyp="FINSTA", status="51", count=1)` or
        `control("bapi-behaviour", function=..., type="E", message=..., count=1)`."""
        (await self.http.post(f"/_mock/{what}", json=rule)).raise_for_status()

    async def idocs(self, mestyp: str = "") -> list[dict[str, Any]]:
        """The IDocs mock-sap received, oldest first."""
        params = {"limit": "500", **({"mestyp": mestyp} if mestyp else {})}
        response = await self.http.get("/sap/bc/idoc", params=params)
        response.raise_for_status()
        return list(reversed(response.json()["results"]))

    async def requests(self) -> list[dict[str, Any]]:
        """The OData requests since the last reset, oldest first."""
        response = await self.http.get("/_mock/requests", params={"limit": 500})
        response.raise_for_status()
        return list(reversed(response.json()["results"]))

    async def read(self, service: str, resource: str, **params: str) -> Any:
        """The `d` of a GET, e.g. `read(SRV, "A_SalesOrder", **{"$filter": ...})`."""
        response = await self.http.get(
            f"{ODATA}/{service}/{resource}", params={"$format": "json", **params}
        )
        response.raise_for_status()
        return response.json()["d"]

    async def read_all(self, service: str, resource: str, **params: str) -> list[dict[str, Any]]:
        data = await self.read(service, resource, **params)
        return list(data["results"])

    async def write(
        self, method: str, service: str, resource: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A write with its own CSRF token, for arranging data."""
        fetched = await self.http.get(f"{ODATA}/{service}/", headers={"X-CSRF-Token": "Fetch"})
        headers = {
            "X-CSRF-Token": fetched.headers["x-csrf-token"],
            "Accept": "application/json",
            "If-Match": "*",
        }
        response = await self.http.request(
            method, f"{ODATA}/{service}/{resource}", json=body, headers=headers
        )
        response.raise_for_status()
        return response


@pytest.fixture
async def mock_sap(mock_sap_url: str) -> AsyncIterator[MockSap]:
    """The session's mock-sap, reset to its seed data (no faults, no tokens, empty log)."""
    async with httpx.AsyncClient(base_url=mock_sap_url, timeout=5) as http:
        handle = MockSap(mock_sap_url, http)
        await handle.reset()
        yield handle


@pytest.fixture
async def sap_adapter(mock_sap: MockSap) -> AsyncIterator[SapErpAdapter]:
    """The real adapter, built the production way, pointed at the reset mock-sap."""
    adapter = SapErpAdapter.from_settings(
        SapSettings(base_url=mock_sap.base_url, timeout_seconds=5)
    )
    yield adapter
    await adapter.aclose()


class LoseFirstResponse(httpx.AsyncHTTPTransport):
    """Lets the first matching request reach the server, then drops its answer."""

    def __init__(self, method: str, path_suffix: str) -> None:
        super().__init__()
        self.method, self.path_suffix, self.lost = method, path_suffix, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if (
            not self.lost
            and request.method == self.method
            and request.url.path.endswith(self.path_suffix)
        ):
            await response.aread()
            self.lost += 1
            raise httpx.ReadTimeout("response lost", request=request)
        return response


# -- a scripted Gateway over httpx.MockTransport ----------------------------------------


BASE = "http://sap.test"
ROOT = "/sap/opu/odata/sap"
TODAY = date(2026, 11, 20)
"""The `today` of the `adapter` fixture."""
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def sap_error(status: int, message: str, details: list[str] | None = None) -> httpx.Response:
    """An SAP Gateway error envelope."""
    body = {
        "error": {
            "code": "/IWBEP/CX_MGW_BUSI_EXCEPTION",
            "message": {"lang": "en", "value": message},
            "innererror": {
                "errordetails": [
                    {"code": "X/1", "message": m, "severity": "error"}
                    for m in (details if details is not None else [message])
                ]
            },
        }
    }
    return httpx.Response(status, json=body)


def csrf_required() -> httpx.Response:
    return httpx.Response(
        403,
        headers={"x-csrf-token": "Required"},
        json={
            "error": {
                "code": "/IWFND/CM_CSRF",
                "message": {"value": "CSRF token validation failed"},
            }
        },
    )


def results(*rows: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"d": {"results": list(rows)}})


def entity(**fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"d": fields})


def raw_path(request: httpx.Request) -> str:
    """The path as sent, percent-escapes kept."""
    return request.url.raw_path.decode().split("?", 1)[0]


class Gateway:
    """A scripted SAP Gateway: answers by (method, path regex), records every request.

    Each route holds a queue of answers; the last one repeats. A CSRF fetch on any
    service root is answered with `tokens` in turn, and a session cookie.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: list[tuple[str, re.Pattern[str], list[Answer]]] = []
        self.tokens = ["tok-1", "tok-2", "tok-3"]
        self.fetches = 0

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.routes.insert(0, (method, re.compile(path), list(answers)))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("X-CSRF-Token") == "Fetch":
            token = self.tokens[min(self.fetches, len(self.tokens) - 1)]
            self.fetches += 1
            return httpx.Response(
                200,
                headers={
                    "x-csrf-token": token,
                    "set-cookie": f"SAP_SESSIONID_MCK_100=s{token}; path=/",
                },
                json={"d": {"EntitySets": []}},
            )
        for method, pattern, answers in self.routes:
            if method == request.method and pattern.search(raw_path(request)):
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, Exception):
                    raise answer
                return answer(request) if callable(answer) else answer
        return sap_error(404, f"no route for {request.method} {request.url.path}")

    def sent(self, method: str, path_end: str = "") -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.method == method
            and r.url.path.endswith(path_end)
            and r.headers.get("X-CSRF-Token") != "Fetch"
        ]


@pytest.fixture
def gateway() -> Gateway:
    return Gateway()


@pytest.fixture
async def adapter(gateway: Gateway) -> AsyncIterator[SapErpAdapter]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(gateway), base_url=BASE)
    async with SapErpAdapter(client, SapSettings(base_url=BASE), today=lambda: TODAY) as sap:
        yield sap


# -- returns: requests, and a port that is either ERP ----------------------------------


def returned(
    line_no: int = 10, sku: str = "TG11", quantity: int = 2, net: str = "200.00"
) -> ErpOrderItem:
    """An item of a return or a credit memo, in pieces."""
    return ErpOrderItem(
        line_no=line_no, sku=sku, quantity=Decimal(quantity), uom="PC", net_amount=Decimal(net)
    )


def returns_request(
    sales_order: str,
    *items: ErpOrderItem,
    key: str = "rma-RMA-1:returns_order",
    reason: str = "damaged",
) -> ReturnsOrderRequest:
    """A return of customer 1000001 in EUR; two TG11 of line 10 unless items are given."""
    return ReturnsOrderRequest(
        idempotency_key=key,
        sales_order=sales_order,
        customer_id="1000001",
        currency="EUR",
        reason=reason,
        items=list(items) or [returned()],
    )


def credit_memo_request(
    returns_order: str, invoice: str, *items: ErpOrderItem, fee: str = "20.00"
) -> CreditMemoRequest:
    """A credit for customer 1000001 in EUR: two TG11 for 200.00 unless items are given."""
    return CreditMemoRequest(
        idempotency_key="rma-RMA-1:credit_memo",
        returns_order=returns_order,
        original_billing_document=invoice,
        customer_id="1000001",
        currency="EUR",
        items=list(items) or [returned()],
        fee=Decimal(fee),
    )


@pytest.fixture(params=["fake", "mock-sap"])
async def either_erp(request: pytest.FixtureRequest, mock_sap_url: str) -> AsyncIterator[ErpPort]:
    """A `FakeErp`, then the SAP adapter against the reset mock-sap (today `TODAY` in
    both): for tests that hold the two to one contract."""
    if request.param == "fake":
        yield FakeErp(today=lambda: TODAY)
        return
    client = httpx.AsyncClient(base_url=mock_sap_url, timeout=5)
    (await client.post("/_mock/reset")).raise_for_status()
    async with SapErpAdapter(
        client, SapSettings(base_url=mock_sap_url), today=lambda: TODAY
    ) as sap:
        yield sap


async def sold_and_billed(erp: ErpPort) -> tuple[str, BillingDocumentRef]:
    """A sales order of customer 1000001 for 9 TG11 at 100.00 (line 10), billed in full:
    what a return comes from. Its number, and the invoice."""
    order = await erp.create_sales_order(
        SalesOrderRequest(
            idempotency_key="order-ORD-9:create_sales_order",
            customer_id="1000001",
            customer_po="PO-9",
            currency="EUR",
            items=[returned(quantity=9, net="900.00")],
        )
    )
    invoice = await erp.create_billing_document(
        BillingRequest(
            idempotency_key="order-ORD-9-S1:bill",
            sales_order=order.sales_order,
            customer_id="1000001",
            currency="EUR",
            items=[returned(quantity=9, net="900.00")],
        )
    )
    return order.sales_order, invoice
