"""Engine and schema."""

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import SQLModel, create_engine

# Imported for its side effect: the tables register on SQLModel.metadata.
from store import cash_tables, partner_tables, return_tables, tables  # noqa: F401


def make_engine(url: str) -> Engine:
    """An engine for `url`, creating the SQLite file's folder when needed."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
