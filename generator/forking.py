"""Part of the build's work done in a forked copy of this process, which sees the index without a copy.

Writing the search files of a large archive is seconds of work on one core after the tokenizing
workers have ended. Handing half of it to a spawned process would mean pickling half of the
index to it, which costs about what it saves; a forked child starts with the whole index in
memory, shared with this process until either writes to it.

Forking is safe only when no other thread runs (the child would inherit any lock another thread
holds, held forever), and is used on Linux only, where `fork` is the usual start method and the
child's own memory can be read from /proc.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")


def max_rss(who: int) -> int:
    """Bytes: the peak resident set of `who` (resource.RUSAGE_SELF, or RUSAGE_CHILDREN: the largest ended child)."""
    # Linux counts ru_maxrss in kibibytes, macOS in bytes.
    return resource.getrusage(who).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def can_fork() -> bool:
    """True when a forked helper can run: on Linux, with no thread besides this one."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def private_memory() -> int:
    """Bytes of memory this process holds alone (on Linux; 0 elsewhere).

    In a forked child these are the pages it wrote since the fork; the rest it shares with its
    parent, whose own peak already counts them.
    """
    return _rollup("Private_Clean:", "Private_Dirty:")


def proportional_memory() -> int:
    """Bytes: this process's proportional set size (Pss; on Linux, 0 elsewhere).

    A page only this process maps counts in full, a page that n processes map counts 1/n: summed
    over processes, a page they share (Sudachi's dictionary file, which every tokenizing worker
    maps) counts once, not once per process and not zero times.
    """
    return _rollup("Pss:")


def resident_memory() -> int:
    """Bytes: this process's resident set now (on Linux; 0 elsewhere), read at little cost from /proc/self/statm."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _rollup(*fields: str) -> int:
    """Bytes: the sum of `fields` of /proc/self/smaps_rollup (0 where it cannot be read)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            lines = rollup.read().splitlines()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in lines if line.startswith(fields)) * 1024


class ForkedCall(Generic[T]):
    """`function(*args)` running in a forked child from creation on; `result()` waits for its value.

    The arguments are not pickled (the child is a copy of this process); the value is, so it
    should be small. Call `result()` or `cancel()` once.
    """

    def __init__(self, function: Callable[..., T], *args: object):
        context = multiprocessing.get_context("fork")
        self._answers, answer = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(answer, function, args), daemon=True)
        self._process.start()
        answer.close()  # the child's end: with it closed here, a child that dies gives EOFError
        self.private_memory = 0
        """Bytes the child held alone when it finished (see `private_memory`); known after `result()`."""

    def result(self) -> T:
        """The function's value; raises RuntimeError if it raised or the child died."""
        try:
            outcome, value, self.private_memory = self._answers.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"a helper process ended without an answer (exit code {self._process.exitcode})") from None
        finally:
            self._answers.close()
        self._process.join()
        if outcome == "error":
            raise RuntimeError(f"a helper process failed:\n{value}")
        return value

    def cancel(self) -> None:
        """Stop the child at once, and wait for it."""
        self._process.kill()
        self._process.join()
        self._answers.close()


def _run(answer: Connection, function: Callable[..., T], args: tuple) -> None:
    try:
        value = function(*args)
    except BaseException:  # noqa: BLE001 - the parent raises it; the child has nowhere else to report
        answer.send(("error", traceback.format_exc(), private_memory()))
    else:
        answer.send(("ok", value, private_memory()))
    finally:
        answer.close()
