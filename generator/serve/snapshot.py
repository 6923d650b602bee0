"""A published state of the site: what every request is answered from, never changed once made.

A rebuild prepares a new `Snapshot` beside the one being served and publishes it by swapping one
reference (`SnapshotHub.publish`), so a request sees either the old site or the new one, never
a mix of half-written files. Files are held as bytes, or as paths to files that nothing
rewrites (the finished search index of a background job).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic

Entry = bytes | Path
"""A file of a snapshot: its bytes, or an immutable file on disk (large search-index files)."""


@dataclass(frozen=True)
class Snapshot:
    """The site as served at one moment: files by output path, and the problems to overlay."""

    epoch: int
    files: Mapping[str, Entry]
    problems: tuple[Diagnostic, ...] = ()
    base_path: str = "/"
    _versions: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def read(self, rel_path: str) -> bytes | None:
        """The bytes of `rel_path`, or None when the site has no such file."""
        entry = self.files.get(rel_path)
        if entry is None:
            return None
        if isinstance(entry, Path):
            try:
                return entry.read_bytes()
            except OSError:
                return None
        return entry

    def page_version(self, rel_path: str) -> str:
        """A fingerprint of what a browser shows for `rel_path`: the page, its assets and the overlay.

        An open page reloads when this changes, and only then: a rebuild that leaves the page as
        it was (or a new search index) does not disturb the reader.
        """
        version = self._versions.get(rel_path)
        if version is None:
            digest = hashlib.blake2b(digest_size=10)
            entry = self.files.get(rel_path)
            digest.update(entry if isinstance(entry, bytes) else str(entry).encode())
            for problem in self.problems:
                digest.update(str(problem).encode())
            digest.update(self._assets_version().encode())
            version = digest.hexdigest()
            self._versions[rel_path] = version
        return version

    def _assets_version(self) -> str:
        version = self._versions.get("\0assets")
        if version is None:
            digest = hashlib.blake2b(digest_size=10)
            for rel_path in sorted(self.files):
                entry = self.files[rel_path]
                if rel_path.startswith("assets/") and isinstance(entry, bytes):
                    digest.update(rel_path.encode() + b"\0" + entry)
            version = digest.hexdigest()
            self._versions["\0assets"] = version
        return version


class SnapshotHub:
    """The snapshot being served, swapped whole by the builder; event streams wait on it here."""

    def __init__(self, first: Snapshot):
        self._current = first
        self._changed = threading.Condition()
        self.stopping = False
        self._watched: Counter[str] = Counter()

    @property
    def current(self) -> Snapshot:
        """The snapshot to answer a request from (read once per request)."""
        return self._current

    def publish(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from now on and wake every waiting event stream."""
        with self._changed:
            self._current = snapshot
            self._changed.notify_all()

    def wait_for_change(self, epoch: int, timeout: float) -> Snapshot:
        """The current snapshot once its epoch differs from `epoch`, or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._current.epoch != epoch or self.stopping, timeout)
            return self._current

    def stop(self) -> None:
        """Wake every event stream so that it ends: the server is shutting down."""
        with self._changed:
            self.stopping = True
            self._changed.notify_all()

    def watch(self, rel_path: str) -> None:
        """Note that a browser has `rel_path` open (its event stream is connected)."""
        with self._changed:
            self._watched[rel_path] += 1

    def unwatch(self, rel_path: str) -> None:
        """Note that one browser closed `rel_path`."""
        with self._changed:
            self._watched[rel_path] -= 1
            if self._watched[rel_path] <= 0:
                del self._watched[rel_path]

    def watched(self) -> frozenset[str]:
        """Output paths of the pages open in a browser now, which a rebuild renders first."""
        with self._changed:
            return frozenset(self._watched)
