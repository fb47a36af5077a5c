"""Dependencies, as `Annotated` aliases the routes declare."""

from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from api.cash_gateway import CashGateway
from api.order_gateway import OrderGateway
from api.settings import ApiSettings
from runtime.settings import TemporalSettings
from store.cash_ledger import CashLedger
from store.inbox import Inbox


def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_temporal_settings(request: Request) -> TemporalSettings:
    settings: TemporalSettings = request.app.state.temporal_settings
    return settings


def get_inbox(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox


def get_gateway(request: Request) -> OrderGateway:
    gateway: OrderGateway = request.app.state.gateway
    return gateway


def get_cash_gateway(request: Request) -> CashGateway:
    gateway: CashGateway = request.app.state.cash_gateway
    return gateway


def get_ledger(request: Request) -> CashLedger:
    ledger: CashLedger = request.app.state.ledger
    return ledger


GatewayDep = Annotated[OrderGateway, Depends(get_gateway)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
TemporalSettingsDep = Annotated[TemporalSettings, Depends(get_temporal_settings)]
InboxDep = Annotated[Inbox, Depends(get_inbox)]
CashGatewayDep = Annotated[CashGateway, Depends(get_cash_gateway)]
LedgerDep = Annotated[CashLedger, Depends(get_ledger)]
