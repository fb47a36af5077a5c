"""The front door: FastAPI, starting and querying order workflows."""
