"""Damaged real files are refused or read, never a crash, down to the readers."""

import random
from decimal import Decimal

import pytest

from canonical.quantities import UnitOfMeasure
from canonical.x12.ack855 import read_855
from canonical.x12.ack997 import build_997, read_997
from canonical.x12.asn856 import read_856
from canonical.x12.envelope import read_x12
from canonical.x12.invoice810 import read_810
from canonical.x12.po850 import read_850, to_submission
from canonical.x12.structure import TransactionSet
from canonical.x12.ta1 import ta1_for
from tests.unit.x12.corpus import corpus_bytes, corpus_names

_NOISE = b"*~>!|\n\r \t0123456789ABCSEGIT^\xc2\xa0\xb2"


def read_everything(data: bytes) -> None:
    result = read_x12(data)
    for interchange in result.interchanges:
        ta1_for(interchange)
        for group in interchange.groups:
            build_997(group)
            for ts in group.sets:
                read_set(ts)


def read_set(ts: TransactionSet) -> None:
    if ts.set_id == "850":
        to_submission(
            read_850(ts),
            customer_id="C1",
            resolve_item=lambda pairs: "SKU1",
            to_base_unit=lambda sku, uom, quantity: (quantity, UnitOfMeasure.PC),
        )
    readers = {"855": read_855, "856": read_856, "810": read_810, "997": read_997}
    if ts.set_id in readers:
        readers[ts.set_id](ts)


def damaged(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return data[: rng.randrange(len(data))]
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.4:
            out[at] = rng.choice(_NOISE)
        elif roll < 0.7:
            del out[at]
        else:
            out.insert(at, rng.choice(_NOISE))
    return bytes(out)


@pytest.mark.parametrize("name", corpus_names())
def test_damaged_copies_of_each_corpus_file_never_crash(name: str) -> None:
    rng = random.Random(name)
    data = corpus_bytes(name)

    for _ in range(25):
        read_everything(damaged(data, rng))


def test_a_quantity_too_big_for_an_order_line_is_a_refusal_not_a_crash() -> None:
    data = corpus_bytes("850_v4010_buysnacks_BT-ST_7lines_CA-uom.edi")
    po = read_850(
        read_x12(data.replace(b"PO1**16*CA", b"PO1**1600000000000000*CA")).transaction_sets[0]
    )

    result = to_submission(
        po,
        customer_id="C1",
        resolve_item=lambda pairs: "SKU1",
        to_base_unit=lambda sku, uom, quantity: (quantity * Decimal(1), UnitOfMeasure.PC),
    )

    assert result.submission is None
    assert [(p.code, p.po1_index) for p in result.problems] == [("invalid_order", 1)]
