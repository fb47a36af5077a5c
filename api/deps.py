"""Dependencies, as `Annotated` aliases the routes declare.

Access: every route but the webhooks (signed instead) and `/health` declares the
alias of what it needs; each resolves the caller's `Principal` from its API key
(`Authorization: Bearer <key>`, `401` without a known one) and refuses a caller whose
role lacks the permission (`403`). Browsers, which cannot send a bearer token from
the address bar, may send the key as the password of HTTP Basic instead; the HTML
pages ask for it with a Basic challenge, so a support person's browser prompts.
Routes that read or act on one customer's data check `principal.sees(customer_id)`
themselves.
"""

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from api.auth import Permission, Principal
from api.cash_gateway import CashGateway
from api.edi_inbound import EdiReceiver
from api.order_gateway import OrderGateway
from api.return_gateway import ReturnGateway
from api.settings import ApiSettings
from runtime.settings import TemporalSettings
from store.cash_ledger import CashLedger
from store.inbox import Inbox
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
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


def get_partners(request: Request) -> PartnerRegistry:
    partners: PartnerRegistry = request.app.state.partners
    return partners


def get_partner_documents(request: Request) -> PartnerDocuments:
    documents: PartnerDocuments = request.app.state.partner_documents
    return documents


def get_edi_receiver(request: Request) -> EdiReceiver:
    receiver: EdiReceiver = request.app.state.edi
    return receiver


GatewayDep = Annotated[OrderGateway, Depends(get_gateway)]
EdiReceiverDep = Annotated[EdiReceiver, Depends(get_edi_receiver)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
TemporalSettingsDep = Annotated[TemporalSettings, Depends(get_temporal_settings)]
InboxDep = Annotated[Inbox, Depends(get_inbox)]
CashGatewayDep = Annotated[CashGateway, Depends(get_cash_gateway)]
LedgerDep = Annotated[CashLedger, Depends(get_ledger)]
ReturnGatewayDep = Annotated[ReturnGateway, Depends(get_return_gateway)]
ReturnsLedgerDep = Annotated[ReturnsLedger, Depends(get_returns_ledger)]
PartnerRegistryDep = Annotated[PartnerRegistry, Depends(get_partners)]
PartnerDocumentsDep = Annotated[PartnerDocuments, Depends(get_partner_documents)]


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key of role portal, support or ops: `Authorization: Bearer <key>`.",
)


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from its API key; `401` without a key or with an unknown one."""
    key = credentials.credentials if credentials is not None else _basic_password(request)
    # A page asks the browser for the key; an API client is told to send a token.
    page = request.url.path.endswith(".html")
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send an API key: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": _BASIC_CHALLENGE if page else "Bearer"},
        )
    principal = get_settings(request).api_keys.principal_for(key)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown API key",
            headers={
                "WWW-Authenticate": _BASIC_CHALLENGE if page else 'Bearer error="invalid_token"'
            },
        )
    return principal


_BASIC_CHALLENGE = 'Basic realm="Ordermesh", charset="UTF-8"'


def _basic_password(request: Request) -> str | None:
    """The password of `Authorization: Basic` (any user name), or None."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, colon, password = decoded.partition(":")
    return password if colon and password else None


# Any caller with a known key.
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _allowed_to(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        if not principal.may(permission):
            roles = "+".join(sorted(principal.roles))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this API key ({roles}) may not {permission.value}",
            )
        return principal

    return check


# portal: its own customers' orders and returns; support and ops: everyone's.
ReaderDep = Annotated[Principal, Depends(_allowed_to(Permission.READ_ORDERS))]
# support and ops: back-office data that belongs to no one customer (unapplied cash).
StaffReaderDep = Annotated[Principal, Depends(_allowed_to(Permission.READ_ALL))]
# portal: orders for its own customers.
SubmitterDep = Annotated[Principal, Depends(_allowed_to(Permission.SUBMIT_ORDERS))]
# portal (its own customers' orders) and ops.
ReturnRequesterDep = Annotated[Principal, Depends(_allowed_to(Permission.REQUEST_RETURNS))]
# ops: cancel and act on orders, decide and cancel returns, run and apply cash.
OperatorDep = Annotated[Principal, Depends(_allowed_to(Permission.OPERATE))]
# ops: trading partners, their cross-references and document archive.
PartnerManagerDep = Annotated[Principal, Depends(_allowed_to(Permission.MANAGE_PARTNERS))]
