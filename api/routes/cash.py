"""`/cash`: run cash application now, list unapplied cash, apply it by decision."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.cash_gateway import CashDecisionRefused
from api.deps import CashGatewayDep, LedgerDep, OperatorDep, StaffReaderDep
from api.models import CashApplyCreate, CashRunPublic, Problem, UnappliedCashPublic, problem
from workflows.cash_contracts import INVOICE_NOT_OPEN, UNAPPLIED_ALREADY_DECIDED

router = APIRouter(prefix="/cash", tags=["cash"])

UnappliedId = Annotated[int, Path(ge=1, le=2**62)]

_REFUSAL_STATUS = {
    UNAPPLIED_ALREADY_DECIDED: status.HTTP_409_CONFLICT,
    INVOICE_NOT_OPEN: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


@router.post("/run", response_model=CashRunPublic)
async def run_cash_application(gateway: CashGatewayDep, principal: OperatorDep) -> CashRunPublic:
    """Read the bank now, apply what it reported, and answer with what was applied.

    The same run the schedule makes every few minutes; statements already read change
    nothing."""
    result = await gateway.run_now()
    return CashRunPublic.model_validate(result.model_dump())


@router.get("/unapplied", response_model=list[UnappliedCashPublic])
async def list_unapplied(
    ledger: LedgerDep, principal: StaffReaderDep, state: str | None = "open"
) -> list[UnappliedCashPublic]:
    """Money that matched no invoice, matched ambiguously, or was more than owed;
    `state=applied` for what has been decided, `state=` for everything."""
    rows = await run_in_threadpool(ledger.unapplied, state or None)
    return [UnappliedCashPublic.from_row(row) for row in rows]


@router.post(
    "/unapplied/{unapplied_id}/apply",
    response_model=CashRunPublic,
    responses={
        404: {"model": Problem},
        409: {"model": Problem, "description": "Already applied."},
        422: {"model": Problem, "description": "An invoice is not open, or a bad body."},
    },
)
async def apply_unapplied(
    unapplied_id: UnappliedId,
    body: CashApplyCreate,
    gateway: CashGatewayDep,
    ledger: LedgerDep,
    principal: OperatorDep,
) -> CashRunPublic | JSONResponse:
    """Apply unapplied cash to the invoices named: cleared in the ERP, the orders told."""
    if await run_in_threadpool(ledger.unapplied_item, unapplied_id) is None:
        return problem(404, f"no unapplied cash item {unapplied_id}")
    try:
        result = await gateway.decide(unapplied_id, body.invoices, body.decided_by)
    except CashDecisionRefused as refused:
        return problem(_REFUSAL_STATUS.get(refused.kind, 404), refused.message)
    return CashRunPublic.model_validate(result.model_dump())
