"""Turning adapter rejections into what Temporal understands.

A `RejectionError` becomes a non-retryable `ApplicationError` whose `type` is the
rejection's code, so the workflow can branch on it; a `TransientError` propagates
unchanged and Temporal retries it with backoff.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.exceptions import ApplicationError

from adapters.errors import RejectionError


@contextmanager
def rejections_as_application_errors() -> Iterator[None]:
    try:
        yield
    except RejectionError as err:
        raise ApplicationError(
            f"{err.system or 'outside system'} refused: {err.message}",
            {"code": err.code, "system": err.system},
            type=err.code,
            non_retryable=True,
        ) from err
