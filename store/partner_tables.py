"""Tables of the trading-partner registry: partners, their cross-references (items,
units, store customers), the interchanges received (replay guard), the outbound
control-number counters and the document archive."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import utc_now


class PartnerRow(SQLModel, table=True):
    """One trading partner (`canonical.partners.TradingPartner`).

    Attributes:
        interchange_key: EDI: `QUALIFIER:ID` of the ISA sender, upper case and
            trimmed, unique: what an inbound interchange is matched on. None for a
            store.
        shop_domain: Store: unique; None for an EDI partner.
    """

    __tablename__ = "partner"

    partner_id: str = Field(primary_key=True, max_length=40)
    name: str = Field(default="", max_length=120)
    kind: str = Field(max_length=10)
    interchange_qualifier: str = Field(default="", max_length=2)
    interchange_id: str = Field(default="", max_length=15)
    our_qualifier: str = Field(default="", max_length=2)
    our_interchange_id: str = Field(default="", max_length=15)
    application_sender_id: str = Field(default="", max_length=15)
    application_receiver_id: str = Field(default="", max_length=15)
    dialect: str = Field(default="X12", max_length=10)
    version: str = Field(default="004010", max_length=12)
    element_separator: str = Field(default="*", max_length=1)
    component_separator: str = Field(default=">", max_length=1)
    segment_terminator: str = Field(default="~", max_length=1)
    usage_indicator: str = Field(default="P", max_length=1)
    endpoint_url: str = Field(default="", max_length=500)
    customer_id: str = Field(default="", max_length=20)
    shop_domain: str | None = Field(default=None, max_length=253, unique=True)
    webhook_secret_ref: str = Field(default="", max_length=200)
    interchange_key: str | None = Field(default=None, max_length=20, unique=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class PartnerItemRow(SQLModel, table=True):
    """A partner's id for one of our SKUs.

    Attributes:
        value_key: `value` upper case and trimmed: what is matched, and unique per
            partner and qualifier.
    """

    __tablename__ = "partner_item_xref"
    __table_args__ = (
        UniqueConstraint("partner_id", "qualifier", "value_key", name="uq_partner_item_xref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: str = Field(max_length=40, index=True)
    qualifier: str = Field(max_length=2)
    value: str = Field(max_length=48)
    value_key: str = Field(max_length=48)
    sku: str = Field(max_length=40)


class PartnerUomRow(SQLModel, table=True):
    """A unit conversion; `partner_id` "" for every partner, `sku` "" for every SKU."""

    __tablename__ = "partner_uom_conversion"
    __table_args__ = (
        UniqueConstraint(
            "partner_id", "sku", "from_uom", "to_uom", name="uq_partner_uom_conversion"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: str = Field(default="", max_length=40, index=True)
    sku: str = Field(default="", max_length=40)
    from_uom: str = Field(max_length=3)
    to_uom: str = Field(max_length=3)
    factor: Decimal = Field(sa_column=Column(Numeric(18, 6), nullable=False))


class PartnerStoreCustomerRow(SQLModel, table=True):
    """A store shopper (by the store's customer id or by email) and the SAP customer
    they buy as. The keys are None when not given: NULLs never collide, so each is
    unique per store only where present."""

    __tablename__ = "partner_store_customer"
    __table_args__ = (
        UniqueConstraint("partner_id", "store_customer_id", name="uq_partner_store_customer_id"),
        UniqueConstraint("partner_id", "email", name="uq_partner_store_customer_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: str = Field(max_length=40, index=True)
    store_customer_id: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    customer_id: str = Field(max_length=20)


class PartnerInterchangeRow(SQLModel, table=True):
    """An inbound interchange seen once: the unique (partner, ISA13) is the replay guard.

    Attributes:
        control_key: ISA13 without its zero padding.
    """

    __tablename__ = "partner_interchange"
    __table_args__ = (UniqueConstraint("partner_id", "control_key", name="uq_partner_interchange"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: str = Field(max_length=40)
    control_key: str = Field(max_length=20)
    received_at: datetime = Field(default_factory=utc_now)


class PartnerControlRow(SQLModel, table=True):
    """The last control numbers used toward one partner: raised by one UPDATE each."""

    __tablename__ = "partner_control"

    partner_id: str = Field(primary_key=True, max_length=40)
    isa13: int = 0
    gs06: int = 0
    st02: int = 0


class PartnerDocumentRow(SQLModel, table=True):
    """One archived document (`canonical.partners.ArchivedDocument`).

    Attributes:
        isa13_key: `isa13` without its zero padding, for matching acknowledgments.
        gs06_key: `gs06` likewise (a 997's AK102 names the group).
    """

    __tablename__ = "partner_document"
    __table_args__ = (
        Index("ix_partner_document_isa13", "partner_id", "isa13_key"),
        Index("ix_partner_document_gs06", "partner_id", "gs06_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=3)
    partner_id: str = Field(max_length=40, index=True)
    document_type: str = Field(max_length=10)
    isa13: str = Field(default="", max_length=20)
    gs06: str = Field(default="", max_length=20)
    st02: str = Field(default="", max_length=20)
    isa13_key: str = Field(default="", max_length=20)
    gs06_key: str = Field(default="", max_length=20)
    reference: str = Field(default="", max_length=80, index=True)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
