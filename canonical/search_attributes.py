"""The Temporal search attributes orders carry, by name and type.

Registered on the dev server by `make run`, in docker-compose, and in tests; set by
the order workflow as it goes, so ops can filter orders in the Temporal UI
(`OrderStatus = "BACKORDERED"`) and the API can find orders waiting for a SKU.
"""

SEARCH_ATTRIBUTES: dict[str, str] = {
    "OrderStatus": "Keyword",
    "CustomerId": "Keyword",
    "Channel": "Keyword",
    "ErpOrderId": "Keyword",
    "NeedsAttentionReason": "Keyword",
    "Warehouse": "KeywordList",
    "BackorderedSkus": "KeywordList",
}
