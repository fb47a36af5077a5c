"""The return workflow as the API and ops see it: names, input, handlers' models."""

from pydantic import BaseModel, Field

from canonical.returns import ReturnRequest
from workflows.contracts import RetryBudget

RETURN_WORKFLOW = "Return"
RETURN_VIEW_QUERY = "view"
AUTHORIZATION_UPDATE = "authorization"
APPROVAL_UPDATE = "decide_approval"
APPROVAL_SIGNAL = "approval"
RECORD_RETURN_EVENT_UPDATE = "record_return_event"
NOT_AWAITING_APPROVAL = "NOT_AWAITING_APPROVAL"
WRONG_RETURN_EVENT = "WRONG_RETURN_EVENT"


def return_workflow_id(rma_id: str) -> str:
    return f"return-{rma_id}"


class ReturnWorkflowInput(BaseModel):
    rma_id: str
    order_id: str
    request: ReturnRequest
    erp_task_queue: str = ""
    retry: RetryBudget = RetryBudget()


class ApprovalDecision(BaseModel):
    """Ops approve or refuse a high-value return (update `decide_approval` or signal
    `approval`, e.g. `{"approve": true, "by": "ops"}` from the Temporal UI)."""

    approve: bool
    by: str = Field(default="ops", max_length=60)
    note: str = Field(default="", max_length=500)
