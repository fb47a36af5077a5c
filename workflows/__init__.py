"""Temporal workflows. Deterministic: all I/O happens in activities."""
