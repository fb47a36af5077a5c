"""Engine and schema, on each backend."""

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from store.db import create_schema, make_engine


def test_make_engine_creates_the_sqlite_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ordermesh.db"

    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
    finally:
        engine.dispose()

    assert path.parent.is_dir()
    assert path.is_file()


def test_make_engine_accepts_in_memory_sqlite() -> None:
    engine = make_engine("sqlite:///:memory:")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 2")).scalar_one() == 2
    finally:
        engine.dispose()


def test_create_schema_makes_the_inbox_table(engine: Engine) -> None:
    inspector = inspect(engine)

    assert "inbound_event" in inspector.get_table_names()
    columns = {c["name"] for c in inspector.get_columns("inbound_event")}
    assert columns == {
        "id",
        "source",
        "event_id",
        "order_id",
        "kind",
        "outcome",
        "received_at",
    }
    uniques = inspector.get_unique_constraints("inbound_event")
    assert [sorted(u["column_names"]) for u in uniques] == [["event_id", "source"]]
    indexed = [i["column_names"] for i in inspector.get_indexes("inbound_event")]
    assert ["order_id"] in indexed


def test_create_schema_twice_is_harmless(engine: Engine) -> None:
    create_schema(engine)

    assert "inbound_event" in inspect(engine).get_table_names()


def test_make_engine_on_each_backend(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
        assert inspect(engine).get_table_names() == []  # an empty database to start with
    finally:
        engine.dispose()
