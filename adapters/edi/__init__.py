"""Delivering our EDI documents to trading partners."""
