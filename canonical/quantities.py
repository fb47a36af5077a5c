"""Quantities with units of measure.

The unit codes are ISO/SAP-style internal codes. A unit outside this list is refused at
the front door: guessing what "BX" or "BOXES" means is how a case of 12 ships as 1.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field


class UnitOfMeasure(StrEnum):
    """Units Ordermesh understands. `PC` (piece) is the base unit of most SKUs."""

    PC = "PC"
    EA = "EA"
    CA = "CA"  # case; how many pieces depends on the item (cross-reference)
    BOX = "BOX"
    PAL = "PAL"
    DZ = "DZ"
    KG = "KG"
    G = "G"
    L = "L"
    M = "M"
    H = "H"


# Units that are counted, not measured: a quantity in them must be whole.
COUNTED_UNITS = frozenset(
    {
        UnitOfMeasure.PC,
        UnitOfMeasure.EA,
        UnitOfMeasure.CA,
        UnitOfMeasure.BOX,
        UnitOfMeasure.PAL,
        UnitOfMeasure.DZ,
    }
)

PositiveQuantity = Annotated[Decimal, Field(gt=0, max_digits=13, decimal_places=3)]


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()


def units(quantity: Decimal) -> str:
    """A quantity as people write it: `1`, `2.5`, never `1.000` or `1E+1`."""
    text = format(quantity.normalize(), "f")
    return text
