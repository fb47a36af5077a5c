"""Fixtures for adapter tests: an in-process mock-sap, CSRF on, for the whole session.

Tests that use it reset it first (`POST /_mock/reset`); see
`test_sap_against_mock_sap.py` for the per-test handle.
"""

import threading
from collections.abc import Iterator

import pytest
from mocksap import Config, make_server


@pytest.fixture(scope="session")
def mock_sap_url() -> Iterator[str]:
    """One mock-sap for the session, on a free port, in a daemon thread."""
    httpd = make_server(Config(port=0, db_path=":memory:", quiet=True))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
