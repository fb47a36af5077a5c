"""Payment terms: how long a customer has to pay an invoice.

Terms are written as the ERP keys them. Ordermesh reads `NTnn` (net nn days) and
`0001` (payable at once), which is what SAP's standard terms and mock-sap use; a key
it cannot read is refused where it is configured, not guessed at when an invoice falls
due.
"""

import re
from datetime import date, timedelta

DEFAULT_PAYMENT_TERMS = "NT30"

_NET_DAYS = re.compile(r"^NT(\d{1,3})$")
_IMMEDIATE = "0001"


def net_days(terms: str) -> int:
    """The days the terms allow, e.g. `net_days("NT45") == 45`.

    Raises:
        ValueError: Terms this module cannot read.
    """
    key = terms.strip().upper()
    if key == _IMMEDIATE:
        return 0
    match = _NET_DAYS.match(key)
    if match is None:
        raise ValueError(f"payment terms {terms!r} are not NTnn (net nn days) or 0001")
    return int(match.group(1))


def due_date(billed_on: date, terms: str) -> date:
    """The net due date of an invoice billed on `billed_on` under `terms`."""
    return billed_on + timedelta(days=net_days(terms))


def checked_terms(terms: str) -> str:
    """`terms` upper-cased, after checking they can be read (for pydantic validators)."""
    net_days(terms)
    return terms.strip().upper()
