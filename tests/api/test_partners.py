"""`/partners`: create, replace and read trading partners with their cross-references,
every bad body a 422 that says what is wrong, secrets never shown, and the document
archive newest first."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from canonical.partners import Direction, DocumentStatus
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from tests.api.support import ApiHarness

SECRET_REF = "shop-secret-0f9a1c"


def new_partner_id() -> str:
    return f"P{uuid.uuid4().hex[:10].upper()}"


def edi_body(partner_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partner_id": partner_id,
        "name": "Buy Co",
        "kind": "edi",
        "interchange_qualifier": "ZZ",
        "interchange_id": partner_id,
        "our_qualifier": "ZZ",
        "our_interchange_id": "ACME",
        "version": "004010",
        "usage_indicator": "T",
        "endpoint_url": "http://127.0.0.1:8080/x12/inbound",
        "customer_id": "1000001",
        "items": [
            {"qualifier": "BP", "value": "B-778", "sku": "TG11"},
            {"qualifier": "UP", "value": "012345678905", "sku": "TG12"},
        ],
        "uoms": [{"from_uom": "CA", "to_uom": "PC", "factor": "12"}],
    }
    body.update(changes)
    return body


def store_body(partner_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partner_id": partner_id,
        "name": "Acme shop",
        "kind": "store",
        "shop_domain": f"{partner_id.lower()}.myshopify.com",
        "webhook_secret_ref": SECRET_REF,
        "customer_id": "1000003",
        "store_customers": [
            {"store_customer_id": "207119551", "customer_id": "1000001"},
            {"email": "buyer@becker.example", "customer_id": "1000002"},
        ],
    }
    body.update(changes)
    return body


def registry(api: ApiHarness) -> PartnerRegistry:
    partners: PartnerRegistry = api.app.state.partners
    return partners


def partner_documents(api: ApiHarness) -> PartnerDocuments:
    documents: PartnerDocuments = api.app.state.partner_documents
    return documents


async def test_an_edi_partner_is_created_and_read_back(api: ApiHarness) -> None:
    pid = new_partner_id()

    created = await api.http.post("/partners", json=edi_body(pid))

    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/partners/{pid}"
    body = created.json()
    assert body["partner_id"] == pid and body["kind"] == "edi"
    assert body["application_sender_id"] == pid  # GS02 defaults to ISA06
    assert (body["element_separator"], body["component_separator"]) == ("*", ">")
    assert body["segment_terminator"] == "~"
    assert [(i["qualifier"], i["value"], i["sku"]) for i in body["items"]] == [
        ("BP", "B-778", "TG11"),
        ("UP", "012345678905", "TG12"),
    ]
    assert body["uoms"] == [
        {"partner_id": pid, "sku": "", "from_uom": "CA", "to_uom": "PC", "factor": "12"}
    ]

    read = await api.http.get(f"/partners/{pid}")
    assert read.status_code == 200, read.text
    assert read.json() == body
    listed = await api.http.get("/partners")
    assert listed.status_code == 200
    mine = [p for p in listed.json() if p["partner_id"] == pid]
    assert len(mine) == 1 and "items" not in mine[0]

    # What the routes wrote is what the rest of Ordermesh looks up.
    found = registry(api).partner_by_interchange("ZZ", f"{pid:<15}")
    assert found is not None and found.partner_id == pid
    assert registry(api).sku_for(pid, [("BP", "B-778")]) == "TG11"
    assert registry(api).to_base_unit(pid, "TG11", "CA", Decimal(2)) == (Decimal(24), "PC")


async def test_posting_again_replaces_the_partner(api: ApiHarness) -> None:
    pid = new_partner_id()
    assert (await api.http.post("/partners", json=edi_body(pid))).status_code == 201

    updated = await api.http.post(
        "/partners",
        json=edi_body(
            pid,
            name="Buy Co GmbH",
            usage_indicator="P",
            items=[{"qualifier": "bp", "value": "B-900", "sku": "TG12"}],
            uoms=[],
        ),
    )

    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["name"], body["usage_indicator"]) == ("Buy Co GmbH", "P")
    assert [(i["qualifier"], i["value"]) for i in body["items"]] == [("BP", "B-900")]
    assert body["uoms"] == []
    assert (await api.http.get(f"/partners/{pid}")).json() == body
    assert registry(api).sku_for(pid, [("BP", "B-778")]) is None


async def test_a_store_partner_never_shows_its_secret(api: ApiHarness) -> None:
    pid = new_partner_id()

    created = await api.http.post("/partners", json=store_body(pid))

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["webhook_secret_configured"] is True
    assert "webhook_secret_ref" not in body
    assert [(m["store_customer_id"], m["email"]) for m in body["store_customers"]] == [
        ("207119551", ""),
        ("", "buyer@becker.example"),
    ]
    responses = [
        created,
        await api.http.get(f"/partners/{pid}"),
        await api.http.get("/partners"),
        await api.http.post("/partners", json=store_body(pid, name="renamed")),
    ]
    for response in responses:
        assert response.status_code in (200, 201), response.text
        assert SECRET_REF not in response.text
    # It was kept, for whoever checks the store's webhooks.
    kept = registry(api).store_by_domain(f"{pid.lower()}.myshopify.com")
    assert kept is not None and kept.webhook_secret_ref == SECRET_REF
    assert registry(api).customer_for_store(pid, None, "BUYER@becker.example") == "1000002"
    # Nor does the schema offer it back.
    schema = (await api.http.get("/openapi.json")).json()["components"]["schemas"]
    assert "webhook_secret_ref" not in schema["PartnerPublic"]["properties"]
    assert "webhook_secret_ref" in schema["PartnerCreate"]["properties"]


async def test_a_store_without_a_secret_says_so(api: ApiHarness) -> None:
    pid = new_partner_id()

    created = await api.http.post("/partners", json=store_body(pid, webhook_secret_ref=""))

    assert created.status_code == 201, created.text
    assert created.json()["webhook_secret_configured"] is False


async def test_an_unknown_partner_is_404(api: ApiHarness) -> None:
    for path in ("/partners/NOPE-1", "/partners/NOPE-1/documents"):
        response = await api.http.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "no trading partner NOPE-1"}


def messages(response: Any) -> str:
    """The 422's reasons, as one text: `loc: msg` each."""
    return " | ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in response.json()["detail"]
    )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"kind": "as2"}, "body.kind: Input should be 'edi' or 'store'"),
        ({"interchange_id": ""}, "an edi partner needs interchange_id (ISA06)"),
        ({"interchange_id": "   "}, "an edi partner needs interchange_id (ISA06)"),
        ({"our_interchange_id": ""}, "our_interchange_id (ISA08)"),
        ({"customer_id": ""}, "customer_id (the SAP customer it buys as)"),
        ({"interchange_id": "A" * 16}, "body.interchange_id: String should have at most 15"),
        ({"interchange_qualifier": "ZZZ"}, "body.interchange_qualifier"),
        ({"version": "4010"}, "body.version: String should match pattern"),
        ({"usage_indicator": "X"}, "body.usage_indicator: Input should be 'T' or 'P'"),
        ({"element_separator": "~"}, "must differ"),
        ({"element_separator": "**"}, "body.element_separator"),
        ({"endpoint_url": "ftp://example.com"}, "an http:// or https:// URL"),
        ({"endpoint_url": "https://u:p@example.com/"}, "no credentials in the URL"),
        ({"partner_id": "bad id!"}, "body.partner_id: String should match pattern"),
        (
            {"uoms": [{"from_uom": "CA", "factor": "0"}]},
            "body.uoms.0.factor: Input should be greater than 0",
        ),
        (
            {"uoms": [{"from_uom": "CA", "factor": "-12"}]},
            "body.uoms.0.factor: Input should be greater than 0",
        ),
        ({"uoms": [{"from_uom": "PC", "factor": "1"}]}, "a conversion from PC to itself"),
        ({"uoms": [{"from_uom": "CA", "to_uom": "XX", "factor": "1"}]}, "body.uoms.0.to_uom"),
        (
            {
                "items": [
                    {"qualifier": "BP", "value": "B-1", "sku": "TG11"},
                    {"qualifier": "UP", "value": "B-1", "sku": "TG11"},
                    {"qualifier": "bp", "value": "b-1", "sku": "TG12"},
                ]
            },
            "items[2]: BP b-1 is cross-referenced twice",
        ),
        (
            {
                "uoms": [
                    {"from_uom": "CA", "factor": "12", "sku": "TG11"},
                    {"from_uom": "CA", "factor": "6", "sku": "TG11"},
                ]
            },
            "uoms[1]: CA to PC for TG11 is given twice",
        ),
        (
            {"items": [{"qualifier": "BP", "value": "B-1", "sku": "TG11", "partner_id": "X"}]},
            "items[0] name another partner than",
        ),
        ({"items": [{"qualifier": "BP", "value": "", "sku": "TG11"}]}, "body.items.0.value"),
    ],
)
async def test_a_bad_edi_partner_is_422_with_the_reason(
    api: ApiHarness, changes: dict[str, Any], says: str
) -> None:
    pid = new_partner_id()
    body = {"partner_id": pid, **edi_body(pid), **changes}

    response = await api.http.post("/partners", json=body)

    assert response.status_code == 422, response.text
    assert says in messages(response), messages(response)
    assert registry(api).partner(body["partner_id"]) is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"shop_domain": ""}, "a store partner needs shop_domain"),
        ({"shop_domain": "not a domain"}, "a domain name such as"),
        (
            {"store_customers": [{"customer_id": "1000001"}]},
            "a store customer mapping needs store_customer_id or email",
        ),
        (
            {
                "store_customers": [
                    {"email": "a@b.example", "customer_id": "1000001"},
                    {"email": "A@B.example", "customer_id": "1000002"},
                ]
            },
            "store_customers[1]: email a@b.example is mapped twice",
        ),
    ],
)
async def test_a_bad_store_partner_is_422_with_the_reason(
    api: ApiHarness, changes: dict[str, Any], says: str
) -> None:
    pid = new_partner_id()

    response = await api.http.post("/partners", json=store_body(pid, **changes))

    assert response.status_code == 422, response.text
    assert says in messages(response), messages(response)
    assert SECRET_REF not in response.text
    assert registry(api).partner(pid) is None


async def test_a_refused_update_changes_nothing(api: ApiHarness) -> None:
    pid = new_partner_id()
    first = await api.http.post("/partners", json=edi_body(pid))
    assert first.status_code == 201

    refused = await api.http.post(
        "/partners", json=edi_body(pid, name="changed", uoms=[{"from_uom": "CA", "factor": 0}])
    )

    assert refused.status_code == 422
    assert (await api.http.get(f"/partners/{pid}")).json() == first.json()


async def test_another_partners_isa_sender_is_409(api: ApiHarness) -> None:
    pid, copycat = new_partner_id(), new_partner_id()
    assert (await api.http.post("/partners", json=edi_body(pid))).status_code == 201

    response = await api.http.post("/partners", json=edi_body(copycat, interchange_id=pid.lower()))

    assert response.status_code == 409, response.text
    assert response.json() == {"detail": f"ISA sender ZZ:{pid} is partner {pid}'s"}
    assert (await api.http.get(f"/partners/{copycat}")).status_code == 404


async def test_malformed_json_is_400(api: ApiHarness) -> None:
    response = await api.http.post(
        "/partners", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "the body is not valid JSON"}


async def test_the_archive_is_listed_newest_first(api: ApiHarness) -> None:
    pid = new_partner_id()
    assert (await api.http.post("/partners", json=edi_body(pid))).status_code == 201
    archive = partner_documents(api)
    po = archive.archive(
        Direction.INBOUND,
        pid,
        "850",
        isa13="000000042",
        gs06="42",
        st02="0001",
        reference="PO-1",
        body="ISA*00*~",
        status=DocumentStatus.RECEIVED,
    )
    ack = archive.archive(
        Direction.OUTBOUND,
        pid,
        "997",
        isa13="000000001",
        reference="PO-1",
        status=DocumentStatus.SENT,
    )
    asn = archive.archive(
        Direction.OUTBOUND,
        pid,
        "856",
        isa13="000000002",
        reference="SHIP-1",
        status=DocumentStatus.SENT,
    )
    archive.set_status(asn, DocumentStatus.ACKNOWLEDGED)
    archive.archive(Direction.OUTBOUND, "SOMEONE-ELSE", "856", status=DocumentStatus.SENT)

    everything = await api.http.get(f"/partners/{pid}/documents")
    for_po = await api.http.get(f"/partners/{pid}/documents", params={"reference": "PO-1"})
    acks = await api.http.get(f"/partners/{pid}/documents", params={"document_type": "997"})
    newest = await api.http.get(f"/partners/{pid}/documents", params={"limit": 1})

    assert everything.status_code == 200, everything.text
    assert [d["id"] for d in everything.json()] == [asn, ack, po]
    assert [d["id"] for d in for_po.json()] == [ack, po]
    assert [d["id"] for d in acks.json()] == [ack]
    assert [d["id"] for d in newest.json()] == [asn]
    first = everything.json()[-1]
    assert {k: first[k] for k in ("direction", "document_type", "isa13", "reference")} == {
        "direction": "in",
        "document_type": "850",
        "isa13": "000000042",
        "reference": "PO-1",
    }
    assert (first["status"], first["body"]) == ("received", "ISA*00*~")
    assert everything.json()[0]["status"] == "acknowledged"
    bad_limit = await api.http.get(f"/partners/{pid}/documents", params={"limit": 0})
    assert bad_limit.status_code == 422
