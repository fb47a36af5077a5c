"""Ordermesh's own tables (SQLModel): SQLite by default, PostgreSQL in production."""
