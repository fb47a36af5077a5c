"""Webhook signatures: HMAC-SHA256 over the raw body with a secret per source.

The header is `X-Ordermesh-Signature: sha256=<hex digest>`, the shape GitHub and most
WMS/carrier platforms use. Pure functions; the sender and the receiver share them.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Ordermesh-Signature"
_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify(secret: str, body: bytes, header_value: str | None) -> bool:
    """True when `header_value` is the signature of `body`; constant time."""
    if not header_value or not header_value.startswith(_PREFIX):
        return False
    value = header_value.strip()
    if not value.isascii():
        # compare_digest raises TypeError on non-ASCII str; such a header is no signature.
        return False
    return hmac.compare_digest(sign(secret, body), value)
