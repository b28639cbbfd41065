"""Keyed pseudonyms for BSNs: the BSN is replaced at the door and never stored."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

DEV_KEY_FILENAME = "pseudonym.key"
MIN_KEY_BYTES = 16
"""128 bits: a shorter key could be found by trying keys against known BSN and pseudonym pairs."""
CLIENT_KEYS_REMEMBERED = 1 << 18
"""About 70 MB at most: more than a national month's declared clients in one ingest lane (files load month by
month)."""


class Pseudonymiser:
    """HMAC-SHA256 over the BSN with a secret key.

    A keyed hash (not a plain hash) because the BSN space is only 10^9: an unkeyed hash is reversed by enumeration.
    """

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key
        # A client recurs in every month's declarations and in each message type: remembering its pseudonym spares
        # most HMACs (a tenth of a declaration line's ingest), within a bound on memory.
        self._remembered_key = functools.lru_cache(maxsize=CLIENT_KEYS_REMEMBERED)(self._digest)

    def client_key(self, bsn: str) -> str:
        return self._remembered_key(bsn)

    def _digest(self, bsn: str) -> str:
        return hmac.digest(self._key, bsn.encode("ascii"), "sha256").hex()


def load_or_create_key(configured_key: str | None, warehouse_dir: Path) -> bytes:
    """The configured key, else a development key kept in warehouse_dir (created on first use, with a warning).

    Pseudonyms are stable only while the key is: losing the dev key breaks the link between old and new loads.
    """
    if configured_key:
        return configured_key.encode("utf-8")
    key_path = warehouse_dir / DEV_KEY_FILENAME
    if not key_path.exists():
        log.warning(
            "WAREHOUSE_PSEUDONYM_KEY is not set: generated a development key in %s. "
            "Set WAREHOUSE_PSEUDONYM_KEY to a managed secret for production data.",
            key_path,
        )
        warehouse_dir.mkdir(parents=True, exist_ok=True)
        key_path.write_text(secrets.token_hex(32))
        key_path.chmod(0o600)
    return key_path.read_text().strip().encode("utf-8")
