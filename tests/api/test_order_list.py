"""`GET /orders`: orders by status, customer and channel from Temporal's visibility,
the same filter ops use in the Temporal UI; bad filters are a 422."""

import asyncio
from typing import Any

from tests.api.support import ApiHarness, accepted, order_body, released, submit


async def listed(api: ApiHarness, seconds: float = 15, **params: str) -> list[dict[str, Any]]:
    """The listing once it shows what `params` select (visibility lags a little)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        response = await api.http.get("/orders", params=params)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        if rows or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.1)


async def test_orders_are_listed_by_status_and_customer(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    rejected = await submit(api.http, order_body(customer_id="9999999"))
    assert rejected.status_code == 422
    rejected_id = rejected.json()["order_id"]

    found = await listed(api, status="REJECTED", customer_id="9999999")
    assert rejected_id in [row["order_id"] for row in found]
    assert order_id not in [row["order_id"] for row in found]

    for _ in range(100):
        rows = await listed(api, status="RELEASED", customer_id="1000001", channel="portal")
        mine = [row for row in rows if row["order_id"] == order_id]
        if mine:
            break
        await asyncio.sleep(0.1)
    assert mine, "the released order never appeared in the listing"
    assert mine[0]["customer_id"] == "1000001" and mine[0]["erp_order_id"]
    assert mine[0]["status"] == "RELEASED"


async def test_bad_filters_are_422(api: ApiHarness) -> None:
    for params in (
        {"status": "LOST"},
        {"customer_id": "1' OR '1'='1"},
        {"channel": "fax"},
        {"limit": "0"},
    ):
        response = await api.http.get("/orders", params=params)
        assert response.status_code == 422, (params, response.text)
