"""Shipment ids. (Planning itself is tested in `test_planner.py`.)"""

from canonical.fulfillment import shipment_id


def test_shipment_ids_are_deterministic() -> None:
    assert shipment_id("ORD-1", 1) == "ORD-1-S1"
    assert shipment_id("ORD-1", 12) == "ORD-1-S12"
