"""The trading-partner registry: partners and their cross-references, the inbound
replay guard, outbound control numbers and the document archive.

Every method is synchronous (the API calls them through `run_in_threadpool`) and
works the same on SQLite and PostgreSQL. What must hold under concurrency holds in
the database: an interchange is claimed by a unique constraint, and control numbers
are raised by a single `UPDATE ... RETURNING` (a row lock on PostgreSQL, the write
lock on SQLite), so two senders never get the same number.

Typical usage example:

    registry = PartnerRegistry(engine)
    partner = registry.partner_by_interchange("ZZ", "BUYCO          ")
    if partner is not None and registry.claim_interchange(partner.partner_id, "000000042"):
        sku = registry.sku_for(partner.partner_id, [("BP", "B-778"), ("UP", "0123")])
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from canonical.partners import (
    ONE_PIECE,
    ArchivedDocument,
    ControlNumbers,
    Direction,
    DocumentStatus,
    ItemCrossReference,
    PartnerKind,
    StoreCustomerMapping,
    TradingPartner,
    UomConversion,
    control_key,
    duplicates,
)
from canonical.quantities import UnitOfMeasure
from store.partner_tables import (
    PartnerControlRow,
    PartnerDocumentRow,
    PartnerInterchangeRow,
    PartnerItemRow,
    PartnerRow,
    PartnerStoreCustomerRow,
    PartnerUomRow,
)

# The qualifier whose value is our own part number: used as the SKU when no
# cross-reference names it.
VENDOR_PART = "VP"

_PARTNER_FIELDS = tuple(TradingPartner.model_fields)


class UnknownPartner(LookupError):
    """No partner has that id."""


class PartnerConflict(ValueError):
    """What a partner claims is another partner's (its ISA sender, its shop domain), or
    its cross-references repeat themselves. The message says which."""


def interchange_key(qualifier: str, interchange_id: str) -> str:
    """An ISA sender as matched: `QUALIFIER:ID`, trimmed (ISA06 is space padded to 15)
    and upper case."""
    return f"{qualifier.strip().upper()}:{interchange_id.strip().upper()}"


def _now() -> datetime:
    return datetime.now(UTC)


class PartnerRegistry:
    """Trading partners, their cross-references, and the documents exchanged with them.

    Args:
        engine: The store's engine (SQLite or PostgreSQL).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- partners --------------------------------------------------------------------

    def upsert_partner(
        self,
        partner: TradingPartner,
        items: Sequence[ItemCrossReference] = (),
        uoms: Sequence[UomConversion] = (),
        store_customers: Sequence[StoreCustomerMapping] = (),
    ) -> bool:
        """Create or replace a partner with its cross-references, in one transaction:
        the lists given replace the partner's own (global conversions are untouched).
        True when created, False when updated.

        Raises:
            PartnerConflict: Another partner has the same ISA sender or shop domain; or
                a cross-reference, conversion or store customer is given twice; or one
                names another partner.
        """
        _check_lists(partner.partner_id, items, uoms, store_customers)
        for attempt in range(2):
            try:
                return self._upsert(partner, items, uoms, store_customers)
            except IntegrityError:
                # Someone else wrote the same partner, sender or domain meanwhile: look
                # again (the second time says who holds it, or updates their row).
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _upsert(
        self,
        partner: TradingPartner,
        items: Sequence[ItemCrossReference],
        uoms: Sequence[UomConversion],
        store_customers: Sequence[StoreCustomerMapping],
    ) -> bool:
        pid = partner.partner_id
        fields = _row_fields(partner)
        with Session(self._engine) as session:
            for column, value in (
                ("interchange_key", fields["interchange_key"]),
                ("shop_domain", fields["shop_domain"]),
            ):
                if value is None:
                    continue
                holder = session.exec(
                    select(PartnerRow.partner_id).where(
                        getattr(PartnerRow, column) == value, PartnerRow.partner_id != pid
                    )
                ).first()
                if holder is not None:
                    what = "ISA sender" if column == "interchange_key" else "shop domain"
                    raise PartnerConflict(f"{what} {value} is partner {holder}'s")
            row = session.get(PartnerRow, pid)
            created = row is None
            if row is None:
                row = PartnerRow(**fields)
            else:
                for name, value in fields.items():
                    setattr(row, name, value)
                row.updated_at = _now()
            session.add(row)
            for table in (PartnerItemRow, PartnerUomRow, PartnerStoreCustomerRow):
                session.exec(delete(table).where(col(table.partner_id) == pid))
            session.add_all(
                PartnerItemRow(
                    partner_id=pid,
                    qualifier=item.qualifier,
                    value=item.value,
                    value_key=item.value.upper(),
                    sku=item.sku,
                )
                for item in items
            )
            session.add_all(_uom_row(uom) for uom in uoms)
            session.add_all(
                PartnerStoreCustomerRow(
                    partner_id=pid,
                    store_customer_id=mapping.store_customer_id or None,
                    email=mapping.email or None,
                    customer_id=mapping.customer_id,
                )
                for mapping in store_customers
            )
            session.commit()
        return created

    def partner(self, partner_id: str) -> TradingPartner | None:
        with Session(self._engine) as session:
            row = session.get(PartnerRow, partner_id)
            return None if row is None else _partner(row)

    def partners(self) -> list[TradingPartner]:
        """Every partner, by id."""
        with Session(self._engine) as session:
            rows = session.exec(select(PartnerRow).order_by(col(PartnerRow.partner_id))).all()
            return [_partner(row) for row in rows]

    def partner_by_interchange(self, qualifier: str, interchange_id: str) -> TradingPartner | None:
        """The EDI partner that sends as ISA05/ISA06, as they appear on the wire
        (space padded, any case)."""
        key = interchange_key(qualifier, interchange_id)
        with Session(self._engine) as session:
            row = session.exec(select(PartnerRow).where(PartnerRow.interchange_key == key)).first()
            return None if row is None else _partner(row)

    def store_by_domain(self, shop_domain: str) -> TradingPartner | None:
        """The store partner of a shop domain (any case; a scheme or a trailing slash
        is ignored)."""
        domain = shop_domain.strip().lower().removeprefix("https://").removeprefix("http://")
        with Session(self._engine) as session:
            row = session.exec(
                select(PartnerRow).where(PartnerRow.shop_domain == domain.rstrip("/"))
            ).first()
            return None if row is None else _partner(row)

    def items(self, partner_id: str) -> list[ItemCrossReference]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(PartnerItemRow)
                .where(PartnerItemRow.partner_id == partner_id)
                .order_by(col(PartnerItemRow.id))
            ).all()
            return [
                ItemCrossReference(
                    partner_id=row.partner_id, qualifier=row.qualifier, value=row.value, sku=row.sku
                )
                for row in rows
            ]

    def conversions(self, partner_id: str) -> list[UomConversion]:
        """The partner's own conversions ("" for the global ones)."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(PartnerUomRow)
                .where(PartnerUomRow.partner_id == partner_id)
                .order_by(col(PartnerUomRow.id))
            ).all()
            return [_uom(row) for row in rows]

    def store_customers(self, partner_id: str) -> list[StoreCustomerMapping]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(PartnerStoreCustomerRow)
                .where(PartnerStoreCustomerRow.partner_id == partner_id)
                .order_by(col(PartnerStoreCustomerRow.id))
            ).all()
            return [
                StoreCustomerMapping(
                    partner_id=row.partner_id,
                    store_customer_id=row.store_customer_id or "",
                    email=row.email or "",
                    customer_id=row.customer_id,
                )
                for row in rows
            ]

    def set_conversion(self, conversion: UomConversion) -> None:
        """Create or change one conversion, a global one (`partner_id` "") included."""
        with Session(self._engine) as session:
            row = session.exec(
                select(PartnerUomRow).where(
                    PartnerUomRow.partner_id == conversion.partner_id,
                    PartnerUomRow.sku == conversion.sku,
                    PartnerUomRow.from_uom == conversion.from_uom,
                    PartnerUomRow.to_uom == conversion.to_uom.value,
                )
            ).first()
            if row is None:
                session.add(_uom_row(conversion))
            else:
                row.factor = conversion.factor
                session.add(row)
            session.commit()

    # -- cross-references ------------------------------------------------------------

    def sku_for(self, partner_id: str, ids: Sequence[tuple[str, str]]) -> str | None:
        """Our SKU for a line the partner identifies by `(qualifier, value)` pairs (the
        PO1 line's 235/234 pairs), in the partner's order.

        The first pair with a cross-reference wins. Failing all, the first `VP`
        (vendor's part: our part number) pair's value is taken as our SKU as it is.
        None when neither: the line names no item we know of.
        """
        wanted = [(q.strip().upper(), v.strip()) for q, v in ids if v.strip()]
        if not wanted:
            return None
        with Session(self._engine) as session:
            rows = session.exec(
                select(PartnerItemRow).where(
                    PartnerItemRow.partner_id == partner_id,
                    col(PartnerItemRow.value_key).in_(sorted({v.upper() for _, v in wanted})),
                )
            ).all()
        known = {(row.qualifier, row.value_key): row.sku for row in rows}
        for qualifier, value in wanted:
            if (sku := known.get((qualifier, value.upper()))) is not None:
                return sku
        return next((value for qualifier, value in wanted if qualifier == VENDOR_PART), None)

    def to_base_unit(
        self,
        partner_id: str,
        sku: str,
        uom: str,
        quantity: Decimal,
        base_uom: str = UnitOfMeasure.PC.value,
    ) -> tuple[Decimal, str] | None:
        """`quantity` of `uom` in the SKU's base unit (`PC` unless told): `(2, CA)` is
        `(24, PC)` when a case holds 12.

        A quantity already in the base unit is as it is. Otherwise the most specific
        conversion from `uom` to the base unit applies: the partner's for the SKU, the
        partner's for every SKU, the global one for the SKU, the global one. `EA` and
        `PC` are both one piece: without a conversion row between them, either is the
        other as it is (a row, when a partner has one, wins). None when nothing
        converts it (the order line is refused, never guessed).
        """
        uom, base = uom.strip().upper(), base_uom.strip().upper()
        if uom == base:
            return quantity, base
        targets = sorted({base} | (ONE_PIECE if base in ONE_PIECE else set()))
        with Session(self._engine) as session:
            rows = session.exec(
                select(PartnerUomRow).where(
                    col(PartnerUomRow.partner_id).in_(sorted({partner_id, ""})),
                    col(PartnerUomRow.sku).in_(sorted({sku, ""})),
                    PartnerUomRow.from_uom == uom,
                    col(PartnerUomRow.to_uom).in_(targets),
                )
            ).all()
        if rows:
            best = min(
                rows,
                key=lambda r: (r.partner_id != partner_id, r.sku != sku, r.to_uom != base),
            )
            return quantity * best.factor, base
        if uom in ONE_PIECE and base in ONE_PIECE:
            return quantity, base
        return None

    def customer_for_store(
        self, partner_id: str, store_customer_id: str | None, email: str | None
    ) -> str | None:
        """The SAP customer a store's shopper buys as: the mapping of their store
        customer id, else of their email (any case), else the store's default
        customer; None when the store has none (or is unknown)."""
        with Session(self._engine) as session:
            for column, value in (
                (PartnerStoreCustomerRow.store_customer_id, (store_customer_id or "").strip()),
                (PartnerStoreCustomerRow.email, (email or "").strip().lower()),
            ):
                if not value:
                    continue
                found = session.exec(
                    select(PartnerStoreCustomerRow.customer_id).where(
                        PartnerStoreCustomerRow.partner_id == partner_id, column == value
                    )
                ).first()
                if found is not None:
                    return found
            row = session.get(PartnerRow, partner_id)
        return (row.customer_id or None) if row is not None else None

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
    ) -> int:
        """Set the status of one archived document (by its id), or of every document
        of one interchange (`(partner_id, isa13)`, in `direction`: ours unless told,
        since their numbers and ours may coincide). Returns how many changed."""
        statement = update(PartnerDocumentRow).values(
            status=DocumentStatus(status).value, updated_at=_now()
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


def _check_lists(
    partner_id: str,
    items: Sequence[ItemCrossReference],
    uoms: Sequence[UomConversion],
    store_customers: Sequence[StoreCustomerMapping],
) -> None:
    named = {i.partner_id for i in items} | {u.partner_id for u in uoms}
    others = (named | {m.partner_id for m in store_customers}) - {partner_id}
    if others:
        raise PartnerConflict(
            f"the cross-references of {partner_id} name other partners: {sorted(others)}"
        )
    for problem in duplicates(items, uoms, store_customers):
        raise PartnerConflict(problem)


def _row_fields(partner: TradingPartner) -> dict[str, Any]:
    fields = partner.model_dump(mode="json")
    edi = partner.kind is PartnerKind.EDI
    fields["interchange_key"] = (
        interchange_key(partner.interchange_qualifier, partner.interchange_id) if edi else None
    )
    fields["shop_domain"] = partner.shop_domain or None
    return fields


def _partner(row: PartnerRow) -> TradingPartner:
    values = {name: getattr(row, name) for name in _PARTNER_FIELDS}
    values["shop_domain"] = row.shop_domain or ""
    return TradingPartner.model_validate(values)


def _uom_row(uom: UomConversion) -> PartnerUomRow:
    return PartnerUomRow(
        partner_id=uom.partner_id,
        sku=uom.sku,
        from_uom=uom.from_uom,
        to_uom=uom.to_uom.value,
        factor=uom.factor,
    )


def _uom(row: PartnerUomRow) -> UomConversion:
    return UomConversion(
        partner_id=row.partner_id,
        sku=row.sku,
        from_uom=row.from_uom,
        to_uom=UnitOfMeasure(row.to_uom),
        factor=Decimal(row.factor).normalize(),
    )


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
