"""Ports and adapters for the outside systems: one port per system, its httpx
implementation, and an in-memory fake that records what it was asked."""
