"""A SQLite cache of finished translations, shared by every run and worker process.

Key: a 16-byte BLAKE2b hash of (model key, decoding options, source text); the model key
is the package id and version plus a fingerprint of its files, so a retrained package
with the same version never serves stale output. Values are committed in large
transactions (the engine's ``commit_every``, 4,096 translations) in WAL mode, so an
interrupted run keeps all but its last few thousand and several processes can read and
write at once (writers wait on ``busy_timeout`` rather than failing).

A corrupt file is detected on open (``PRAGMA quick_check``), moved aside as
``<name>.corrupt-<time>`` and replaced by an empty cache; ``rebuilt`` says why. An error
while the run is going on disables the cache for that run (``failed`` says why) rather
than stopping the translation: a cache is an optimisation, never a reason to fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

ENV_CACHE_DIR = "CORPUS_CACHE_DIR"
SCHEMA_VERSION = "1"
_LOOKUP_CHUNK = 500  # host parameters per SELECT, well under SQLite's limit


def default_cache_path() -> Path:
    """``$CORPUS_CACHE_DIR/translations.sqlite``, else the user cache directory."""
    if os.environ.get(ENV_CACHE_DIR):
        base = Path(os.environ[ENV_CACHE_DIR]).expanduser()
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "corpus"
    return base / "translations.sqlite"


def cache_key(model_key: str, options: str, text: str) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in (model_key, options, text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.digest()


class TranslationCache:
    """``get_many`` / ``put_many`` over one SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.rebuilt: str | None = None  # why the file was replaced on open
        self.failed: str | None = None  # why the cache was switched off during the run
        self.hits = 0
        self.writes = 0
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- opening ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _check(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("PRAGMA quick_check(1)").fetchone()
        if row is None or row[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS translations ("
            " key BLOB PRIMARY KEY, model TEXT NOT NULL, text TEXT NOT NULL,"
            " created REAL NOT NULL) WITHOUT ROWID"
        )
        conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        version = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema {version!r}, expected {SCHEMA_VERSION!r}")

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = None
        try:
            conn = self._connect()
            self._check(conn)
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            self.rebuilt = f"{self.path} was unreadable ({exc}); moved aside, starting empty"
            log.warning("translation cache: %s", self.rebuilt)
            self._move_aside()
            conn = self._connect()
            self._check(conn)
        self._conn = conn

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{suffix}")
            # FileNotFoundError: another process moved it first, or there was no WAL
            with contextlib.suppress(FileNotFoundError):
                src.rename(f"{self.path}.corrupt-{stamp}{suffix}")

    # -- use -------------------------------------------------------------------------
    def _fail(self, exc: Exception) -> None:
        self.failed = f"{type(exc).__name__}: {exc}"
        log.warning("translation cache switched off for this run: %s", self.failed)
        self.close()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        """The cached translations among *keys*."""
        if self._conn is None or not keys:
            return {}
        found: dict[bytes, str] = {}
        try:
            for i in range(0, len(keys), _LOOKUP_CHUNK):
                chunk = list(keys[i : i + _LOOKUP_CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, text FROM translations WHERE key IN ({marks})", chunk
                )
                found.update(rows)
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        self.hits += len(found)
        return found

    def put_many(
        self, model: str, items: Mapping[bytes, str] | Iterable[tuple[bytes, str]]
    ) -> None:
        """Store translations in one transaction (committed before returning)."""
        if self._conn is None:
            return
        pairs = list(items.items() if isinstance(items, Mapping) else items)
        if not pairs:
            return
        now = time.time()
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?)",
                    [(k, model, v, now) for k, v in pairs],
                )
        except sqlite3.Error as exc:
            self._fail(exc)
            return
        self.writes += len(pairs)

    def __len__(self) -> int:
        if self._conn is None:
            return 0
        return self._conn.execute("SELECT count(*) FROM translations").fetchone()[0]

    def stats(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "hits": self.hits,
            "writes": self.writes,
            "rebuilt": self.rebuilt,
            "failed": self.failed,
        }

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
