"""A timed child process: its wall-clock time and its peak memory, for the build benchmarks.

The peak comes from the kernel's accounting of that one command (`os.wait4`), not from
`getrusage(RUSAGE_CHILDREN)`, which keeps the largest child of the whole benchmark run: after the
corpus build, every smaller build would report the corpus's peak.

The command is not started by the benchmark process itself but by a small launcher (a fresh
`python -c`), which times it, reaps it with `os.wait4` and prints the figures. Linux carries the
spawning process's memory into a child's peak: at exec, the new program's `ru_maxrss` starts
from the high-water mark of the address space it replaces, which after fork or vfork is the
parent's. The benchmark process holds the corpus, the browser driver and the development set
(over a gigabyte), so every command it started directly reported at least that much, whatever
the command used; the launcher holds a few megabytes. The same applies to what the command
reports of itself (a build reading its own RUSAGE_SELF).

Before it starts the clock, the launcher has the kernel write out every dirty page (`os.sync()`):
what the benchmark wrote just before (a copy of a site for Pagefind, a warm cache and site copied
in, the previous command's output) would otherwise be written back while the timed command runs
and charged to it, to whichever tool came next (docs/benchmarks.md says which figures were
taken before it did).

Linux gives `ru_maxrss` of a child as the larger of its own peak and that of its largest
waited-for descendant (a worker of a process pool), never their sum: for a build that works in
several processes at once it is the largest single process, so the build's own report of its
peak, when it prints one, is the figure to prefer (see cold_build.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# argv: the file to write the figures to, then the command. The command inherits the launcher's
# stdin, stdout and stderr; its exit status becomes the launcher's.
_LAUNCHER = """
import json, os, subprocess, sys, time
os.sync()
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "maxrss_kib": usage.ru_maxrss}, out)
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


@dataclass(frozen=True)
class Measured:
    """A finished child process: exit status, output, wall-clock seconds and peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    """From just before the command started until it was reaped (measured by the launcher)."""
    peak_rss: int
    """Bytes: the largest resident set of the command or of any descendant it waited for."""
    timed_out: bool = False


def run_measured(command: list[str], cwd: Path, timeout_s: float, env: Mapping[str, str] | None = None) -> Measured:
    """Run `command` in `cwd` through the launcher, killed after `timeout_s`; time it and read its peak RSS."""
    handle, name = tempfile.mkstemp(prefix="measured-", suffix=".json")
    os.close(handle)
    figures = Path(name)
    # A session of its own, so that a timeout kills the command and its workers, not only the launcher.
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(figures), *command], cwd=cwd, env=None if env is None else dict(env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        figures.unlink(missing_ok=True)
        return Measured(process.returncode, stdout, stderr, timeout_s, 0, timed_out=True)
    try:
        measured = json.loads(figures.read_text(encoding="utf-8"))
    finally:
        figures.unlink(missing_ok=True)
    return Measured(process.returncode, stdout, stderr, measured["seconds"], measured["maxrss_kib"] * 1024)
