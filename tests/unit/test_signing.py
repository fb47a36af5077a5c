"""Webhook signatures: HMAC-SHA256 over the raw body."""

import hashlib
import hmac

import pytest

from canonical.signing import sign, verify

SECRET = "dev-wms-secret"
BODY = b'{"event_id":"E1","kind":"shipped","order_id":"O1"}'


def test_sign_is_the_prefixed_hmac_sha256_hex_digest() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, BODY) == "sha256=" + expected


def test_round_trip() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY))


def test_trailing_whitespace_in_the_header_is_tolerated() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY) + " \t")


def test_empty_body_round_trips() -> None:
    assert verify(SECRET, b"", sign(SECRET, b""))


def test_tampered_body_fails() -> None:
    header = sign(SECRET, BODY)

    assert not verify(SECRET, BODY.replace(b"shipped", b"delivered"), header)
    assert not verify(SECRET, BODY + b" ", header)


def test_wrong_secret_fails() -> None:
    assert not verify("another-secret", BODY, sign(SECRET, BODY))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "sha256=",
        "sha256=zz",
        "sha1=" + hashlib.sha1(BODY).hexdigest(),  # noqa: S324 - a wrong scheme on purpose
        "SHA256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest().upper(),
        hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(),  # prefix missing
        # Non-ASCII, as a header decoded from latin-1 by the web server can be.
        pytest.param("sha256=\u00e9\u00e9", id="non-ascii-short"),
        pytest.param("sha256=" + "\u00ff" * 64, id="non-ascii-digest-length"),
    ],
)
def test_missing_or_garbled_header_fails(header: str | None) -> None:
    assert verify(SECRET, BODY, header) is False


def test_a_truncated_signature_fails() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY)[:-1])
