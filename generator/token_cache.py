"""A cache of Sudachi tokens per utterance text, kept across runs in a SQLite file under `.cache/`.

Tokenizing is the slowest part of building the search index (about a minute for 600 meetings),
and an edit touches one meeting: every other utterance's text is unchanged, so its tokens are
looked up by the text's hash instead of being computed again. The cache sits in front of
`JapaneseTokenizer` with the same `words` and `tokenize` methods, so the index code need not know about it.

The file's name carries a fingerprint of everything that decides the tokens (the tokenizer's own
source, SudachiPy and dictionary versions, Python's marshal format): after any of them changes,
a new file is started and the old ones are removed, so a stale token can never be served.
"""

from __future__ import annotations

import dataclasses
from array import array
import hashlib
import marshal
import sqlite3
import sys
from importlib import metadata
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .i18n import _
from .search import folding, tokenizer
from .search.tokenizer import JapaneseTokenizer, Token, Words

CACHE_PREFIX = "tokens-"
FORMAT = 3
"""The layout of a cache entry (3: each distinct word once, and its places; marshal without
compression); part of the fingerprint."""
FLUSH_EVERY = 500
"""New entries are written in batches: one transaction per entry would dominate a cold build."""

def _print_warning(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


_DAMAGE_CODES = frozenset({11, 26})
"""SQLITE_CORRUPT and SQLITE_NOTADB: a damaged file. A busy or unwritable one (locked, I/O
errors) is not damage, and discarding it would not help."""


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGE_CODES


def fingerprint() -> str:
    """A short hash of everything that decides the tokens of a text."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (tokenizer, folding):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("sudachipy", "sudachidict_core"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]};marshal={marshal.version};format={FORMAT}".encode())
    digest.update(f"places={array(_PLACES).itemsize}".encode())
    return digest.hexdigest()


_FIELDS = tuple(f.name for f in dataclasses.fields(Token))
_UNITS = _FIELDS.index("units")
_PLACES = "I"
"""The array type of an entry's word numbers and places (4 bytes here; its size is in the fingerprint)."""


def _pack(token: Token) -> tuple:
    # Spelt out rather than looped over _FIELDS: a cold build packs hundreds of thousands of words.
    units = tuple(map(_pack, token.units)) if token.units else ()
    return (token.surface, token.normalized, token.start, token.end, units, token.reading)


assert _FIELDS == ("surface", "normalized", "start", "end", "units", "reading"), "_pack must follow Token's fields"


def _unpack(value: tuple) -> Token:
    units = tuple(_unpack(unit) for unit in value[_UNITS])
    return Token(*value[:_UNITS], units, *value[_UNITS + 1 :])


def _encode(words: Words) -> bytes:
    """An entry: each distinct word once, then the word number and the place of every word, as arrays of 4-byte numbers."""
    # Built with C loops (map, comprehensions over ids): a cold build encodes millions of places.
    objects = list(map(id, words.words))
    distinct = list({key: word for key, word in zip(objects, words.words)}.values())
    numbers = {id(word): number for number, word in enumerate(distinct)}
    places = array(_PLACES, map(numbers.__getitem__, objects)).tobytes(), array(_PLACES, words.starts).tobytes()
    # Not compressed: zlib took a tenth of a cold build's tokenizing time for a file 2.5 times smaller.
    return marshal.dumps((tuple(map(_pack, distinct)), *places))


def _decode(data: bytes) -> Words:
    packed, numbers, starts = marshal.loads(data)
    # Most words have no sub-units and are built straight from their packed fields.
    distinct = [_unpack(value) if value[_UNITS] else Token(*value) for value in packed]
    word_numbers, places = array(_PLACES), array(_PLACES)
    word_numbers.frombytes(numbers)
    places.frombytes(starts)
    return Words(list(map(distinct.__getitem__, word_numbers)), places.tolist())


class TokenCache:
    """Tokens of texts by content hash: a `JapaneseTokenizer` that remembers, also across runs.

    Use it where a `JapaneseTokenizer` is expected, and `close()` it (or use `with`) so that the
    last batch of new entries is written.
    """

    def __init__(self, folder: Path, tokenizer: JapaneseTokenizer | None = None, warn: Callable[[str], None] | None = None):
        self.folder = folder
        self.tokenizer = tokenizer or JapaneseTokenizer()
        self.hits = 0
        self.misses = 0
        self.warn = warn or _print_warning
        """Where a damaged cache is reported (standard error by default: workers have no other channel)."""
        self.discarded = 0
        """Times a damaged cache file was thrown away in this run."""
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{CACHE_PREFIX}{fingerprint()}.sqlite3"
        # The file of another fingerprint, with its write-ahead log (-wal, -shm) beside it.
        for old in folder.glob(f"{CACHE_PREFIX}*.sqlite3*"):
            if not old.name.startswith(name):
                old.unlink(missing_ok=True)
        self.path = folder / name
        self._pending: dict[bytes, bytes] = {}
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
            self._db = self._discard(exc)

    def _connect(self) -> sqlite3.Connection:
        # A search job runs in its own process; several may share the file, hence the timeout.
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            # A write-ahead log without a sync at every commit: each worker commits once per run of
            # texts, and syncing each commit to disk cost a cold build seconds. A crash can lose the
            # last entries, never corrupt the file; a lost entry is only tokenized again.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS tokens (key BLOB PRIMARY KEY, data BLOB NOT NULL)")
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self, reason: BaseException) -> sqlite3.Connection:
        """Report the damaged file, remove it and start an empty one (the tokens are only computed again)."""
        self.discarded += 1
        self.warn(
            f"{self.path.as_posix()}: warning: "
            + _("the token cache is damaged ({reason}); discarded it: its texts are tokenized again").format(reason=reason)
        )
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
        for part in self.folder.glob(f"{self.path.name}*"):
            part.unlink(missing_ok=True)
        return self._connect()

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text`, from the cache when this text was tokenized before."""
        return self.words(text).tokens()

    def words(self, text: str) -> Words:
        """The words of `text` (`JapaneseTokenizer.words`), from the cache when this text was tokenized before."""
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        data = self._pending.get(key)
        if data is None:
            try:
                row = self._db.execute("SELECT data FROM tokens WHERE key = ?", (key,)).fetchone()
            except sqlite3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise
                self._db, row = self._discard(exc), None
            data = row[0] if row is not None else None
        if data is not None:
            try:
                words = _decode(data)
            # marshal's own errors (bad data, truncated) and an entry of another shape.
            except (ValueError, EOFError, TypeError, IndexError) as exc:
                self._db = self._discard(exc)
            else:
                self.hits += 1
                return words
        self.misses += 1
        words = self.tokenizer.words(text)
        self._pending[key] = _encode(words)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()
        return words

    def flush(self) -> None:
        """Write the entries added since the last flush."""
        if not self._pending:
            return
        try:
            self._write()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
            self._db = self._discard(exc)
            self._write()

    def _write(self) -> None:
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
