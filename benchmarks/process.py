"""A timed child process: its wall-clock time and its peak memory, for the build benchmarks.

The peak comes from the kernel's accounting of that one child (`os.wait4`), not from
`getrusage(RUSAGE_CHILDREN)`, which keeps the largest child of the whole benchmark run: after the
corpus build, every smaller build would report the corpus's peak. Linux gives `ru_maxrss` of a
child as the larger of its own peak and that of its largest waited-for descendant (a worker of a
process pool), never their sum: for a build that tokenizes in several processes at once it is the
largest single process, so the build's own report of its peak, when it prints one, is the figure
to prefer (see cold_build.py).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    """A finished child process: exit status, output, wall-clock seconds and peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int
    """Bytes: the largest resident set of the child or of any descendant it waited for."""
    timed_out: bool = False


def run_measured(command: list[str], cwd: Path, timeout_s: float, env: Mapping[str, str] | None = None) -> Measured:
    """Run `command` in `cwd`, killed after `timeout_s`; time it and read its own peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=None if env is None else dict(env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # The pipes are drained by threads so that a chatty child never blocks on a full pipe while
    # this thread sits in wait4 (communicate() would reap the child and lose its rusage).
    output: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda name=name, stream=stream: output.__setitem__(name, stream.read()), daemon=True)
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for reader in readers:
        reader.start()
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    process.stdout.close()
    process.stderr.close()
    return Measured(
        process.returncode, output.get("stdout", ""), output.get("stderr", ""), seconds,
        usage.ru_maxrss * 1024, expired.is_set(),
    )  # fmt: skip
