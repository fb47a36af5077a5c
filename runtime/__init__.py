"""Process-edge concerns shared by the API and the workers: settings read from the
environment and the Temporal client (always with the pydantic data converter)."""
