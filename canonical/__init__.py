"""The canonical model: one shape for orders whatever channel they came from.

Pydantic v2 models only; nothing here does I/O, so workflows, activities, the API
and the sandbox can all share it.
"""
