"""Introduce mock-edi and Ordermesh to each other, as two trading partners' EDI teams
would: mock-edi learns of a supplier ORDERMESH that receives at our AS2 endpoint, and
our registry learns of the buyer MOCKEDI (its interchange id, where we deliver, the
SAP customer it buys as, one buyer part number and one case size).

Run by `make run` after everything has started, and by the end-to-end tests. Both
sides answer a second introduction by keeping what they have, so a restart with the
data in `.data/` changes nothing.
"""

from dataclasses import dataclass

import httpx

# mock-edi's own identity (its `--as2-id` default) and ours as it addresses us.
BUYER_ID = "MOCKEDI"
SUPPLIER_ID = "ORDERMESH"
# What the demo buyer buys as in mock-sap, and the part number it orders TG12 by.
BUYER_CUSTOMER = "1000001"
BUYER_PART_FOR_TG12 = "MOCK-TG12-CASE"
CASE_OF_TG12 = 12


@dataclass(frozen=True)
class EdiPartnerUrls:
    """Where the two sides are.

    Attributes:
        mock_edi: mock-edi's base URL (its `/_mock` control plane and `/as2`).
        api: Our API's base URL (`/partners`, and `/edi/as2` where mock-edi delivers).
        ops_key: An ops API key, to register the partner.
    """

    mock_edi: str
    api: str
    ops_key: str


async def introduce(urls: EdiPartnerUrls) -> None:
    """Register each side with the other (idempotent)."""
    async with httpx.AsyncClient(timeout=30) as http:
        supplier = {
            "id": SUPPLIER_ID,
            "name": "Ordermesh Distribution",
            "qualifier": "ZZ",
            "dialect": "X12",
            "version": "004010",
            "role": "supplier",
            "as2_url": f"{urls.api}/edi/as2",
            "street": "Unter den Linden 1",
            "city": "Berlin",
            "postal": "10117",
            "country": "DE",
        }
        created = await http.post(f"{urls.mock_edi}/_mock/partners", json=supplier)
        if created.status_code == 409:  # known already: make sure it delivers to us
            patch = {"as2_url": supplier["as2_url"]}
            created = await http.patch(f"{urls.mock_edi}/_mock/partners/{SUPPLIER_ID}", json=patch)
        created.raise_for_status()
        registered = await http.post(
            f"{urls.api}/partners",
            headers={"Authorization": f"Bearer {urls.ops_key}"},
            json=buyer_partner(f"{urls.mock_edi}/as2"),
        )
        registered.raise_for_status()


def buyer_partner(endpoint_url: str) -> dict[str, object]:
    """mock-edi as our trading partner, as `POST /partners` takes it."""
    return {
        "partner_id": BUYER_ID,
        "name": "Mock EDI Supply Co",
        "kind": "edi",
        "interchange_qualifier": "ZZ",
        "interchange_id": BUYER_ID,
        "our_qualifier": "ZZ",
        "our_interchange_id": SUPPLIER_ID,
        "version": "004010",
        "usage_indicator": "T",
        "endpoint_url": endpoint_url,
        "customer_id": BUYER_CUSTOMER,
        "items": [
            {"partner_id": BUYER_ID, "qualifier": "VP", "value": BUYER_PART_FOR_TG12, "sku": "TG12"}
        ],
        "uoms": [
            {
                "partner_id": BUYER_ID,
                "sku": "TG12",
                "from_uom": "CA",
                "to_uom": "PC",
                "factor": str(CASE_OF_TG12),
            }
        ],
    }
