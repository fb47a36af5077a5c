"""The trading-partner registry, on each backend: partners and their lookups, item and
unit cross-references and store customers."""

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, inspect

from canonical.partners import (
    ItemCrossReference,
    PartnerKind,
    StoreCustomerMapping,
    TradingPartner,
    UomConversion,
    UsageIndicator,
)
from canonical.quantities import UnitOfMeasure
from store.partners import PartnerConflict, PartnerRegistry


@pytest.fixture
def registry(engine: Engine) -> PartnerRegistry:
    return PartnerRegistry(engine)


def edi(partner_id: str = "BUYCO", **changes: object) -> TradingPartner:
    fields: dict[str, object] = {
        "partner_id": partner_id,
        "name": "Buy Co",
        "kind": "edi",
        "interchange_qualifier": "ZZ",
        "interchange_id": partner_id,
        "our_qualifier": "ZZ",
        "our_interchange_id": "ACME",
        "endpoint_url": "http://127.0.0.1:8080/as2/plain",
        "customer_id": "1000001",
        **changes,
    }
    return TradingPartner.model_validate(fields)


def store(partner_id: str = "ACMESHOP", **changes: object) -> TradingPartner:
    fields: dict[str, object] = {
        "partner_id": partner_id,
        "name": "Acme shop",
        "kind": "store",
        "shop_domain": "acme-store.myshopify.com",
        "webhook_secret_ref": "acme-store",
        "customer_id": "1000003",
        **changes,
    }
    return TradingPartner.model_validate(fields)


def xref(qualifier: str, value: str, sku: str, partner_id: str = "BUYCO") -> ItemCrossReference:
    return ItemCrossReference(partner_id=partner_id, qualifier=qualifier, value=value, sku=sku)


def uom(
    from_uom: str, factor: str, *, partner_id: str = "BUYCO", sku: str = "", to_uom: str = "PC"
) -> UomConversion:
    return UomConversion(
        partner_id=partner_id,
        sku=sku,
        from_uom=from_uom,
        to_uom=UnitOfMeasure(to_uom),
        factor=Decimal(factor),
    )


# -- partners ------------------------------------------------------------------------


def test_the_schema_has_the_partner_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert {
        "partner",
        "partner_item_xref",
        "partner_uom_conversion",
        "partner_store_customer",
        "partner_interchange",
        "partner_control",
        "partner_document",
    } <= tables


def test_upsert_creates_then_updates(registry: PartnerRegistry) -> None:
    assert registry.upsert_partner(edi()) is True
    assert registry.partner("BUYCO") == edi()

    changed = edi(name="Buy Co GmbH", usage_indicator="T", version="005010")
    assert registry.upsert_partner(changed) is False

    got = registry.partner("BUYCO")
    assert got == changed
    assert got is not None and got.usage_indicator is UsageIndicator.TEST
    assert got.isa_version == "00501"
    assert [p.partner_id for p in registry.partners()] == ["BUYCO"]


def test_an_edi_partner_keeps_its_envelope_settings(registry: PartnerRegistry) -> None:
    partner = edi(
        element_separator="|",
        component_separator="^",
        segment_terminator="\n",
        application_sender_id="BUYCOAPP",
    )
    registry.upsert_partner(partner)

    got = registry.partner("BUYCO")
    assert got is not None
    assert (got.element_separator, got.component_separator, got.segment_terminator) == (
        "|",
        "^",
        "\n",
    )
    assert (got.application_sender_id, got.application_receiver_id) == ("BUYCOAPP", "ACME")
    assert got.kind is PartnerKind.EDI and got.customer_id == "1000001"


def test_unknown_partners_are_none(registry: PartnerRegistry) -> None:
    assert registry.partner("NOPE") is None
    assert registry.partners() == []
    assert registry.partner_by_interchange("ZZ", "NOPE") is None
    assert registry.store_by_domain("nope.myshopify.com") is None


def test_partners_are_listed_by_id(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi("ZETA"))
    registry.upsert_partner(store())
    registry.upsert_partner(edi("ALPHA"))

    assert [p.partner_id for p in registry.partners()] == ["ACMESHOP", "ALPHA", "ZETA"]


@pytest.mark.parametrize(
    ("qualifier", "sent"),
    [
        ("ZZ", "BUYCO          "),  # ISA06 as it is on the wire: padded to 15
        ("zz", "buyco"),
        (" ZZ", "  BuyCo  "),
    ],
)
def test_a_partner_is_found_by_its_isa_sender_padded_or_not(
    registry: PartnerRegistry, qualifier: str, sent: str
) -> None:
    registry.upsert_partner(edi())
    registry.upsert_partner(edi("OTHER"))

    found = registry.partner_by_interchange(qualifier, sent)

    assert found is not None and found.partner_id == "BUYCO"
    assert registry.partner_by_interchange("01", "BUYCO") is None  # another qualifier


def test_a_sender_changed_by_an_update_is_found_under_the_new_id(
    registry: PartnerRegistry,
) -> None:
    registry.upsert_partner(edi())
    registry.upsert_partner(edi(interchange_qualifier="01", interchange_id="123456789"))

    assert registry.partner_by_interchange("ZZ", "BUYCO") is None
    found = registry.partner_by_interchange("01", "123456789      ")
    assert found is not None and found.partner_id == "BUYCO"


def test_two_partners_cannot_send_as_one_isa_sender(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi())

    with pytest.raises(PartnerConflict, match="ISA sender ZZ:BUYCO is partner BUYCO's"):
        registry.upsert_partner(edi("COPYCAT", interchange_id="buyco"))

    assert registry.partner("COPYCAT") is None


def test_a_store_is_found_by_its_domain(registry: PartnerRegistry) -> None:
    registry.upsert_partner(store())

    for domain in (
        "acme-store.myshopify.com",
        "ACME-Store.MyShopify.com",
        "https://acme-store.myshopify.com/",
    ):
        found = registry.store_by_domain(domain)
        assert found is not None and found.partner_id == "ACMESHOP", domain
    assert found is not None and found.webhook_secret_ref == "acme-store"
    with pytest.raises(PartnerConflict, match=r"shop domain acme-store\.myshopify\.com"):
        registry.upsert_partner(store("SECOND"))


def test_bad_partners_are_refused_by_the_model() -> None:
    with pytest.raises(ValidationError, match="an edi partner needs interchange_id"):
        edi(interchange_id="")
    with pytest.raises(ValidationError, match="customer_id"):
        edi(customer_id="")
    with pytest.raises(ValidationError, match="a store partner needs shop_domain"):
        store(shop_domain="")
    with pytest.raises(ValidationError, match="must differ"):
        edi(element_separator="~")
    with pytest.raises(ValidationError, match="no credentials"):
        edi(endpoint_url="https://user:pw@edi.example.com/in")
    with pytest.raises(ValidationError, match="kind"):
        edi(kind="as2")
    with pytest.raises(ValidationError, match="factor"):
        uom("CA", "0")
    with pytest.raises(ValidationError, match="to itself"):
        uom("PC", "1")


# -- item cross-references -----------------------------------------------------------


def test_the_first_pair_with_a_cross_reference_wins(registry: PartnerRegistry) -> None:
    registry.upsert_partner(
        edi(),
        items=[xref("BP", "B-778", "TG11"), xref("UP", "012345678905", "TG12")],
    )

    assert registry.sku_for("BUYCO", [("BP", "B-778")]) == "TG11"
    assert registry.sku_for("BUYCO", [("IN", "nope"), ("UP", "012345678905")]) == "TG12"
    assert registry.sku_for("BUYCO", [("UP", "012345678905"), ("BP", "B-778")]) == "TG12"
    # Qualifier and value are matched ignoring case and surrounding space.
    assert registry.sku_for("BUYCO", [("bp", " b-778 ")]) == "TG11"
    # The value is matched with its qualifier: a UPC is no buyer's part.
    assert registry.sku_for("BUYCO", [("UP", "B-778")]) is None
    assert registry.sku_for("BUYCO", []) is None


def test_cross_references_are_the_partners_own(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi(), items=[xref("BP", "B-778", "TG11")])
    registry.upsert_partner(edi("OTHER"), items=[xref("BP", "B-778", "TG12", "OTHER")])

    assert registry.sku_for("BUYCO", [("BP", "B-778")]) == "TG11"
    assert registry.sku_for("OTHER", [("BP", "B-778")]) == "TG12"
    assert registry.sku_for("THIRD", [("BP", "B-778")]) is None


def test_a_vendor_part_is_our_sku_when_nothing_cross_references_it(
    registry: PartnerRegistry,
) -> None:
    registry.upsert_partner(
        edi(), items=[xref("BP", "B-778", "TG11"), xref("VP", "OLD-11", "TG11")]
    )

    assert registry.sku_for("BUYCO", [("VP", "TG12")]) == "TG12"
    # A cross-reference anywhere in the line wins over taking VP as it is...
    assert registry.sku_for("BUYCO", [("VP", "TG12"), ("BP", "B-778")]) == "TG11"
    # ...and a VP with a cross-reference (an old part number) maps like any other.
    assert registry.sku_for("BUYCO", [("VP", "OLD-11")]) == "TG11"
    assert registry.sku_for("BUYCO", [("BP", "unknown"), ("VP", " TG13 ")]) == "TG13"
    assert registry.sku_for("BUYCO", [("BP", "unknown")]) is None


def test_an_update_replaces_the_cross_references(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi(), items=[xref("BP", "B-1", "TG11"), xref("BP", "B-2", "TG12")])

    # The same key again (another case) in the update: replaced, not a duplicate.
    registry.upsert_partner(edi(), items=[xref("BP", "b-1", "TG12")])

    assert registry.sku_for("BUYCO", [("BP", "B-1")]) == "TG12"
    assert registry.sku_for("BUYCO", [("BP", "B-2")]) is None
    assert registry.items("BUYCO") == [xref("BP", "b-1", "TG12")]


def test_duplicates_and_foreign_rows_are_refused_and_nothing_is_written(
    registry: PartnerRegistry,
) -> None:
    registry.upsert_partner(edi(), items=[xref("BP", "B-1", "TG11")])

    with pytest.raises(PartnerConflict, match=r"items\[1\]: BP b-1 is cross-referenced twice"):
        registry.upsert_partner(
            edi(name="changed"), items=[xref("BP", "B-1", "TG11"), xref("BP", "b-1", "TG12")]
        )
    with pytest.raises(PartnerConflict, match="name other partners"):
        registry.upsert_partner(edi(name="changed"), items=[xref("BP", "B-9", "TG11", "OTHER")])
    with pytest.raises(PartnerConflict, match=r"uoms\[1\]: CA to PC for TG11 is given twice"):
        registry.upsert_partner(
            edi(), uoms=[uom("CA", "12", sku="TG11"), uom("ca", "6", sku="TG11")]
        )

    got = registry.partner("BUYCO")
    assert got is not None and got.name == "Buy Co"
    assert registry.items("BUYCO") == [xref("BP", "B-1", "TG11")]


# -- units ---------------------------------------------------------------------------


def test_two_cases_are_twenty_four_pieces(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi(), uoms=[uom("CA", "12")])

    assert registry.to_base_unit("BUYCO", "TG11", "CA", Decimal(2)) == (Decimal(24), "PC")
    assert registry.to_base_unit("BUYCO", "TG11", " ca ", Decimal(2)) == (Decimal(24), "PC")


def test_the_most_specific_conversion_applies(registry: PartnerRegistry) -> None:
    registry.set_conversion(uom("CA", "6", partner_id=""))  # global, every SKU
    registry.set_conversion(uom("CA", "8", partner_id="", sku="TG12"))  # global, TG12
    registry.upsert_partner(
        edi(),
        uoms=[uom("CA", "10"), uom("CA", "12", sku="TG11")],  # BUYCO, and BUYCO's TG11
    )
    registry.upsert_partner(edi("OTHER"))

    def pieces(partner_id: str, sku: str) -> Decimal | None:
        converted = registry.to_base_unit(partner_id, sku, "CA", Decimal(2))
        return None if converted is None else converted[0]

    assert pieces("BUYCO", "TG11") == 24  # partner + SKU
    assert pieces("BUYCO", "TG12") == 20  # partner, before global + SKU
    assert pieces("OTHER", "TG12") == 16  # global + SKU
    assert pieces("OTHER", "TG11") == 12  # global
    assert pieces("", "TG11") == 12


def test_a_global_conversion_survives_a_partner_update(registry: PartnerRegistry) -> None:
    registry.set_conversion(uom("PAL", "480", partner_id=""))
    registry.set_conversion(uom("PAL", "500", partner_id=""))  # changed, not doubled
    registry.upsert_partner(edi(), uoms=[uom("CA", "12")])
    registry.upsert_partner(edi(), uoms=[])

    assert registry.to_base_unit("BUYCO", "TG11", "PAL", Decimal(1)) == (Decimal(500), "PC")
    assert registry.to_base_unit("BUYCO", "TG11", "CA", Decimal(1)) is None
    assert registry.conversions("BUYCO") == []
    assert registry.conversions("") == [uom("PAL", "500", partner_id="")]


def test_the_base_unit_is_itself_and_each_is_a_piece(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi())

    assert registry.to_base_unit("BUYCO", "TG11", "PC", Decimal(5)) == (Decimal(5), "PC")
    assert registry.to_base_unit("BUYCO", "TG11", "EA", Decimal(5)) == (Decimal(5), "PC")
    assert registry.to_base_unit("BUYCO", "TG11", "PC", Decimal(5), base_uom="EA") == (
        Decimal(5),
        "EA",
    )
    assert registry.to_base_unit("BUYCO", "TG11", "KG", Decimal(5), base_uom="KG") == (
        Decimal(5),
        "KG",
    )
    # Nothing converts a box: refused (None), never guessed.
    assert registry.to_base_unit("BUYCO", "TG11", "BX", Decimal(1)) is None
    assert registry.to_base_unit("BUYCO", "TG11", "EA", Decimal(1), base_uom="KG") is None


def test_a_partners_each_row_wins_over_the_piece_rule(registry: PartnerRegistry) -> None:
    # This partner's "each" is a pack of two.
    registry.upsert_partner(edi(), uoms=[uom("EA", "2")])

    assert registry.to_base_unit("BUYCO", "TG11", "EA", Decimal(3)) == (Decimal(6), "PC")


def test_a_conversion_to_each_serves_a_piece_base(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi(), uoms=[uom("CS", "24", to_uom="EA")])

    assert registry.to_base_unit("BUYCO", "TG11", "CS", Decimal("0.5")) == (Decimal(12), "PC")


def test_fractional_factors_keep_their_precision(registry: PartnerRegistry) -> None:
    registry.upsert_partner(edi(), uoms=[uom("LB", "0.453592", to_uom="KG")])

    converted = registry.to_base_unit("BUYCO", "TG11", "LB", Decimal(10), base_uom="KG")

    assert converted == (Decimal("4.53592"), "KG")
    assert registry.conversions("BUYCO")[0].factor == Decimal("0.453592")


# -- store customers -----------------------------------------------------------------


def test_a_shopper_is_mapped_by_id_then_email_then_the_default(
    registry: PartnerRegistry,
) -> None:
    registry.upsert_partner(
        store(),
        store_customers=[
            StoreCustomerMapping(
                partner_id="ACMESHOP", store_customer_id="207119551", customer_id="1000001"
            ),
            StoreCustomerMapping(
                partner_id="ACMESHOP", email="Buyer@Becker.example", customer_id="1000002"
            ),
        ],
    )

    assert registry.customer_for_store("ACMESHOP", "207119551", None) == "1000001"
    assert registry.customer_for_store("ACMESHOP", "207119551", "buyer@becker.example") == "1000001"
    assert registry.customer_for_store("ACMESHOP", "999", " BUYER@becker.example ") == "1000002"
    assert registry.customer_for_store("ACMESHOP", None, "someone@else.example") == "1000003"
    assert registry.customer_for_store("ACMESHOP", None, None) == "1000003"
    assert registry.customer_for_store("NOSHOP", "207119551", None) is None
    assert [m.email for m in registry.store_customers("ACMESHOP")] == ["", "buyer@becker.example"]


def test_a_store_without_a_default_customer_maps_only_whom_it_knows(
    registry: PartnerRegistry,
) -> None:
    registry.upsert_partner(
        store(customer_id=""),
        store_customers=[
            StoreCustomerMapping(
                partner_id="ACMESHOP", store_customer_id="1", customer_id="1000001"
            ),
            StoreCustomerMapping(
                partner_id="ACMESHOP", store_customer_id="2", customer_id="1000002"
            ),
        ],
    )

    assert registry.customer_for_store("ACMESHOP", "2", None) == "1000002"
    assert registry.customer_for_store("ACMESHOP", "3", None) is None


def test_a_store_customer_mapping_needs_a_key() -> None:
    with pytest.raises(ValidationError, match="store_customer_id or email"):
        StoreCustomerMapping(partner_id="ACMESHOP", customer_id="1000001")
