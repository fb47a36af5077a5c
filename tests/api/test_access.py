"""Access control at the front door: API keys with roles, checked by the real resolver.

The matrix covers every route of the app: each (method, path) must have a row, so a
route added without deciding who may call it fails here. Each row says, for a caller
with no key, an unknown key, a portal key of the order's customer, a portal key of
other customers, a support key and an ops key, what the answer is: `401`, `403`,
`404` (another customer's order or return looks unknown), an exact status, or
ALLOWED (anything but `401`/`403`).
"""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import ValidationError

from api.auth import (
    DEV_API_KEYS,
    DEV_OPS_KEY,
    DEV_PORTAL_CUSTOMERS,
    DEV_PORTAL_KEY,
    DEV_SUPPORT_KEY,
    ApiKeyError,
    Permission,
    Role,
    parse_api_keys,
)
from api.order_list import visibility_query
from api.settings import ApiSettings
from canonical.signing import SIGNATURE_HEADER, sign
from canonical.statuses import OrderStatus
from tests.api.support import WMS_SECRET, ApiHarness, AppFactory, new_key, order_body
from tests.api.test_shopify_webhook import headers_for, store_order

OWN_CUSTOMER = "1000001"  # the order's customer (the one the fake ERP knows)

NO_KEY, BAD_KEY, PORTAL_OWN, PORTAL_OTHER, SUPPORT, OPS = (
    "no key",
    "bad key",
    "portal (own customer)",
    "portal (other customers)",
    "support",
    "ops",
)
CALLERS = (NO_KEY, BAD_KEY, PORTAL_OWN, PORTAL_OTHER, SUPPORT, OPS)
KEYS = {
    BAD_KEY: "not-a-key-of-ours",
    PORTAL_OWN: "t-portal-own",
    PORTAL_OTHER: "t-portal-other",
    SUPPORT: "t-support",
    OPS: "t-ops",
}
API_KEYS = (
    f"ops:{KEYS[OPS]},support:{KEYS[SUPPORT]},"
    f"portal:{OWN_CUSTOMER}:{KEYS[PORTAL_OWN]},portal:1000002+1000003:{KEYS[PORTAL_OTHER]}"
)
ALLOWED = "allowed"  # neither 401 nor 403
Expected = int | str


def row(
    portal_own: Expected, portal_other: Expected, support: Expected, ops: Expected
) -> dict[str, Expected]:
    """A route behind a key: no key or an unknown one is 401."""
    return {
        NO_KEY: 401,
        BAD_KEY: 401,
        PORTAL_OWN: portal_own,
        PORTAL_OTHER: portal_other,
        SUPPORT: support,
        OPS: ops,
    }


OPEN: dict[str, Expected] = dict.fromkeys(CALLERS, ALLOWED)
OPS_ONLY = row(403, 403, 403, ALLOWED)

# (method, path) -> caller -> expected. The GETs run first; the cancellation last.
MATRIX: dict[tuple[str, str], dict[str, Expected]] = {
    ("GET", "/health"): OPEN,
    ("GET", "/metrics"): OPEN,  # counts only, for a scraper
    ("GET", "/orders"): row(200, 403, 200, 200),  # ?customer_id= the own customer
    ("GET", "/orders/{order_id}"): row(200, 404, 200, 200),
    ("GET", "/orders/{order_id}/timeline.html"): row(200, 404, 200, 200),
    ("GET", "/returns/{rma_id}"): row(200, 404, 200, 200),
    ("GET", "/cash/unapplied"): row(403, 403, 200, 200),
    ("GET", "/partners"): OPS_ONLY,
    ("GET", "/partners/{partner_id}"): OPS_ONLY,
    ("GET", "/partners/{partner_id}/documents"): OPS_ONLY,
    ("POST", "/orders"): row(201, 403, 403, 403),  # the same submission again
    ("POST", "/orders/{order_id}/returns"): row(ALLOWED, 404, 403, ALLOWED),
    ("POST", "/returns/{rma_id}/{decision}"): OPS_ONLY,
    ("POST", "/returns/{rma_id}/cancel"): OPS_ONLY,
    ("POST", "/orders/{order_id}/actions/{action}"): OPS_ONLY,
    ("POST", "/cash/run"): OPS_ONLY,
    ("POST", "/cash/unapplied/{unapplied_id}/apply"): OPS_ONLY,
    ("POST", "/partners"): OPS_ONLY,
    ("POST", "/webhooks/{source}"): OPEN,  # signed, no key
    ("POST", "/channels/shopify/orders"): OPEN,  # signed by the shop, no key
    ("POST", "/edi/inbound"): OPEN,  # a registered partner's interchange, no key
    ("POST", "/edi/as2"): OPEN,
    ("POST", "/orders/{order_id}/cancel"): OPS_ONLY,
}


@dataclass
class World:
    """An app checking keys, with one accepted order of OWN_CUSTOMER and a return of
    it (denied: nothing has shipped, which is all the matrix needs)."""

    api: ApiHarness
    order_id: str
    order_key: str
    rma_id: str


def auth(caller: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[caller]}"} if caller in KEYS else {}


RETURN_BODY = {"reason": "damaged", "lines": [{"line_no": 10, "quantity": 1}]}
# A store partner ops may create (then replace) in `POST /partners`.
ACCESS_PARTNER = {
    "partner_id": "ACCESS-SHOP",
    "kind": "store",
    "shop_domain": "access-shop.myshopify.com",
    "customer_id": OWN_CUSTOMER,
}


@pytest.fixture
async def world(make_api: AppFactory) -> AsyncIterator[World]:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        key = new_key()
        submitted = await api.http.post(
            "/orders", json=order_body(), headers={"Idempotency-Key": key, **auth(PORTAL_OWN)}
        )
        assert submitted.status_code == 201, submitted.text
        order_id = submitted.json()["order_id"]
        asked = await api.http.post(
            f"/orders/{order_id}/returns", json=RETURN_BODY, headers=auth(OPS)
        )
        assert asked.status_code in (201, 202, 422), asked.text
        yield World(api, order_id, key, asked.json()["rma_id"])


def stock_event() -> bytes:
    """A signed-able receipt of a SKU nobody waits for: wakes no order."""
    return json.dumps(
        {
            "event_id": f"access-{uuid.uuid4().hex}",
            "kind": "stock_received",
            "warehouse": "W1",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lines": [{"sku": f"ACCESS{uuid.uuid4().hex[:8]}", "quantity": 1}],
        }
    ).encode()


async def call(world: World, method: str, path: str, caller: str) -> httpx.Response:
    """One request of the route as `caller` sends it, with a body it would send."""
    url = path.format(
        order_id=world.order_id,
        rma_id=world.rma_id,
        action="retry",
        decision="approve",
        unapplied_id=1,
        source="wms",
        partner_id=ACCESS_PARTNER["partner_id"],
    )
    headers = auth(caller)
    http = world.api.http
    if method == "GET":
        params = {"customer_id": OWN_CUSTOMER} if path == "/orders" else None
        return await http.get(url, params=params, headers=headers)
    body: Any = None
    if path == "/orders":
        body = order_body()
        headers["Idempotency-Key"] = world.order_key
    elif path.endswith("/returns"):
        body = RETURN_BODY
    elif path.endswith("/{decision}"):
        body = {"by": "access test"}
    elif path.endswith("/apply"):
        body = {"invoices": ["90000001"]}
    elif path == "/partners":
        body = ACCESS_PARTNER
    elif path.startswith("/channels/shopify"):
        content = json.dumps(store_order()).encode()
        return await http.post(url, content=content, headers=headers | headers_for(content))
    elif path.startswith("/webhooks"):
        content = stock_event()
        headers |= {"Content-Type": "application/json", SIGNATURE_HEADER: sign(WMS_SECRET, content)}
        return await http.post(url, content=content, headers=headers)
    return await http.post(url, json=body, headers=headers)


# The docs FastAPI serves itself, open to all.
DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def app_routes(world: World) -> set[tuple[str, str]]:
    """Every (method, path) the app serves through its routers. FastAPI keeps an
    included router as one entry of `app.routes`; `iter_route_contexts` opens them."""
    found = set()
    for context in iter_route_contexts(world.api.app.routes):
        if isinstance(context.original_route, APIRoute):
            found |= {(method, str(context.path)) for method in context.methods or ()}
        else:
            assert context.path in DOCS, f"a route outside the matrix: {context.path}"
    return found


async def test_every_route_answers_each_caller_as_the_matrix_says(world: World) -> None:
    assert app_routes(world) == set(MATRIX), (
        "every route needs a row in MATRIX (who may call it), and every row a route:"
        f" missing {app_routes(world) - set(MATRIX)}, stale {set(MATRIX) - app_routes(world)}"
    )
    wrong = []
    for (method, path), expected in MATRIX.items():
        for caller in CALLERS:
            response = await call(world, method, path, caller)
            want = expected[caller]
            got = response.status_code
            if (want == ALLOWED and got in (401, 403)) or (want != ALLOWED and got != want):
                wrong.append(f"{method} {path} as {caller}: {got} (want {want}) {response.text}")
            scheme = "Basic" if path.endswith(".html") else "Bearer"  # pages ask browsers
            if got == 401 and not response.headers.get("WWW-Authenticate", "").startswith(scheme):
                wrong.append(f"{method} {path} as {caller}: 401 without WWW-Authenticate {scheme}")
    assert not wrong, "\n".join(wrong)


async def test_another_customers_order_and_return_look_unknown(world: World) -> None:
    http = world.api.http
    mine = await http.get(f"/orders/{world.order_id}", headers=auth(PORTAL_OWN))
    assert mine.status_code == 200 and mine.json()["customer_id"] == OWN_CUSTOMER
    unknown_order, unknown_rma = f"API-{uuid.uuid4().hex[:12]}", f"RMA-{uuid.uuid4().hex[:12]}"
    pairs = [
        ("GET", f"/orders/{world.order_id}", f"/orders/{unknown_order}", None),
        ("POST", f"/orders/{world.order_id}/returns", f"/orders/{unknown_order}/returns", 1),
        ("GET", f"/returns/{world.rma_id}", f"/returns/{unknown_rma}", None),
    ]
    for method, theirs, unknown, with_body in pairs:
        body = RETURN_BODY if with_body else None
        hidden = await http.request(method, theirs, json=body, headers=auth(PORTAL_OTHER))
        absent = await http.request(method, unknown, json=body, headers=auth(PORTAL_OTHER))
        assert hidden.status_code == absent.status_code == 404, (hidden.text, absent.text)
        as_if_unknown = hidden.text.replace(world.order_id, unknown_order).replace(
            world.rma_id, unknown_rma
        )
        assert as_if_unknown == absent.text
        assert OWN_CUSTOMER not in hidden.text


async def test_ids_of_another_customers_order_or_return_show_nothing(world: World) -> None:
    """Ids are the caller's to choose: naming another customer's order id in a
    submission, or another order's RMA number in a return, joins nothing of theirs."""
    http = world.api.http
    theirs = await http.post(
        "/orders",
        json=order_body(customer_id="1000002", order_id=world.order_id),
        headers=auth(PORTAL_OTHER),
    )
    assert theirs.status_code == 409, theirs.text
    assert "submitted before" in theirs.json()["detail"]
    assert OWN_CUSTOMER not in theirs.text

    # An order of the other portal's own (the fake ERP knows only 1000001: REJECTED).
    own = await http.post(
        "/orders",
        json=order_body(customer_id="1000002"),
        headers={"Idempotency-Key": new_key(), **auth(PORTAL_OTHER)},
    )
    assert own.status_code == 422, own.text
    reused = await http.post(
        f"/orders/{own.json()['order_id']}/returns",
        json={**RETURN_BODY, "rma_id": world.rma_id},
        headers=auth(PORTAL_OTHER),
    )
    assert reused.status_code == 409, reused.text
    assert "for another order" in reused.json()["detail"]
    assert world.order_id not in reused.text and OWN_CUSTOMER not in reused.text


async def test_a_portal_lists_only_its_customers_orders(world: World) -> None:
    http = world.api.http
    seen: list[str] = []
    for _ in range(150):  # visibility lags a little behind the order
        response = await http.get("/orders", headers=auth(PORTAL_OWN))
        assert response.status_code == 200, response.text
        seen = [row["order_id"] for row in response.json()]
        if world.order_id in seen:
            break
        await asyncio.sleep(0.1)
    assert world.order_id in seen
    assert {row["customer_id"] for row in response.json()} == {OWN_CUSTOMER}

    staff = await http.get("/orders", params={"limit": 1000}, headers=auth(SUPPORT))
    assert world.order_id in [row["order_id"] for row in staff.json()]
    others = await http.get("/orders", params={"limit": 1000}, headers=auth(PORTAL_OTHER))
    assert others.status_code == 200, others.text
    assert {row["customer_id"] for row in others.json()} <= {"1000002", "1000003"}
    assert world.order_id not in [row["order_id"] for row in others.json()]
    theirs = await http.get(
        "/orders", params={"customer_id": "1000003"}, headers=auth(PORTAL_OTHER)
    )
    assert theirs.status_code == 200, theirs.text
    refused = await http.get(
        "/orders", params={"customer_id": OWN_CUSTOMER}, headers=auth(PORTAL_OTHER)
    )
    assert refused.status_code == 403, refused.text


async def test_a_portal_submits_for_its_own_customers_only(make_api: AppFactory) -> None:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        response = await api.http.post(
            "/orders",
            json=order_body(customer_id="1000003"),
            headers={"Idempotency-Key": new_key(), **auth(PORTAL_OWN)},
        )
        assert response.status_code == 403, response.text
        assert "1000003" in response.json()["detail"]
        # Nothing was started for it.
        started = [w async for w in api.stack.client.list_workflows("CustomerId = '1000003'")]
        assert started == []


async def test_401_and_403_say_what_is_wrong_and_docs_stay_open(make_api: AppFactory) -> None:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        missing = await api.http.get("/orders")
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        assert "Authorization: Bearer" in missing.json()["detail"]
        basic = await api.http.get("/orders", headers={"Authorization": "Basic dDp0"})
        assert basic.status_code == 401
        unknown = await api.http.get("/orders", headers={"Authorization": "Bearer nope"})
        assert unknown.status_code == 401
        assert unknown.headers["WWW-Authenticate"].startswith("Bearer")
        forbidden = await api.http.post("/cash/run", headers=auth(SUPPORT))
        assert forbidden.status_code == 403
        assert forbidden.json()["detail"] == f"this API key (support) may not {Permission.OPERATE}"
        for path in ("/docs", "/openapi.json"):
            assert (await api.http.get(path)).status_code == 200, path
        schemes = (await api.http.get("/openapi.json")).json()["components"]["securitySchemes"]
        assert schemes["ApiKey"] == {
            "type": "http",
            "scheme": "bearer",
            "description": schemes["ApiKey"]["description"],
        }


# -- the key table, without a server ---------------------------------------------------


def test_keys_are_parsed_into_principals() -> None:
    keys = parse_api_keys(" ops:k1 , support:k2,portal:1000001+1000002:k3, portal:1000009:k4,")

    assert len(keys) == 4
    ops, support, portal, other = (keys.principal_for(k) for k in ("k1", "k2", "k3", "k4"))
    assert ops is not None and ops.roles == {Role.OPS} and ops.customers is None
    assert ops.may(Permission.OPERATE) and not ops.may(Permission.SUBMIT_ORDERS)
    assert support is not None and support.roles == {Role.SUPPORT}
    assert support.may(Permission.READ_ALL) and not support.may(Permission.OPERATE)
    assert portal is not None and portal.customers == frozenset({"1000001", "1000002"})
    assert portal.sees("1000002") and not portal.sees("1000009")
    assert not portal.may(Permission.READ_ALL)
    assert (
        other is not None and other.name == "portal#4" and other.customers == frozenset({"1000009"})
    )
    assert keys.principal_for("k5") is None
    assert keys.principal_for("") is None
    assert keys.principal_for("K1") is None


def test_keys_are_held_as_digests_and_never_shown() -> None:
    secret = "s3cr3t-value-42"
    settings = ApiSettings(api_keys=f"ops:{secret},portal:1000001:{secret}x")

    assert secret not in repr(settings) and secret not in str(settings)
    assert secret not in repr(settings.api_keys)
    assert repr(settings.api_keys) == "ApiKeys([ops#1, portal#2])"
    assert secret not in repr(settings.api_keys.principals)
    assert secret.encode() not in repr(settings.api_keys._entries).encode()


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ("secretkey1", "entry 1 is not role:key"),
        ("ops:k1,secretkey1:ops", "entry 2: the role must be one of portal, support, ops"),
        ("opz:secretkey1", "entry 1: the role must be one of"),
        ("ops:", "entry 1 (ops): the key is empty"),
        ("ops:k1,support:secret key1", "entry 2 (support): a key is made of"),
        ("ops:1000001:secretkey1", "entry 1 (ops): only portal keys name customers"),
        ("portal:secretkey1", "entry 1 (portal): a portal key names its customers"),
        ("portal::secretkey1", "entry 1 (portal): customers are ids"),
        ("portal:1000001+:secretkey1", "entry 1 (portal): customers are ids"),
        ("portal:1000001'OR'1:secretkey1", "entry 1 (portal): customers are ids"),
        ("ops:secretkey1,support:secretkey1", "entry 2 (support#2) has the same key as entry 1"),
    ],
)
def test_a_malformed_entry_is_refused_without_showing_its_key(entries: str, says: str) -> None:
    with pytest.raises(ApiKeyError) as refused:
        parse_api_keys(entries)

    assert says in str(refused.value)
    assert "ORDERMESH_API_KEYS" in str(refused.value)
    assert "secret" not in str(refused.value)


def test_the_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_API_KEYS", "ops:e1,portal:1000004:e2")

    keys = ApiSettings().api_keys

    assert [p.name for p in keys.principals] == ["ops#1", "portal#2"]
    portal = keys.principal_for("e2")
    assert portal is not None and portal.customers == frozenset({"1000004"})


def test_a_malformed_environment_stops_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_API_KEYS", "ops:secretkey1,suport:secretkey2")

    with pytest.raises(ValidationError) as refused:
        ApiSettings()

    assert "ORDERMESH_API_KEYS entry 2" in str(refused.value)
    assert "secretkey" not in str(refused.value)


def test_a_malformed_entry_stops_the_api_at_start() -> None:
    env = {**os.environ, "ORDERMESH_API_KEYS": "ops:secretkey1,portal:secretkey2"}
    started = subprocess.run(
        [sys.executable, "-m", "api"], env=env, capture_output=True, text=True, timeout=60
    )

    assert started.returncode != 0
    assert "not starting" in started.stderr
    assert "ORDERMESH_API_KEYS entry 2 (portal): a portal key names its customers" in (
        started.stderr
    )
    assert "secretkey" not in started.stderr + started.stdout


def test_the_development_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERMESH_API_KEYS", raising=False)
    keys = ApiSettings().api_keys

    assert repr(keys) == "ApiKeys([ops#1, support#2, portal#3])"
    ops, support, portal = (
        keys.principal_for(key) for key in (DEV_OPS_KEY, DEV_SUPPORT_KEY, DEV_PORTAL_KEY)
    )
    assert ops is not None and ops.roles == {Role.OPS}
    assert support is not None and support.roles == {Role.SUPPORT}
    assert portal is not None and portal.roles == {Role.PORTAL}
    # mock-sap's first demo customers, 1000001 (Becker Berlin) among them.
    assert portal.customers == frozenset(DEV_PORTAL_CUSTOMERS) and "1000001" in portal.customers
    assert len(parse_api_keys(DEV_API_KEYS)) == 3


def test_a_portals_list_query_names_its_customers_only() -> None:
    query = visibility_query(OrderStatus.RELEASED, None, None, within={"1000002", "1000001"})

    assert query == (
        "WorkflowType = 'OrderToCash' AND OrderStatus = 'RELEASED'"
        " AND CustomerId IN ('1000001', '1000002')"
    )
    with pytest.raises(ValueError, match="not a customer id"):
        visibility_query(None, None, None, within={"1' OR '1'='1"})
    with pytest.raises(ValueError, match="not a customer id"):
        visibility_query(None, "1' OR '1'='1", None)
    with pytest.raises(ValueError, match="no customers"):
        visibility_query(None, None, None, within=set())
