"""Dependencies, as `Annotated` aliases the routes declare."""

from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from api.cash_gateway import CashGateway
from api.order_gateway import OrderGateway
from api.return_gateway import ReturnGateway
from api.settings import ApiSettings
from runtime.settings import TemporalSettings
from store.cash_ledger import CashLedger
from store.inbox import Inbox
from store.returns_ledger import ReturnsLedger


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


def get_return_gateway(request: Request) -> ReturnGateway:
    gateway: ReturnGateway = request.app.state.return_gateway
    return gateway


def get_returns_ledger(request: Request) -> ReturnsLedger:
    ledger: ReturnsLedger = request.app.state.returns_ledger
    return ledger


GatewayDep = Annotated[OrderGateway, Depends(get_gateway)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
TemporalSettingsDep = Annotated[TemporalSettings, Depends(get_temporal_settings)]
InboxDep = Annotated[Inbox, Depends(get_inbox)]
CashGatewayDep = Annotated[CashGateway, Depends(get_cash_gateway)]
LedgerDep = Annotated[CashLedger, Depends(get_ledger)]
ReturnGatewayDep = Annotated[ReturnGateway, Depends(get_return_gateway)]
ReturnsLedgerDep = Annotated[ReturnsLedger, Depends(get_returns_ledger)]
