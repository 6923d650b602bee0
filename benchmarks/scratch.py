"""The benchmarks' old output folders: moved aside while benchmarks run, removed once no clock runs.

Every timed build starts from fresh folders, and the last run's folders (a site of about 9,000
files, its cache, Pagefind's copy of the site) must go. Removed right before a timed command,
they slowed it down on the benchmark machine, whose ext4 file system has no journal (`dmesg`:
"mounted filesystem ... without journal"). Without a journal, ext4 will not reuse an inode freed
less than 60 s ago, or 300 s while its inode table block is dirty (`recently_deleted` in
fs/ext4/ialloc.c, RECENTCY_MIN and RECENTCY_DIRTY), and a build that creates files dirties those
blocks itself: for every inode it allocates, the kernel first passes over the freed ones, reading
each one's deletion time. `perf record` of a cold build of the corpus started right after `rm -rf`
of the last build's site and cache put 18 % of all its CPU samples, its workers' included, in
that search; docs/benchmarks.md has build times with and without.

That cost belongs to the machine and the benchmark, not to the build: a cold build in a fresh
checkout, or on a journalled file system (a CI runner's, most laptops'), removes nothing first;
Pagefind, which writes about 760 files against our 9,000, paid less of it. So a benchmark
`retire`s a folder (a rename into `benchmarks/out/.retired/`: nothing is freed), and `quiet_runs`
removes what was retired when the benchmarks are over (`make bench`: after the last of them), and
first waits until QUIET_S have passed since a removal, if one was that recent. What the
benchmarks retire stays on disk until they end: about 12 GB for `make bench`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
"""benchmarks/out/, as corpus.OUT (which imports this module)."""
RETIRED = OUT / ".retired"
REMOVED = OUT / ".retired-removed"
"""Its modification time is when retired folders were last removed."""
QUIET_S = 310.0
"""Seconds after a removal until ext4 reuses the freed inodes at no cost: RECENTCY_DIRTY and a margin."""
_depth = 0
"""How many `quiet_runs` are open: only the outermost one waits and removes."""


def retire(folder: Path) -> None:
    """Move `folder`, if it exists, aside to be removed when the benchmark ends: nothing is freed now."""
    if not folder.exists():
        return
    RETIRED.mkdir(parents=True, exist_ok=True)
    try:
        folder.rename(RETIRED / f"{time.time_ns()}-{folder.name}")
    except OSError:  # another file system: it cannot be moved aside, only removed
        shutil.rmtree(folder)
        REMOVED.touch()


def remove_retired() -> None:
    """Remove every retired folder (this run's, or one an interrupted run left)."""
    if RETIRED.is_dir():
        shutil.rmtree(RETIRED)
        REMOVED.touch()


@contextmanager
def quiet_runs(log: Callable[[str], None]) -> Iterator[None]:
    """Run benchmarks after QUIET_S without a removal, and remove what they retired afterwards.

    Nested (benchmarks/run.py runs several benchmarks in one), only the outermost waits and removes.
    """
    global _depth
    if not _depth:
        remove_retired()
        try:
            wait = REMOVED.stat().st_mtime + QUIET_S - time.time()
        except FileNotFoundError:
            wait = 0.0
        if wait > 0:
            log(f"[scratch] waiting {wait:.0f} s: ext4 without a journal is slow to make files after a removal (benchmarks/scratch.py)")
            time.sleep(wait)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth:
            remove_retired()
