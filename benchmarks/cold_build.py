"""Our full build of a content set, cold: `minutes build` with no token or content-hash cache.

How the build is kept cold. The build may keep caches (Sudachi tokens by content hash) in a
`.cache/` folder. Each timed build runs in a fresh, empty working folder
(`benchmarks/out/cold-build/`, moved aside and made again before every build), with every path given
absolutely, so a cache found relative to the working folder starts empty; when `minutes build
--help` offers a cache option (`--cache-dir` or `--cache`), it is pointed into that fresh folder
too. The site folder the build writes (under `benchmarks/out/`) is moved aside before it as well:
a cold build starts as in a fresh checkout, with no site built yet. Moved aside, not removed:
scratch.py removes the old folders when the benchmark's timed runs are over, since removing them
right before slowed the build down on the benchmark machine. Nothing is deleted
elsewhere: the repository's own `.cache/` belongs to the developer (and
to whoever builds at the same time). In case a build wrote there anyway (a cache found relative
to the repository, not the working folder), the files of `<repo>/.cache/` and
`<content>/.cache/` are compared before and after, and a change is reported as a note: that
build may have been warm.

Peak memory: the build's own figure when its summary line reports one (`peak memory 812 MB`,
`peak RSS: 0.8 GB`, …), which covers its worker processes; always also the kernel's peak RSS of
the build process (process.py).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import OUT, REPO, ContentSet, minutes_command
from benchmarks.process import run_measured
from benchmarks.scratch import retire

COLD_DIR = OUT / "cold-build"
CACHE_OPTIONS = ("--cache-dir", "--cache")
"""Options of `minutes build` naming its cache folder, the first one the command has is used."""
_PEAK = re.compile(r"peak (?:memory|rss)\D{0,12}?([0-9][0-9.,]*)\s*([kmg]i?b)\b", re.IGNORECASE)
_UNITS = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


@dataclass(frozen=True)
class OurBuild:
    """A cold `minutes build`: wall-clock time, peak memory, its summary line and how it ran."""

    seconds: float
    peak_rss: int
    """Bytes: the kernel's peak RSS of the build process (or its largest waited-for worker)."""
    reported_peak: int | None
    """Bytes: the peak the build reported in its summary line, if it reports one."""
    summary: str
    cache: str
    """How the cache was kept cold, in words, for the report."""
    notes: tuple[str, ...] = ()

    @property
    def peak(self) -> int:
        """The peak memory to quote: the build's own report, else the kernel's figure."""
        return self.reported_peak if self.reported_peak is not None else self.peak_rss


def reported_peak(summary: str) -> int | None:
    """The peak memory a build summary line reports, in bytes (None when it reports none)."""
    match = _PEAK.search(summary)
    if not match:
        return None
    return int(float(match[1].replace(",", "")) * _UNITS[match[2].lower()])


def cache_option() -> str | None:
    """The cache-folder option `minutes build` offers, if any.

    Asked before every build, not once per run: the command may change while a long run goes on.
    """
    done = subprocess.run(minutes_command("build", "--help"), cwd=REPO, capture_output=True, text=True)
    return next((option for option in CACHE_OPTIONS if re.search(rf"{option}\b(?!-)", done.stdout)), None)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under `folder` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def build_ours(content: ContentSet, site: Path, timeout_s: float) -> OurBuild:
    """Run a cold `minutes build` of `content` into `site`; raise RuntimeError when it fails."""
    retire(COLD_DIR)
    COLD_DIR.mkdir(parents=True)
    # A cold build starts as in a fresh checkout, with no site yet: replacing the last run's would
    # time its removal too (Pagefind's copy of the site is moved aside before its clock starts).
    retire(site)
    args = ["build", "--content", str(content.path.resolve()), "--out", str(site.resolve()), "--templates", str(REPO / "templates")]
    option = cache_option()
    if option:
        args += [option, str(COLD_DIR / ".cache")]
        cache = f"fresh empty {option} {COLD_DIR / '.cache'}, run from the fresh folder {COLD_DIR}"
    else:
        cache = f"run from the fresh empty folder {COLD_DIR} (no cache option in `minutes build --help`)"
    watched = [REPO / ".cache", content.path.resolve() / ".cache"]
    before = [_snapshot(folder) for folder in watched]
    run = run_measured(minutes_command(*args), COLD_DIR, timeout_s)
    if run.timed_out:
        raise RuntimeError(f"minutes build timed out after {timeout_s:.0f} s")
    if run.returncode != 0:
        raise RuntimeError(f"minutes build failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    notes = tuple(
        f"the build wrote to {folder}: it may have used a warm cache there"
        for folder, old in zip(watched, before)
        if _snapshot(folder) != old
    )
    summary = next((line for line in reversed(run.stdout.splitlines()) if line.strip()), "")
    return OurBuild(run.seconds, run.peak_rss, reported_peak(summary), summary, cache, notes)
