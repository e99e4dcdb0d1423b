"""Names and ID numbers: salted hashes only, never kept, never shown.

A personal column is replaced by a keyed hash (HMAC-SHA256 with the user's salt) as soon as
its file is read, and the raw column is dropped; only the hash is used, to join the roster
and the ledgers. The salt comes from the environment variable ``MICROCREDIT_SALT``, or from
the file named by ``MICROCREDIT_SALT_FILE``; it is never part of the configuration and
never written anywhere. Without a salt, files holding names or ID numbers are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

import pandas as pd

SALT_ENV = "MICROCREDIT_SALT"
SALT_FILE_ENV = "MICROCREDIT_SALT_FILE"
MIN_SALT_CHARS = 8


class SaltError(ValueError):
    """No usable salt; the message says how to give one."""


def salt() -> bytes:
    """The salt from ``MICROCREDIT_SALT`` or the file named by ``MICROCREDIT_SALT_FILE``."""
    value = os.environ.get(SALT_ENV, "")
    if not value and os.environ.get(SALT_FILE_ENV):
        path = Path(os.environ[SALT_FILE_ENV]).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise SaltError(
                f"{SALT_FILE_ENV}={path}: cannot read that file; give a readable UTF-8 text file"
            ) from None
    if not value:
        raise SaltError(
            f"the files hold names or ID numbers: set {SALT_ENV} to a secret of at least "
            f"{MIN_SALT_CHARS} characters (or {SALT_FILE_ENV} to a file holding it); "
            "they are only hashed with it, never stored"
        )
    if len(value) < MIN_SALT_CHARS:
        raise SaltError(f"the salt is too short: give at least {MIN_SALT_CHARS} characters")
    return value.encode("utf-8")


def normalise(value: str) -> str:
    """Canonical text of a name or an ID number (width, case and spaces ignored)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def hash_column(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed hash of every non-empty value (empty stays missing)."""
    return values.map(
        lambda v: (
            hmac.new(key, normalise(v).encode("utf-8"), hashlib.sha256).hexdigest()
            if isinstance(v, str) and v.strip()
            else None
        )
    )
