"""Engine and schema."""

import time
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import SQLModel, create_engine

# Imported for its side effect: the tables register on SQLModel.metadata.
from store import cash_tables, partner_tables, return_tables, tables  # noqa: F401


def make_engine(url: str) -> Engine:
    """An engine for `url`, creating the SQLite file's folder when needed."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """Create what is missing. The API and the workers share one database and start
    together: when another process creates a table between our look and our create,
    the create fails ("already exists"), and looking again finds it there."""
    for attempt in range(attempts):
        try:
            SQLModel.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
