"""A cache of Sudachi tokens per utterance text, kept across runs in a SQLite file under `.cache/`.

Tokenizing is the slowest part of building the search index (about a minute for 600 meetings),
and an edit touches one meeting: every other utterance's text is unchanged, so its tokens are
looked up by the text's hash instead of being computed again. The cache sits in front of
`JapaneseTokenizer` with the same `tokenize` method, so the index code need not know about it.

The file's name carries a fingerprint of everything that decides the tokens (the tokenizer's own
source, SudachiPy and dictionary versions, Python's marshal format): after any of them changes,
a new file is started and the old ones are removed, so a stale token can never be served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from types import TracebackType

from .search import folding, tokenizer
from .search.tokenizer import JapaneseTokenizer, Token

CACHE_PREFIX = "tokens-"
FORMAT = 2
"""The layout of a cache entry (2: marshal without compression); part of the fingerprint."""
FLUSH_EVERY = 500
"""New entries are written in batches: one transaction per entry would dominate a cold build."""

def fingerprint() -> str:
    """A short hash of everything that decides the tokens of a text."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (tokenizer, folding):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("sudachipy", "sudachidict_core"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]};marshal={marshal.version};format={FORMAT}".encode())
    return digest.hexdigest()


_FIELDS = tuple(f.name for f in dataclasses.fields(Token))
_UNITS = _FIELDS.index("units")


def _pack(token: Token) -> tuple:
    # Spelt out rather than looped over _FIELDS: a cold build packs millions of tokens.
    units = tuple(map(_pack, token.units)) if token.units else ()
    return (token.surface, token.normalized, token.start, token.end, units, token.reading)


assert _FIELDS == ("surface", "normalized", "start", "end", "units", "reading"), "_pack must follow Token's fields"


def _unpack(value: tuple) -> Token:
    units = tuple(_unpack(unit) for unit in value[_UNITS])
    return Token(*value[:_UNITS], units, *value[_UNITS + 1 :])


def _encode(tokens: list[Token]) -> bytes:
    # Not compressed: zlib took a tenth of a cold build's tokenizing time for a file 2.5 times
    # smaller (600 meetings: about 160 MB instead of 65 MB).
    return marshal.dumps(tuple(map(_pack, tokens)))


def _decode(data: bytes) -> list[Token]:
    # Most tokens have no sub-units and are built straight from their packed fields: decoding is
    # what a warm cache spends its time on.
    return [_unpack(value) if value[_UNITS] else Token(*value) for value in marshal.loads(data)]


class TokenCache:
    """Tokens of texts by content hash: a `JapaneseTokenizer` that remembers, also across runs.

    Use it where a `JapaneseTokenizer` is expected, and `close()` it (or use `with`) so that the
    last batch of new entries is written.
    """

    def __init__(self, folder: Path, tokenizer: JapaneseTokenizer | None = None):
        self.folder = folder
        self.tokenizer = tokenizer or JapaneseTokenizer()
        self.hits = 0
        self.misses = 0
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{CACHE_PREFIX}{fingerprint()}.sqlite3"
        # The file of another fingerprint, with its write-ahead log (-wal, -shm) beside it.
        for old in folder.glob(f"{CACHE_PREFIX}*.sqlite3*"):
            if not old.name.startswith(name):
                old.unlink(missing_ok=True)
        self.path = folder / name
        # A search job runs in its own process; several may share the file, hence the timeout.
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        # A write-ahead log without a sync at every commit: each worker commits once per run of
        # texts, and syncing each commit to disk cost a cold build seconds. A crash can lose the
        # last entries, never corrupt the file; a lost entry is only tokenized again.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS tokens (key BLOB PRIMARY KEY, data BLOB NOT NULL)")
        self._pending: dict[bytes, bytes] = {}

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text`, from the cache when this text was tokenized before."""
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        data = self._pending.get(key)
        if data is None:
            row = self._db.execute("SELECT data FROM tokens WHERE key = ?", (key,)).fetchone()
            data = row[0] if row is not None else None
        if data is not None:
            self.hits += 1
            return _decode(data)
        self.misses += 1
        tokens = self.tokenizer.tokenize(text)
        self._pending[key] = _encode(tokens)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()
        return tokens

    def flush(self) -> None:
        """Write the entries added since the last flush."""
        if self._pending:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO tokens (key, data) VALUES (?, ?)", self._pending.items())
            self._pending.clear()

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush()
        self._db.close()

    def __enter__(self) -> TokenCache:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()
