"""Where the shared third-party X12 samples live, and small text helpers for tests."""

from pathlib import Path

# <clone>/../shared/corpus/x12, both here and in CI.
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "x12"

BUYSNACKS_850 = "850_v4010_buysnacks_BT-ST_7lines_CA-uom.edi"
NISSAN_850 = "850_v003010_nissan_bang-terminator_yymmdd.edi"
TWO_POS_850 = "850_v4010_two-POs-one-group_SF-uom_defects.edi"
BOM_850 = "850_v4010_bom-nbsp-tab-indented_multi-party_YD-uom.edi"
PETCO_850 = "850_v4010_petco_newline-terminated_KI-uom.edi"
WRAPPED_210 = "210_v4010_80-column-wrapped_freight-invoice.edi"
MIXED_810_850 = "810x2-plus-850-v003010_mixed-groups_buysnacks.edi"


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def corpus_text(name: str) -> str:
    return (CORPUS / name).read_bytes().decode("utf-8-sig")


def corpus_names() -> list[str]:
    return sorted(path.name for path in CORPUS.iterdir() if path.suffix == ".edi")
