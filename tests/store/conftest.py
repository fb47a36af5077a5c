"""Store fixtures: every test runs on SQLite, and on PostgreSQL when CI provides one.

On PostgreSQL each test gets a schema of its own (`t_<uuid>`, first on the
`search_path` of every connection) that is dropped afterwards, so runs in parallel
or after a crash never see each other's rows.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from store.db import create_schema, make_engine
from tests.helpers import postgres_url

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                postgres_url() is None,
                reason="TEST_DATABASE_URL is not set (CI sets it to a PostgreSQL database)",
            ),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database on the backend of this parameter."""
    if request.param == "sqlite":
        # A folder that does not exist yet: make_engine is expected to create it.
        yield f"sqlite:///{tmp_path / 'data' / 'ordermesh.db'}"
        return
    url = postgres_url()
    assert url is not None
    schema = f"t_{uuid.uuid4().hex}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        isolated = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield isolated.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The store's engine with its schema created."""
    engine = make_engine(database_url)
    create_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()
