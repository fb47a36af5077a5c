"""The sandbox's error bodies: `{"detail": {"code": ..., "message": ...}}`.

A stable upper-case `code` is what clients act on; the message is for people.
"""

from typing import Any

from fastapi import HTTPException


def problem(status_code: int, code: str, message: str, **extra: Any) -> HTTPException:
    """An `HTTPException` whose body carries `code`, `message` and any extra fields."""
    return HTTPException(
        status_code=status_code, detail={"code": code, "message": message, **extra}
    )
