"""X12 data element values: dates, times, numbers, and the small shared shapes.

X12 spells numbers without exponents or thousands separators (`R` type: `-12.5`),
money in some places with two implied decimals (`N2`: `28566` is 285.66), and dates
as CCYYMMDD or, in versions before 004010 and in sloppy files, YYMMDD. Readers here
return `None` for a value they cannot read, so the caller can say where it was.
"""

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from canonical.money import round_money
from canonical.quantities import units

_DECIMAL = re.compile(r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)$")
_IMPLIED = re.compile(r"^-?[0-9]+$")
# YYMMDD has no century; X12 leaves it to the parties. 50 keeps 1996 (the buysnacks
# invoices) and 2007 (the Nissan order) both right.
_CENTURY_PIVOT = 50


class ProductId(BaseModel):
    """One qualifier/id pair of a line (PO106/PO107, LIN02/LIN03, ...).

    Attributes:
        qualifier: 235 Product/Service ID Qualifier: `BP` buyer's part, `VP`/`VN`
            vendor's part, `UP`/`UA`/`UK` UPC/GTIN, `EN` EAN, `IN` buyer's item,
            `SK` SKU, ...
    """

    model_config = ConfigDict(frozen=True)

    qualifier: str
    id: str


class Reference(BaseModel):
    """A REF segment: qualifier (REF01), value (REF02), description (REF03)."""

    model_config = ConfigDict(frozen=True)

    qualifier: str
    value: str
    description: str = ""


def is_digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes `²` and other scripts' digits."""
    return text.isascii() and text.isdigit()


def parse_date(text: str) -> date | None:
    """CCYYMMDD or YYMMDD as a date; None when it is neither or not a real day."""
    text = text.strip()
    if not is_digits(text):
        return None
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) == 6:
            yy = int(text[:2])
            century = 2000 if yy < _CENTURY_PIVOT else 1900
            return date(century + yy, int(text[2:4]), int(text[4:]))
    except ValueError:
        return None
    return None


def parse_time(text: str) -> time | None:
    """HHMM, HHMMSS or HHMMSSd..d as a time (fractions dropped); None otherwise."""
    text = text.strip()
    if not is_digits(text) or len(text) < 4:
        return None
    try:
        second = int(text[4:6]) if len(text) >= 6 else 0
        return time(int(text[:2]), int(text[2:4]), second)
    except ValueError:
        return None


def parse_decimal(text: str) -> Decimal | None:
    """An `R`/`N` value as a Decimal; None when empty or not a plain number."""
    text = text.strip()
    if not _DECIMAL.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already rules it out
        return None


def parse_int(text: str) -> int | None:
    """A count such as SE01 or CTT01; zero-padded values (`000001`) are fine."""
    text = text.strip()
    return int(text) if is_digits(text) else None


def parse_implied(text: str, places: int = 2) -> Decimal | None:
    """An `N2` value: `28566` is 285.66."""
    text = text.strip()
    if not _IMPLIED.match(text):
        return None
    return Decimal(text).scaleb(-places)


def format_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def format_short_date(value: date) -> str:
    """YYMMDD, for ISA09 only."""
    return value.strftime("%y%m%d")


def format_time(value: time) -> str:
    return value.strftime("%H%M")


def format_decimal(value: Decimal) -> str:
    """An `R` value as X12 wants it: `24`, `2.5`, `-449.49`, never `2.50` or `1E+1`."""
    return units(value)


def format_implied(amount: Decimal, places: int = 2) -> str:
    """An `N2` value: 285.66 is `28566` (rounded half up to cents first)."""
    cents = round_money(amount) if places == 2 else amount.quantize(Decimal(1).scaleb(-places))
    return str(int(cents.scaleb(places)))


class Finding(BaseModel):
    """Something wrong in a document's content, located for a person to fix.

    Attributes:
        code: What kind (`line_count`, `bad_date`, `total_mismatch`...).
        position: 1-based position of the segment within its set (ST = 1).
    """

    model_config = ConfigDict(frozen=True)

    code: str
    segment_id: str
    position: int | None = None
    message: str
