"""Request and response models of `/partners`: `PartnerCreate` (a partner with its
cross-references), `PartnerPublic` / `PartnerDetailPublic` (never a secret), and
`DocumentPublic` (the archive)."""

from typing import Self

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from canonical.partners import (
    ArchivedDocument,
    ItemCrossReference,
    StoreCustomerMapping,
    TradingPartner,
    UomConversion,
    duplicates,
)

MAX_LINES = 10_000


class ItemCrossReferenceCreate(ItemCrossReference):
    """One of the partner's item ids for one of our SKUs; the partner is the body's."""

    partner_id: SkipJsonSchema[str] = ""


class UomConversionCreate(UomConversion):
    """One of the partner's own unit conversions (global ones are not set here)."""

    partner_id: SkipJsonSchema[str] = ""


class StoreCustomerCreate(StoreCustomerMapping):
    """A store shopper (by store customer id or email) and the SAP customer they buy as."""

    partner_id: SkipJsonSchema[str] = ""


class PartnerCreate(TradingPartner):
    """The body of `POST /partners`: the partner, and the cross-references that replace
    its own.

    Attributes:
        items: Its item ids for our SKUs; each (qualifier, value) once.
        uoms: Its unit conversions; each (sku, from_uom, to_uom) once.
        store_customers: A store's shoppers and their SAP customers; each store
            customer id and each email once.
    """

    items: list[ItemCrossReferenceCreate] = Field(default=[], max_length=MAX_LINES)
    uoms: list[UomConversionCreate] = Field(default=[], max_length=MAX_LINES)
    store_customers: list[StoreCustomerCreate] = Field(default=[], max_length=MAX_LINES)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        lines: list[tuple[str, int, str]] = [
            *(("items", n, line.partner_id) for n, line in enumerate(self.items)),
            *(("uoms", n, line.partner_id) for n, line in enumerate(self.uoms)),
            *(
                ("store_customers", n, line.partner_id)
                for n, line in enumerate(self.store_customers)
            ),
        ]
        named = [f"{name}[{n}]" for name, n, pid in lines if pid not in ("", self.partner_id)]
        if named:
            raise ValueError(f"{', '.join(named)} name another partner than {self.partner_id}")
        problems = duplicates(self.items, self.uoms, self.store_customers)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def parts(
        self,
    ) -> tuple[
        TradingPartner,
        list[ItemCrossReference],
        list[UomConversion],
        list[StoreCustomerMapping],
    ]:
        """The partner and its cross-references as the registry takes them."""
        pid = {"partner_id": self.partner_id}
        partner = TradingPartner.model_validate(
            self.model_dump(include=set(TradingPartner.model_fields))
        )
        return (
            partner,
            [ItemCrossReference.model_validate({**i.model_dump(), **pid}) for i in self.items],
            [UomConversion.model_validate({**u.model_dump(), **pid}) for u in self.uoms],
            [
                StoreCustomerMapping.model_validate({**m.model_dump(), **pid})
                for m in self.store_customers
            ],
        )


class PartnerPublic(TradingPartner):
    """A partner as the API shows it: its webhook secret's reference is not shown,
    only whether it has one.

    Attributes:
        webhook_secret_configured: A store: whether a webhook secret is set.
    """

    webhook_secret_ref: SkipJsonSchema[str] = Field(default="", exclude=True, repr=False)
    webhook_secret_configured: bool = False

    @classmethod
    def of(cls, partner: TradingPartner) -> Self:
        fields = partner.model_dump(exclude={"webhook_secret_ref"})
        return cls.model_validate(
            {**fields, "webhook_secret_configured": bool(partner.webhook_secret_ref)}
        )


class PartnerDetailPublic(PartnerPublic):
    """A partner with its cross-references (`GET /partners/{partner_id}`, and the
    answer to `POST /partners`)."""

    items: list[ItemCrossReference] = []
    uoms: list[UomConversion] = []
    store_customers: list[StoreCustomerMapping] = []


class DocumentPublic(ArchivedDocument):
    """A document received from or sent to a partner, from the archive."""
