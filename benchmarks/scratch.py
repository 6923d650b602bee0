"""The benchmarks' old output folders: moved aside while a benchmark runs, removed once no clock runs.

Every timed build starts from fresh folders, and the last run's folders (a site of about 9,000
files, its cache, Pagefind's copy of the site) must go. Removed right before a timed command,
they slowed it down on the benchmark machine, whose ext4 file system has no journal (`dmesg`:
"mounted filesystem ... without journal"). Without a journal, ext4 will not reuse an inode freed
less than 60 s ago (300 s while its inode table block is not written back): every inode it
allocates, it first passes over those, reading each one's deletion time (`recently_deleted` in
fs/ext4/ialloc.c). `perf record` of a cold build of the corpus started right after `rm -rf` of
the last build's site and cache put 18 % of all its CPU samples, its workers' included, in that
search; docs/benchmarks.md has the build times with and without.

That cost belongs to the machine and the benchmark, not to the build: a cold build in a fresh
checkout, or on a journalled file system (a CI runner's, most laptops'), removes nothing first;
Pagefind, which writes about 760 files against our 9,000, paid less of it. So a benchmark
`retire`s a folder (a rename into `benchmarks/out/.retired/`: nothing is freed), and `quiet_runs`
removes what was retired once the benchmark's timed runs are over, and makes the next benchmark
wait until QUIET_S have passed since that removal before it starts. What a benchmark retires
stays on disk until its end: about 8 GB for `make bench`.
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
QUIET_S = 65.0
"""Seconds after a removal until ext4 reuses the freed inodes again (60 s; the launcher writes every
dirty block out before it starts a timed command, so the 300 s of a dirty block do not apply)."""


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
    """Wait, if needed, until QUIET_S have passed since the last removal; remove what was retired on leaving."""
    remove_retired()
    try:
        wait = REMOVED.stat().st_mtime + QUIET_S - time.time()
    except FileNotFoundError:
        wait = 0.0
    if wait > 0:
        log(f"[scratch] waiting {wait:.0f} s: ext4 without a journal is slow to make files right after a removal (benchmarks/scratch.py)")
        time.sleep(wait)
    try:
        yield
    finally:
        remove_retired()
