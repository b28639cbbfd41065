"""Keyed pseudonyms for BSNs: the BSN is replaced at the door and never stored."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from orchestration.ijw.bsn import remembered_is_valid_bsn

log = logging.getLogger(__name__)

DEV_KEY_FILENAME = "pseudonym.key"
IDENTIFIER_PSEUDONYM_FLOOR = 10**17
"""A BSN found in an identifier becomes an 18-digit number from here: above every iJw number (LDT_Nummer has at most
nine digits) and reference a provider writes in practice, so it never equals a genuine one, yet it fits the integer
columns and the 18 digits the readers take."""
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
        self.client_key: Callable[[str], str] = functools.lru_cache(maxsize=CLIENT_KEYS_REMEMBERED)(self._digest)

    def __reduce__(self) -> tuple:
        # To a reading process (read_pass.py) as its key: the remembered pseudonyms stay here.
        return (Pseudonymiser, (self._key,))

    def identifier(self, value: str | None) -> str | None:
        """value, or its keyed pseudonym when it is a BSN (nine digits passing the elfproef).

        Providers sometimes put a client's BSN in their own reference fields (ReferentieNummer, ReferentieAanbieder,
        even ToewijzingNummer); such a value is replaced at the door like the Bsn itself. The same BSN gives the same
        pseudonym in every message, so a credit still names its debit and an allocation its request.
        """
        if value is None or len(value) != 9 or not remembered_is_valid_bsn(value):
            return value
        return str(IDENTIFIER_PSEUDONYM_FLOOR + int(self.client_key(value)[:16], 16) % (9 * IDENTIFIER_PSEUDONYM_FLOOR))

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
