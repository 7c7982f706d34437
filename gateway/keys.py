"""API keys: who calls, in which role, for which enterprises (R-DOC-12).

A key is ``bk_<id>_<secret>``; only the SHA-256 digest of the secret is stored, so
a stolen table reveals no key. An enterprise key is bound to one or more customs
codes and reaches only their documents; the other roles are customs, the data
sub-centre, analysts and administrators.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from gateway.storage import schema_pool

DDL = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id text PRIMARY KEY,
    secret_sha256 text NOT NULL,
    role text NOT NULL,
    customs_codes text[] NOT NULL DEFAULT '{}',
    label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked boolean NOT NULL DEFAULT false
);
"""


class Role(StrEnum):
    """What a key may do."""

    ENTERPRISE = "enterprise"
    CUSTOMS = "customs"
    SUBCENTRE = "subcentre"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller."""

    key_id: str
    role: Role
    customs_codes: tuple[str, ...] = ()

    def may_act_for(self, customs_code: str) -> bool:
        """Whether the caller may see and reference this enterprise's documents."""
        if self.role is Role.ENTERPRISE:
            return customs_code in self.customs_codes
        return self.role in (Role.ADMIN, Role.CUSTOMS, Role.ANALYST, Role.SUBCENTRE)


@dataclass(frozen=True)
class StoredKey:
    """A key as stored: its digest, never its secret."""

    key_id: str
    secret_sha256: str
    role: Role
    customs_codes: tuple[str, ...]
    revoked: bool = False


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (key id, secret, the full key to hand out)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"bk_{key_id}_{secret}"


class KeyStore(Protocol):
    """Where keys are kept."""

    def add(self, key: StoredKey, label: str = "") -> None:
        """Store a key."""
        ...

    def get(self, key_id: str) -> StoredKey | None:
        """A stored key by id."""
        ...


def create_key(
    store: KeyStore,
    role: Role | str,
    customs_codes: tuple[str, ...] = (),
    label: str = "",
) -> str:
    """Create and store a key; return it in full (shown once, never stored)."""
    role = Role(role)
    if role is Role.ENTERPRISE and not customs_codes:
        raise ValueError("an enterprise key is bound to at least one customs code")
    key_id, secret, full = new_key()
    store.add(StoredKey(key_id, digest(secret), role, tuple(customs_codes)), label)
    return full


def authenticate(store: KeyStore, presented: str) -> Caller | None:
    """The caller a presented key belongs to, or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "bk":
        return None
    _, key_id, secret = parts
    stored = store.get(key_id)
    if stored is None or stored.revoked:
        return None
    if not hmac.compare_digest(stored.secret_sha256, digest(secret)):
        return None
    return Caller(stored.key_id, stored.role, stored.customs_codes)


class KeyCache:
    """Callers of the keys checked within the last ``seconds``.

    Most requests then authenticate without a query, so the API can check them
    on the event loop and leave the thread pool to the commands. The price is
    stated: a revoked key keeps working in a running gateway for at most
    ``seconds``; 0 checks every request against the store. Only valid keys are
    kept, under the digest of the whole presented key, and at most ``size``.
    """

    def __init__(
        self,
        store: KeyStore,
        seconds: float = 0.0,
        *,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._checked: dict[str, tuple[Caller, float]] = {}

    def known(self, presented: str) -> Caller | None:
        """The caller of a key checked recently enough, without a query."""
        if self.seconds <= 0:
            return None
        entry = self._checked.get(digest(presented))
        if entry is None or self.clock() - entry[1] > self.seconds:
            return None
        return entry[0]

    def authenticate(self, presented: str) -> Caller | None:
        """Check a key against the store, and keep it if valid."""
        caller = authenticate(self.store, presented)
        if caller is not None and self.seconds > 0:
            if len(self._checked) >= self.size:
                self._checked.clear()
            self._checked[digest(presented)] = (caller, self.clock())
        return caller


class MemoryKeyStore:
    """Keys in memory, for tests."""

    def __init__(self) -> None:
        self.keys: dict[str, StoredKey] = {}

    def add(self, key: StoredKey, label: str = "") -> None:
        """Store a key."""
        self.keys[key.key_id] = key

    def get(self, key_id: str) -> StoredKey | None:
        """A stored key by id."""
        return self.keys.get(key_id)


class PostgresKeyStore:
    """Keys in PostgreSQL, in the schema of the event store."""

    def __init__(self, database_url: str, *, schema: str = "") -> None:
        self.pool = schema_pool(database_url, schema, DDL, "bonded-keys-ddl")

    def close(self) -> None:
        """Close the connections."""
        self.pool.close()

    def add(self, key: StoredKey, label: str = "") -> None:
        """Store a key."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO api_keys (key_id, secret_sha256, role, customs_codes, "
                "label) VALUES (%s, %s, %s, %s, %s)",
                (
                    key.key_id,
                    key.secret_sha256,
                    str(key.role),
                    list(key.customs_codes),
                    label,
                ),
            )

    def get(self, key_id: str) -> StoredKey | None:
        """A stored key by id."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT key_id, secret_sha256, role, customs_codes, revoked "
                "FROM api_keys WHERE key_id = %s",
                (key_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredKey(row[0], row[1], Role(row[2]), tuple(row[3]), bool(row[4]))

    def listing(self) -> list[tuple[str, str, tuple[str, ...], str, bool]]:
        """Every key: id, role, customs codes, label, revoked (never a secret)."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT key_id, role, customs_codes, label, revoked FROM api_keys "
                "ORDER BY created_at, key_id"
            ).fetchall()
        return [(r[0], r[1], tuple(r[2]), r[3], bool(r[4])) for r in rows]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key at once; return whether it existed."""
        with self.pool.connection() as conn:
            cursor = conn.execute(
                "UPDATE api_keys SET revoked = true WHERE key_id = %s", (key_id,)
            )
            return cursor.rowcount == 1
