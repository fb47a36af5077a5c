"""The registry's table of systems covers exactly the activities workers register."""

from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity

from activities.carrier import CarrierActivities
from activities.cash import CashActivities
from activities.edi import PartnerDocumentActivities
from activities.erp import ErpActivities
from activities.returns import ReturnActivities
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from workers.registry import (
    ACTIVITY_SYSTEMS,
    erp_lookup_activities,
    erp_queue_activities,
    order_queue_activities,
)

T = TypeVar("T")

KNOWN_SYSTEMS = {"erp", "wms", "carrier", "tms", "bank", "edi", "ordermesh"}


def _unbuilt(cls: type[T]) -> T:
    # The registry only names bound methods; nothing here is called, so no adapters.
    return cls.__new__(cls)


def _name(fn: Callable[..., Any]) -> str:
    # The SDK keeps an activity's definition (and its registered name) on the function.
    name = activity._Definition.must_from_callable(fn).name
    assert name is not None  # only dynamic activities have none
    return name


def registered_activity_names() -> list[str]:
    """What `workers.main` registers across its workers."""
    erp, cash, returns = (
        _unbuilt(ErpActivities),
        _unbuilt(CashActivities),
        _unbuilt(ReturnActivities),
    )
    activities = [
        *order_queue_activities(
            _unbuilt(WarehouseActivities),
            _unbuilt(CarrierActivities),
            _unbuilt(TransportActivities),
            cash,
            returns,
        ),
        _unbuilt(PartnerDocumentActivities).send_partner_document,
        *erp_queue_activities(erp, cash, returns),
        *erp_lookup_activities(erp),
    ]
    return [_name(fn) for fn in activities]


def test_every_registered_activity_has_a_system_and_no_other_is_listed() -> None:
    names = registered_activity_names()
    assert len(names) == len(set(names))
    assert set(ACTIVITY_SYSTEMS) == set(names)
    assert set(ACTIVITY_SYSTEMS.values()) <= KNOWN_SYSTEMS


def test_systems_follow_the_adapter_each_activity_calls() -> None:
    # Spot checks where the class alone would mislead: cash and returns reach several.
    assert ACTIVITY_SYSTEMS["read_bank_credits"] == "bank"
    assert ACTIVITY_SYSTEMS["post_cash_to_erp"] == "erp"
    assert ACTIVITY_SYSTEMS["buy_return_label"] == "carrier"
    assert ACTIVITY_SYSTEMS["restock_returned"] == "wms"
    assert ACTIVITY_SYSTEMS["rate_shop"] == "tms"
    assert ACTIVITY_SYSTEMS["send_partner_document"] == "edi"
