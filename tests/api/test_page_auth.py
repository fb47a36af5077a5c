"""A browser reaches the support page with HTTP Basic: the API key as the password.

Without a key the page answers `401` with a Basic challenge, so the browser prompts;
the JSON routes keep telling API clients to send a bearer token.
"""

import base64

from tests.api.support import AppFactory, new_key, order_body
from tests.api.test_access import API_KEYS, KEYS, PORTAL_OTHER, PORTAL_OWN, SUPPORT


def basic(password: str, user: str = "support") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_the_page_asks_a_browser_for_the_key_and_takes_it_as_basic(
    make_api: AppFactory,
) -> None:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        bearer = {"Authorization": f"Bearer {KEYS[PORTAL_OWN]}"}
        response = await api.http.post(
            "/orders", json=order_body(), headers={**bearer, "Idempotency-Key": new_key()}
        )
        assert response.status_code == 201, response.text
        page = f"/orders/{response.json()['order_id']}/timeline.html"

        asked = await api.http.get(page)
        assert asked.status_code == 401
        assert asked.headers["WWW-Authenticate"] == 'Basic realm="Ordermesh", charset="UTF-8"'
        wrong = await api.http.get(page, headers=basic("not-our-key"))
        assert wrong.status_code == 401
        assert wrong.headers["WWW-Authenticate"].startswith("Basic")
        for malformed in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()):
            refused = await api.http.get(page, headers={"Authorization": malformed})
            assert refused.status_code == 401, malformed

        shown = await api.http.get(page, headers=basic(KEYS[SUPPORT]))
        assert shown.status_code == 200, shown.text
        assert shown.headers["content-type"].startswith("text/html")
        assert response.json()["order_id"] in shown.text
        # Basic carries the same key, so the same rule: another customer's order is unknown.
        hidden = await api.http.get(page, headers=basic(KEYS[PORTAL_OTHER]))
        assert hidden.status_code == 404
        # The JSON routes take it too, but challenge API clients for a bearer token.
        listed = await api.http.get("/orders", headers=basic(KEYS[SUPPORT]))
        assert listed.status_code == 200
        assert (await api.http.get("/orders")).headers["WWW-Authenticate"] == "Bearer"
