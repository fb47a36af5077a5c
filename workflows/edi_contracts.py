"""What an EDI order carries about its partner, and how its documents travel: the
partner-documents workflow's name, handlers and models, for the order, the API and
the activities alike."""

from typing import Literal

from pydantic import BaseModel

from canonical.view import OrderView, ParkedStep
from canonical.x12.answers import PartnerOrder

PARTNER_DOCUMENTS_WORKFLOW = "PartnerDocuments"
PARTNER_MILESTONE_SIGNAL = "partner_milestone"
PARTNER_ACK_SIGNAL = "partner_ack"
PARTNER_REPORT_SIGNAL = "partner_report"
SEND_PARTNER_DOCUMENT = "send_partner_document"


def partner_documents_workflow_id(order_id: str) -> str:
    """The child of an EDI order that sends its 855, 856s and 810s."""
    return f"order-{order_id}-EDI"


def document_key(order_id: str, send: int) -> str:
    """The key of one send of one of an order's documents (`<order_id>:<n>`); the
    archive keeps it as the document's reference, which is how a 997 finds its order."""
    return f"{order_id}:{send}"


def order_of_document(key: str) -> str:
    """The order a document key belongs to."""
    return key.rsplit(":", 1)[0]


class PartnerMilestone(BaseModel):
    """Something the partner must be told.

    Attributes:
        kind: `acknowledge` (855, once planned), `ship` (856 for `shipment_id`),
            `invoice` (810 for `billing_document`), `close` (nothing more will come).
        view: The order as it is at that moment.
    """

    kind: Literal["acknowledge", "ship", "invoice", "close"]
    view: OrderView | None = None
    shipment_id: str = ""
    billing_document: str = ""


class PartnerAck(BaseModel):
    """A 997 from the partner about one of our documents.

    Attributes:
        document_key: The idempotency key our document was sent with (the API finds
            it in the archive by the group and set control numbers the 997 quotes).
        accepted: AK5 (or AK9 for the whole group) said accepted.
        detail: What the partner said was wrong, segment and element, when rejected.
    """

    document_key: str
    accepted: bool
    detail: str = ""


class PartnerReport(BaseModel):
    """The partner-documents workflow tells its order that a document waits for a
    person (`parked`) or goes on (`resumed`, `detail` the decision)."""

    kind: Literal["parked", "resumed"]
    problem: ParkedStep
    detail: str = ""


class PartnerDocumentsInput(BaseModel):
    """How an EDI order's partner-documents workflow starts.

    Attributes:
        ack_timeout_seconds: How long a document waits for its 997 before it is sent
            again (with new control numbers).
        max_sends: Sends without a 997 before the document waits for a person.
    """

    order_id: str
    partner: PartnerOrder
    ack_timeout_seconds: float = 900.0
    max_sends: int = 4


class SendPartnerDocumentInput(BaseModel):
    """One of our documents to build, number, archive and deliver.

    Attributes:
        document_key: Idempotent per document and send: the same key again delivers
            nothing new and answers with what was sent.
        kind: `855`, `856` or `810`.
    """

    document_key: str
    order_id: str
    partner: PartnerOrder
    kind: Literal["855", "856", "810"]
    view: OrderView
    shipment_id: str = ""
    billing_document: str = ""


class SendPartnerDocumentResult(BaseModel):
    """What was sent: the interchange, group and set control numbers."""

    interchange_control: str
    group_control: str
    set_control: str
