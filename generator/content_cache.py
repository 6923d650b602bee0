"""A memo of read meeting files under `<cache_dir>/content/`, so that an unchanged file is not parsed again.

Parsing the Markdown of every meeting was most of the time a warm build spent loading content
(about 3 s for 600 meetings). What a meeting file reads as — its Meeting and the problems found
in it alone — depends only on its bytes, its path, the language messages are shown in and the
code that reads it; the memo keeps that result in one file per meeting, named by a digest of all
of them. Checks across files (one URL taken twice, aliases) still run on every load.

A memo file that cannot be read back exactly (damaged, written by another version of `minutes`,
copied in from elsewhere) is a miss, never an error: the file is parsed again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

from .code_version import code_digest
from .diagnostics import Diagnostic
from .i18n import language
from .models import Meeting

FOLDER = "content"
"""The memo's subfolder of the build cache."""
SUFFIX = ".pickle"
FORMAT = 1
"""The layout of a memo file; part of the code version."""
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "PyYAML")
"""The third-party packages whose behaviour decides what a meeting file reads as."""

MemoEntry = tuple[Meeting | None, list[Diagnostic]]
"""What one meeting file reads as: its meeting (None when it has errors) and its own problems."""


@functools.cache
def code_version() -> str:
    """A short hash of everything besides a file's bytes that decides what it reads as: the code and its libraries."""
    digest = hashlib.blake2b(code_digest(LIBRARIES).encode(), digest_size=16)
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]};pickle=5;format={FORMAT}".encode())
    return digest.hexdigest()


class ContentMemo:
    """Meeting files read before, by a digest of their bytes, path and the code: a memo kept in a folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._version = code_version().encode()
        self._lang = language().encode()
        self._used: set[str] = set()

    def key(self, rel_path: str, shown: str, data: bytes) -> bytes:
        """The digest a file's memo is found by: its bytes, its path (relative and as shown), the language and the code."""
        digest = hashlib.blake2b(digest_size=20)
        for part in (self._version, self._lang, rel_path.encode("utf-8", "surrogatepass"), shown.encode("utf-8", "surrogatepass")):
            # Each part with its length: no two different tuples of parts make the same stream.
            digest.update(len(part).to_bytes(8, "little") + part)
        digest.update(data)
        return digest.digest()

    def get(self, key: bytes) -> MemoEntry | None:
        """The memo of the file with `key`, or None when there is none that can be trusted."""
        name = key.hex() + SUFFIX
        self._used.add(name)
        try:
            stored = pickle.loads((self.folder / name).read_bytes())
        # Any failure of a damaged or foreign file (pickle raises many kinds) is only a miss.
        except Exception:
            stored = None
        entry = _checked(stored, key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def holds(self, key: bytes) -> bool:
        """Whether a memo file for `key` exists (not whether it can be trusted: `get` checks that)."""
        return (self.folder / (key.hex() + SUFFIX)).is_file()

    @property
    def used(self) -> set[str]:
        """The memo files this load read or wrote (`prune` keeps them)."""
        return self._used

    def put(self, key: bytes, entry: MemoEntry) -> None:
        """Keep what the file with `key` read as; a memo that cannot be written is only not kept."""
        name = key.hex() + SUFFIX
        self._used.add(name)
        data = pickle.dumps((key, entry[0], entry[1]), protocol=5)
        partial = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
            # Written whole, then renamed: a reader in another process never sees half a memo.
            os.replace(partial, self.folder / name)
        except OSError:
            partial.unlink(missing_ok=True)

    def prune(self) -> None:
        """Remove the memo files this load did not use: files since edited or removed, or of another code version."""
        try:
            names = [entry.name for entry in os.scandir(self.folder)]
        except OSError:
            return
        for name in names:
            if name.endswith(SUFFIX) and not name.startswith(".") and name not in self._used:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass


def _checked(stored: object, key: bytes) -> MemoEntry | None:
    """The entry of a memo file read back, if it is one for `key` and of the expected shape."""
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key):
        return None
    _key, meeting, problems = stored
    if meeting is not None and not isinstance(meeting, Meeting):
        return None
    if not isinstance(problems, list) or not all(isinstance(p, Diagnostic) for p in problems):
        return None
    return meeting, problems


def content_memo(cache_dir: Path | None) -> ContentMemo | None:
    """The memo of meeting files kept under `cache_dir`, or None without a cache."""
    return None if cache_dir is None else ContentMemo(cache_dir / FOLDER)
