"""The trading-partner registry: partners and their cross-references, unit
conversions and store customers. The traffic with them (the replay guard, control
numbers and the document archive) is `store.partner_documents`.

Every method is synchronous (the API calls them through `run_in_threadpool`) and
works the same on SQLite and PostgreSQL.

Typical usage example:

    registry = PartnerRegistry(engine)
    partner = registry.partner_by_interchange("ZZ", "BUYCO          ")
    if partner is not None:
        sku = registry.sku_for(partner.partner_id, [("BP", "B-778"), ("UP", "0123")])
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from canonical.partners import (
    ONE_PIECE,
    ItemCrossReference,
    PartnerKind,
    StoreCustomerMapping,
    TradingPartner,
    UomConversion,
    duplicates,
)
from canonical.quantities import UnitOfMeasure
from store.clock import utc_now
from store.partner_tables import (
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


class PartnerRegistry:
    """Trading partners and their cross-references.

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
                row.updated_at = utc_now()
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
