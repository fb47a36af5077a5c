"""API keys, and the principals they stand for at the front door.

Three roles call the API, each with what it may do:

- `portal`: submits orders for its customers, reads their orders and returns, and asks
  for returns on their orders;
- `support`: reads everything (orders, returns, unapplied cash);
- `ops`: reads everything, cancels and acts on orders, asks for and decides returns,
  runs cash application and applies unapplied cash, and manages trading partners.

Keys come from `ORDERMESH_API_KEYS` as comma-separated `role:key` entries; a portal's
names its customers, `portal:CUSTOMER[+CUSTOMER...]:key`. Only each key's SHA-256
digest is kept; a presented key is hashed and compared with `hmac.compare_digest`
against every entry. No key appears in a repr or an error message: an entry is named
by its position and role, a caller by its role and that position (`ops#1`).

Typical usage example:

    keys = parse_api_keys("ops:k1,support:k2,portal:1000001+1000002:k3")
    principal = keys.principal_for(presented_key)  # None for an unknown key
    if principal is not None and principal.may(Permission.OPERATE):
        ...
"""

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

ENV_NAME = "ORDERMESH_API_KEYS"

# The development keys (`make run`, tests, docker-compose's defaults). The portal is
# scoped to mock-sap's first demo customers.
DEV_OPS_KEY = "dev-ops-key"
DEV_SUPPORT_KEY = "dev-support-key"
DEV_PORTAL_KEY = "dev-portal-key"
DEV_PORTAL_CUSTOMERS = ("1000001", "1000002", "1000003")
DEV_API_KEYS = (
    f"ops:{DEV_OPS_KEY},support:{DEV_SUPPORT_KEY},"
    f"portal:{'+'.join(DEV_PORTAL_CUSTOMERS)}:{DEV_PORTAL_KEY}"
)

FORMAT = "role:key, or portal:CUSTOMER[+CUSTOMER...]:key"
# RFC 6750's b64token: what a bearer token may be made of.
_KEY = re.compile(r"[A-Za-z0-9._~+/-]+=*")
# The same shape as a customer id in `GET /orders?customer_id=`, so a portal's
# customers can go into a visibility query as they are.
CUSTOMER_ID = re.compile(r"[A-Za-z0-9]{1,20}")


class Role(StrEnum):
    PORTAL = "portal"
    SUPPORT = "support"
    OPS = "ops"


class Permission(StrEnum):
    """What a route needs; the value completes "this API key may not ..."."""

    SUBMIT_ORDERS = "submit orders"
    READ_ORDERS = "read orders and returns"
    READ_ALL = "read back-office data"
    REQUEST_RETURNS = "request returns"
    OPERATE = "operate on orders, returns and cash"
    MANAGE_PARTNERS = "manage trading partners"


PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.PORTAL: frozenset(
        {Permission.SUBMIT_ORDERS, Permission.READ_ORDERS, Permission.REQUEST_RETURNS}
    ),
    Role.SUPPORT: frozenset({Permission.READ_ORDERS, Permission.READ_ALL}),
    Role.OPS: frozenset(
        {
            Permission.READ_ORDERS,
            Permission.READ_ALL,
            Permission.REQUEST_RETURNS,
            Permission.OPERATE,
            Permission.MANAGE_PARTNERS,
        }
    ),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling.

    Attributes:
        name: How to name the caller in a message or a log line: its role and its
            entry's position in the key table (`portal#3`), never its key.
        roles: What it is; its permissions are theirs together.
        customers: The customers it acts for; None for all of them (staff).
    """

    name: str
    roles: frozenset[Role]
    customers: frozenset[str] | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset(p for role in self.roles for p in PERMISSIONS[role])

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def sees(self, customer_id: str) -> bool:
        """Whether this caller may see (or act for) the customer's orders."""
        return self.customers is None or customer_id in self.customers


class ApiKeyError(ValueError):
    """A malformed `ORDERMESH_API_KEYS`; the message names the entry, never its key."""


class ApiKeys:
    """The key table: the digest of each key and the principal it stands for.

    Args:
        entries: `(key, principal)` pairs; only the keys' digests are kept.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[tuple[str, Principal]] = ()) -> None:
        self._entries: tuple[tuple[bytes, Principal], ...] = tuple(
            (_digest(key), principal) for key, principal in entries
        )

    def principal_for(self, presented: str) -> Principal | None:
        """The principal of a presented key, None when no entry has it. Every entry is
        compared, in constant time, so how long it takes says nothing of which."""
        digest = _digest(presented)
        found: Principal | None = None
        for stored, principal in self._entries:
            if hmac.compare_digest(stored, digest):
                found = principal
        return found

    @property
    def principals(self) -> list[Principal]:
        return [principal for _, principal in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ApiKeys([{', '.join(p.name for p in self.principals)}])"


def parse_api_keys(text: str) -> ApiKeys:
    """The key table from `ORDERMESH_API_KEYS`, e.g. `ops:k1,portal:1000001+1000002:k2`.

    Blank entries (a trailing comma) are skipped.

    Raises:
        ApiKeyError: An entry is malformed; says which and why, without its key.
    """
    entries: list[tuple[str, Principal]] = []
    seen: dict[bytes, int] = {}
    for number, entry in enumerate(text.split(","), start=1):
        if not entry.strip():
            continue
        key, principal = _entry(number, entry.strip())
        digest = _digest(key)
        if digest in seen:
            raise ApiKeyError(
                f"{ENV_NAME} entry {number} ({principal.name}) has the same key as entry"
                f" {seen[digest]}: give every role its own key"
            )
        seen[digest] = number
        entries.append((key, principal))
    return ApiKeys(entries)


def _entry(number: int, entry: str) -> tuple[str, Principal]:
    parts = [part.strip() for part in entry.split(":")]
    where = f"{ENV_NAME} entry {number}"
    if len(parts) < 2:
        raise ApiKeyError(f"{where} is not {FORMAT}")
    try:
        role = Role(parts[0])
    except ValueError:
        # The text is not echoed: in a mangled entry it may be the key.
        raise ApiKeyError(
            f"{where}: the role must be one of {', '.join(Role)} ({FORMAT})"
        ) from None
    where = f"{where} ({role.value})"
    name = f"{role.value}#{number}"
    if role is Role.PORTAL:
        if len(parts) != 3:
            raise ApiKeyError(f"{where}: a portal key names its customers: {FORMAT}")
        customers = parts[1].split("+")
        if not all(CUSTOMER_ID.fullmatch(c) for c in customers):
            raise ApiKeyError(
                f"{where}: customers are ids of up to 20 letters and digits joined by +"
            )
        scope: frozenset[str] | None = frozenset(customers)
    else:
        if len(parts) != 2:
            raise ApiKeyError(f"{where}: only portal keys name customers: {FORMAT}")
        scope = None
    key = parts[-1]
    if not key:
        raise ApiKeyError(f"{where}: the key is empty")
    if not _KEY.fullmatch(key):
        raise ApiKeyError(f"{where}: a key is made of letters, digits and - . _ ~ + / (RFC 6750)")
    return key, Principal(name=name, roles=frozenset({role}), customers=scope)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()
