"""How adapters fail, in two kinds the workflow can act on.

Every adapter classifies what went wrong where it happened, so that nothing above it
has to read status codes:

- `TransientError`: the call may well succeed if repeated unchanged. Timeouts,
  refused or reset connections, HTTP 408/425/429/5xx, SAP's "no work process
  available" (503), a locked document (423), an expired CSRF token that could not be
  refreshed. Activities let these propagate, and Temporal retries with backoff.
- `RejectionError`: the outside system understood the request and said no; repeating
  it will not help. Unknown customer, insufficient stock, a document in a state that
  forbids the change, SAP's business-exception envelopes. Each carries a stable
  `code` that activities turn into the `type` of a non-retryable `ApplicationError`,
  which the workflow acts on.

    AdapterError
    ├── TransientError
    └── RejectionError
        └── NotFoundError

`NotFoundError` is a rejection with code `NOT_FOUND`; compensations treat it as
"already undone", which is what makes them safe to run twice.
"""


class AdapterError(Exception):
    """Base of everything an adapter raises on purpose.

    Attributes:
        system: Which outside system failed (`erp`, `wms`, `carrier`, ...).
    """

    def __init__(self, message: str, *, system: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.system = system


class TransientError(AdapterError):
    """Worth retrying unchanged."""


class RejectionError(AdapterError):
    """A business refusal; retrying unchanged will not help.

    Attributes:
        code: Stable, upper-case reason, e.g. `UNKNOWN_CUSTOMER`, `INSUFFICIENT_STOCK`.
    """

    def __init__(self, message: str, *, code: str, system: str = "") -> None:
        super().__init__(message, system=system)
        self.code = code


class NotFoundError(RejectionError):
    """The thing addressed does not exist (or no longer does)."""

    def __init__(self, message: str, *, system: str = "") -> None:
        super().__init__(message, code="NOT_FOUND", system=system)


# Status codes that mean "try again later" whatever the system.
TRANSIENT_STATUS_CODES = frozenset({408, 423, 425, 429, 500, 502, 503, 504})
