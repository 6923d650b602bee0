"""Watching the sources with watchdog, and handing changed paths over in debounced batches.

An editor's save is a burst: a temporary file written, renamed over the original, a backup
removed, sometimes the file written twice. `ChangeQueue` collects the paths of such a burst and
hands them out as one batch once no event has come for a short quiet time (or, under a steady
stream of events, once the first of them is old enough), so one save means one rebuild.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

QUIET_SECONDS = 0.1
MAX_DELAY_SECONDS = 1.0
# Reading a file (our own rebuilds do) or touching its attributes changes no content.
_CONTENT_EVENTS = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED, EVENT_TYPE_CLOSED})


class ChangeQueue:
    """Changed paths, handed out as one batch once they stop coming."""

    def __init__(self, quiet: float = QUIET_SECONDS, max_delay: float = MAX_DELAY_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.max_delay = max_delay
        self._clock = clock
        self._ready = threading.Condition()
        self._paths: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._woken = False

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths (called from the watcher's thread)."""
        with self._ready:
            now = self._clock()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._ready.notify_all()

    def wake(self) -> None:
        """Make a waiting `take` return now, with or without a batch (other work arrived)."""
        with self._ready:
            self._woken = True
            self._ready.notify_all()

    @property
    def pending(self) -> bool:
        """Whether paths are waiting, quiet yet or not."""
        with self._ready:
            return bool(self._paths)

    def take(self, timeout: float) -> set[Path] | None:
        """The next batch once it is quiet; None after `timeout` seconds or a `wake()` without one."""
        with self._ready:
            deadline = self._clock() + timeout
            while True:
                now = self._clock()
                if self._paths:
                    due = min(self._last + self.quiet, self._first + self.max_delay)
                    if now >= due:
                        batch, self._paths = self._paths, set()
                        return batch
                else:
                    due = deadline
                if self._woken:
                    self._woken = False
                    return None
                if now >= deadline:
                    return None
                self._ready.wait(min(due, deadline) - now)


class _Forward(FileSystemEventHandler):
    def __init__(self, queue: ChangeQueue):
        self.queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CONTENT_EVENTS:
            return
        # A folder is "modified" whenever a file in it comes or goes; that file has its own event.
        if event.is_directory and event.event_type in (EVENT_TYPE_MODIFIED, EVENT_TYPE_CLOSED):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.queue.add(Path(os.fsdecode(p)) for p in paths if p)


class SourceWatcher:
    """A watchdog observer over the given folders (recursively) feeding a `ChangeQueue`."""

    def __init__(self, folders: Iterable[Path], queue: ChangeQueue):
        self.folders = [folder for folder in folders if folder.is_dir()]
        self.queue = queue
        self._observer = Observer()

    def start(self) -> None:
        """Start watching; the observer runs in its own thread until `stop`."""
        handler = _Forward(self.queue)
        for folder in self.folders:
            self._observer.schedule(handler, str(folder), recursive=True)
        self._observer.start()

    def stop(self) -> None:
        """Stop watching and wait for the observer's thread to end."""
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()
