"""The store's one clock: when a row was written, in UTC."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, timezone-aware, in UTC (what every `*_at` column holds)."""
    return datetime.now(UTC)
