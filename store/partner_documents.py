"""The EDI traffic with trading partners: the inbound replay guard, outbound control
numbers and the document archive.

Every method is synchronous (the API calls them through `run_in_threadpool`) and
works the same on SQLite and PostgreSQL. What must hold under concurrency holds in
the database: an interchange is claimed by a unique constraint, and control numbers
are raised by a single `UPDATE ... RETURNING` (a row lock on PostgreSQL, the write
lock on SQLite), so two senders never get the same number.

Typical usage example:

    documents = PartnerDocuments(engine)
    if documents.claim_interchange(partner.partner_id, "000000042"):
        numbers = documents.next_control_numbers(partner.partner_id)
"""

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from canonical.partners import (
    ArchivedDocument,
    ControlNumbers,
    Direction,
    DocumentStatus,
    control_key,
)
from store.clock import utc_now
from store.partner_tables import (
    PartnerControlRow,
    PartnerDocumentRow,
    PartnerInterchangeRow,
    PartnerRow,
)
from store.partners import UnknownPartner


class PartnerDocuments:
    """The interchanges received from partners and the documents exchanged with them.

    Args:
        engine: The store's engine (SQLite or PostgreSQL).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- inbound replay guard --------------------------------------------------------

    def claim_interchange(self, partner_id: str, control_number: str) -> bool:
        """True the first time an interchange (the partner's ISA13, padded or not) is
        seen; False for a replay. Across processes: a unique constraint decides."""
        with Session(self._engine) as session:
            session.add(
                PartnerInterchangeRow(
                    partner_id=partner_id, control_key=control_key(control_number)
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def release_interchange(self, partner_id: str, control_number: str) -> None:
        """Forget a claim whose handling failed, so the partner's resend is taken."""
        with Session(self._engine) as session:
            session.exec(
                delete(PartnerInterchangeRow).where(
                    col(PartnerInterchangeRow.partner_id) == partner_id,
                    col(PartnerInterchangeRow.control_key) == control_key(control_number),
                )
            )
            session.commit()

    # -- outbound numbering ----------------------------------------------------------

    def next_control_numbers(self, partner_id: str) -> ControlNumbers:
        """The next ISA13, GS06 and ST02 toward a partner: each one more than the last,
        never the same twice, whoever asks at the same time.

        Raises:
            UnknownPartner: No partner has that id.
        """
        raise_all = (
            update(PartnerControlRow)
            .where(col(PartnerControlRow.partner_id) == partner_id)
            .values(
                isa13=col(PartnerControlRow.isa13) + 1,
                gs06=col(PartnerControlRow.gs06) + 1,
                st02=col(PartnerControlRow.st02) + 1,
            )
            .returning(
                col(PartnerControlRow.isa13),
                col(PartnerControlRow.gs06),
                col(PartnerControlRow.st02),
            )
        )
        for _ in range(2):
            with self._engine.begin() as conn:
                numbers = conn.execute(raise_all).first()
            if numbers is not None:
                isa13, gs06, st02 = numbers
                return ControlNumbers(f"{isa13:09d}", str(gs06), f"{st02:04d}")
            self._start_counter(partner_id)
        raise AssertionError("the counter row was made and is gone")

    def _start_counter(self, partner_id: str) -> None:
        with Session(self._engine) as session:
            if session.get(PartnerRow, partner_id) is None:
                raise UnknownPartner(partner_id)
            session.add(PartnerControlRow(partner_id=partner_id))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # someone else made it first: as good

    # -- the document archive --------------------------------------------------------

    def archive(
        self,
        direction: Direction,
        partner_id: str,
        document_type: str,
        *,
        isa13: str = "",
        gs06: str = "",
        st02: str = "",
        reference: str = "",
        body: str = "",
        status: DocumentStatus,
    ) -> int:
        """Keep a document received or sent; returns its archive id."""
        row = PartnerDocumentRow(
            direction=Direction(direction).value,
            partner_id=partner_id,
            document_type=document_type.strip(),
            isa13=isa13.strip(),
            gs06=gs06.strip(),
            st02=st02.strip(),
            isa13_key=control_key(isa13),
            gs06_key=control_key(gs06),
            reference=reference.strip(),
            body=body,
            status=DocumentStatus(status).value,
        )
        with Session(self._engine) as session:
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id

    def set_status(
        self,
        target: int | tuple[str, str],
        status: DocumentStatus,
        *,
        direction: Direction = Direction.OUTBOUND,
        only_if: DocumentStatus | None = None,
    ) -> int:
        """Set the status of one archived document (by its id), or of every document
        of one interchange (`(partner_id, isa13)`, in `direction`: ours unless told,
        since their numbers and ours may coincide). With `only_if`, only documents
        still in that status change: a partner's 997 can arrive before the sender has
        marked its document sent, and `sent` must not overwrite `acknowledged`.
        Returns how many changed."""
        statement = update(PartnerDocumentRow).values(
            status=DocumentStatus(status).value, updated_at=utc_now()
        )
        if only_if is not None:
            statement = statement.where(
                col(PartnerDocumentRow.status) == DocumentStatus(only_if).value
            )
        if isinstance(target, int):
            statement = statement.where(col(PartnerDocumentRow.id) == target)
        else:
            partner_id, isa13 = target
            statement = statement.where(
                col(PartnerDocumentRow.partner_id) == partner_id,
                col(PartnerDocumentRow.isa13_key) == control_key(isa13),
                col(PartnerDocumentRow.direction) == Direction(direction).value,
            )
        with Session(self._engine) as session:
            changed = session.exec(statement).rowcount
            session.commit()
        return changed

    def documents(
        self,
        partner_id: str | None = None,
        reference: str | None = None,
        document_type: str | None = None,
        *,
        limit: int | None = None,
    ) -> list[ArchivedDocument]:
        """Archived documents, newest first, filtered by whatever is given."""
        query = select(PartnerDocumentRow).order_by(col(PartnerDocumentRow.id).desc())
        if partner_id is not None:
            query = query.where(PartnerDocumentRow.partner_id == partner_id)
        if reference is not None:
            query = query.where(PartnerDocumentRow.reference == reference.strip())
        if document_type is not None:
            query = query.where(PartnerDocumentRow.document_type == document_type.strip())
        if limit is not None:
            query = query.limit(limit)
        with Session(self._engine) as session:
            return [_document(row) for row in session.exec(query).all()]

    def document(self, archive_id: int) -> ArchivedDocument | None:
        with Session(self._engine) as session:
            row = session.get(PartnerDocumentRow, archive_id)
            return None if row is None else _document(row)

    def outbound_by_control(
        self, partner_id: str, *, isa13: str | None = None, gs06: str | None = None
    ) -> list[ArchivedDocument]:
        """What we sent a partner under an interchange (a TA1's ISA13) or a group (a
        997's AK102 names our GS06), oldest first; zero padding does not matter.

        Raises:
            ValueError: Neither number is given.
        """
        if isa13 is None and gs06 is None:
            raise ValueError("give isa13 or gs06")
        query = select(PartnerDocumentRow).where(
            PartnerDocumentRow.partner_id == partner_id,
            PartnerDocumentRow.direction == Direction.OUTBOUND.value,
        )
        if isa13 is not None:
            query = query.where(PartnerDocumentRow.isa13_key == control_key(isa13))
        if gs06 is not None:
            query = query.where(PartnerDocumentRow.gs06_key == control_key(gs06))
        with Session(self._engine) as session:
            rows = session.exec(query.order_by(col(PartnerDocumentRow.id))).all()
            return [_document(row) for row in rows]


def _document(row: PartnerDocumentRow) -> ArchivedDocument:
    assert row.id is not None
    return ArchivedDocument(
        id=row.id,
        direction=Direction(row.direction),
        partner_id=row.partner_id,
        document_type=row.document_type,
        isa13=row.isa13,
        gs06=row.gs06,
        st02=row.st02,
        reference=row.reference,
        body=row.body,
        status=DocumentStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
