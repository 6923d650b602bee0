"""Whole-archive outputs rebuilt in child processes while the previous ones stay served.

Two outputs depend on every meeting and take seconds to minutes: the search index (idf and
document lengths; tokenizing is the slow part) and the aggregates (open data, feeds, sitemap,
permalink manifest). Each is rebuilt by `python -m generator.serve.jobs <kind> …` from a copy of
the archive as it was when the job started. In their own processes (at a lower priority) they
neither hold up the server's threads nor the next rebuild, and they can be stopped at once.
They write with the build's own functions (`write_search_index`, `write_aggregates`), so the
preview serves the files `minutes build` writes. A job's files are published only when it has
finished; until then the previous ones are served.

At most one job of each kind runs. Changes made meanwhile are picked up by one more job when it
ends, so under a steady stream of edits an output is never more than one job behind.
"""

from __future__ import annotations

import enum
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from ..i18n import _
from ..models import Archive, Body, Meeting, SiteConfig
from ..output_reuse import FileRecord
from ..pages import SiteUrls

PAYLOAD = "archive.pickle"
WARNINGS = "warnings.pickle"
RECORD = "record.pickle"
"""A search job's record of the files it wrote (output_reuse.FileRecord), for the next job to link them."""
OUTPUT = "site"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


class JobKind(enum.Enum):
    """What a job builds."""

    SEARCH = "search"
    AGGREGATES = "aggregates"


@dataclass
class ArchiveCopy:
    """What a job needs: the archive pickled meeting by meeting, the site's URLs, the content folder."""

    config: SiteConfig
    bodies: list[tuple[str, str, str | None, str | None, list[bytes]]]
    urls: SiteUrls
    content_dir: Path

    def archive(self) -> Archive:
        """The archive again, in the job's process."""
        return Archive(
            config=self.config,
            bodies=[
                Body(slug=slug, title=title, description=description, group=group, meetings=[pickle.loads(m) for m in meetings])
                for slug, title, description, group, meetings in self.bodies
            ],
        )


class ArchivePickles:
    """Meetings pickled once each: an edit replaces a Meeting object, so only it is pickled again."""

    def __init__(self) -> None:
        # Keyed by identity; each entry holds its meeting, so that the id is not reused meanwhile.
        self._pickles: dict[int, tuple[Meeting, bytes]] = {}

    def copy(self, archive: Archive, urls: SiteUrls, content_dir: Path) -> ArchiveCopy:
        """A copy of `archive` as it is now, to hand to a job."""
        pickles: dict[int, tuple[Meeting, bytes]] = {}
        bodies = []
        for body in archive.bodies:
            meetings = []
            for meeting in body.meetings:
                entry = self._pickles.get(id(meeting))
                if entry is None or entry[0] is not meeting:
                    entry = (meeting, pickle.dumps(meeting, protocol=pickle.HIGHEST_PROTOCOL))
                pickles[id(meeting)] = entry
                meetings.append(entry[1])
            bodies.append((body.slug, body.title, body.description, body.group, meetings))
        self._pickles = pickles
        return ArchiveCopy(archive.config, bodies, urls, content_dir)


@dataclass
class FinishedJob:
    """A finished job: its files by output path, its warnings, and the content version it had."""

    files: dict[str, Path]
    warnings: list[Diagnostic]
    content_version: int
    seconds: float
    folder: Path


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    folder: Path
    content_version: int
    started: float


@dataclass
class ArchiveJobs:
    """Starts jobs of one kind for new content versions, one at a time, and hands over finished ones.

    `request`, `start_if_idle` and `take_finished` belong to the thread that owns the archive
    (the rebuild loop); a job's waiting thread only stores the result and calls `on_finished`.
    """

    kind: JobKind
    work_dir: Path
    pickles: ArchivePickles
    cache_dir: Path | None = None
    echo: Callable[[str], None] = print
    on_finished: Callable[[], None] = lambda: None
    _wanted: tuple[Archive, SiteUrls, Path, int] | None = None
    _started_version: int = -1
    _running: _Running | None = None
    _waiter: threading.Thread | None = None
    _finished: FinishedJob | None = None
    _published: list[Path] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: bool = False

    def request(self, archive: Archive, urls: SiteUrls, content_dir: Path, content_version: int) -> None:
        """Ask for the output of `archive` at `content_version`; it starts when no job is running."""
        self._wanted = (archive, urls, content_dir, content_version)
        self.start_if_idle()

    @property
    def running(self) -> bool:
        """Whether a job is running now."""
        with self._lock:
            return self._running is not None

    def start_if_idle(self) -> None:
        """Start a job for the newest requested version, unless one is running or it was started."""
        if self._stopped or self._wanted is None or self.running:
            return
        archive, urls, content_dir, version = self._wanted
        if version == self._started_version:
            return
        if self._waiter is not None:
            self._waiter.join()
        folder = self.work_dir / f"{self.kind.value}-{version}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        payload = self.pickles.copy(archive, urls, content_dir)
        (folder / PAYLOAD).write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", __name__, self.kind.value, str(folder), str(self.cache_dir or "")]
        if self._published:
            # The files now served: a search job links those that keep their bytes.
            command.append(str(self._published[-1]))
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        running = _Running(process, folder, version, time.perf_counter())
        with self._lock:
            self._running = running
        self._started_version = version
        self._waiter = threading.Thread(target=self._wait, args=(running,), name=f"minutes-{self.kind.value}-job")
        self._waiter.start()

    def _wait(self, job: _Running) -> None:
        _output, errors = job.process.communicate()
        seconds = time.perf_counter() - job.started
        with self._lock:
            self._running = None
            if job.process.returncode == 0:
                output = job.folder / OUTPUT
                files = {p.relative_to(output).as_posix(): p for p in sorted(output.rglob("*")) if p.is_file()}
                warnings = pickle.loads((job.folder / WARNINGS).read_bytes())
                self._finished = FinishedJob(files, warnings, job.content_version, seconds, job.folder)
            else:
                shutil.rmtree(job.folder, ignore_errors=True)
                if not self._stopped:
                    lines = errors.decode("utf-8", "replace").strip().splitlines()
                    reason = lines[-1] if lines else _("exit status {code}").format(code=job.process.returncode)
                    self.echo(
                        _("{what} failed after {seconds:.1f} s, the previous files are still served: {reason}").format(
                            what=self.kind.value, seconds=seconds, reason=reason
                        )
                    )
        self.on_finished()

    def take_finished(self) -> FinishedJob | None:
        """A newly finished job, once; the folder of the job before the one now served is removed."""
        with self._lock:
            finished, self._finished = self._finished, None
        if finished is None:
            return None
        self._published.append(finished.folder)
        # The files served until now may still be read by a request in flight: keep them one round.
        while len(self._published) > 2:
            shutil.rmtree(self._published.pop(0), ignore_errors=True)
        return finished

    def stop(self) -> None:
        """Stop a running job and wait for its thread."""
        self._stopped = True
        with self._lock:
            job = self._running
        if job is not None:
            job.process.kill()
        if self._waiter is not None:
            self._waiter.join()


def _search(copy: ArchiveCopy, folder: Path, cache_dir: Path | None, previous: Path | None) -> list[Diagnostic]:
    """Build and write the search index into `folder`'s output, as `minutes build` does.

    With a cache folder, the index the last job or build kept there is updated for the meetings
    that changed (search/incremental.py), and the files of the `previous` job's folder that keep
    their bytes are linked, not written: an edit costs about the meetings it touches.
    """
    from ..output import OutputTree
    from ..search.index import PendingSearchIndex, collector_paused, write_search_index

    archive = copy.archive()
    with collector_paused(), PendingSearchIndex(archive, copy.urls.base_path, jobs=None, cache_dir=cache_dir) as pending:
        index = pending.result()
    records = _read_record(previous) if previous is not None else {}
    out_dir = folder / OUTPUT
    tree = OutputTree(out_dir, previous / OUTPUT if records else None, records, keep_record=True)
    write_search_index(index, out_dir, jobs=1, tree=tree)
    (folder / RECORD).write_bytes(pickle.dumps(tree.record, protocol=pickle.HIGHEST_PROTOCOL))
    return []


def _read_record(folder: Path) -> dict[str, FileRecord]:
    """What the job of `folder` wrote, as its OutputTree recorded it, for the files still as written; empty when it cannot be read.

    A file's ctime moves whenever a job links it or a folder that shares it is removed, so it is
    taken afresh here: job folders are written by jobs only, and a file with its recorded inode,
    size and mtime is the one written.
    """
    try:
        records = pickle.loads((folder / RECORD).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
    if not isinstance(records, dict):
        return {}
    current = {}
    root = os.fspath(folder / OUTPUT)
    for rel_path, record in records.items():
        try:
            status = os.lstat(os.path.join(root, rel_path))
        except OSError:
            continue
        if (status.st_ino, status.st_dev, status.st_size, status.st_mtime_ns) == (record.ino, record.dev, record.size, record.mtime_ns):
            current[rel_path] = FileRecord.of(record.digest, status)
    return current


def _aggregates(copy: ArchiveCopy, out_dir: Path) -> list[Diagnostic]:
    """Write open data, feeds, sitemap and manifest as `minutes build` does."""
    from ..build import plan_pages, write_aggregates
    from ..output import OutputTree

    archive = copy.archive()
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_aggregates(archive, copy.urls, plan_pages(archive), OutputTree(out_dir), copy.content_dir)


def main(argv: list[str]) -> int:
    """A job process: `python -m generator.serve.jobs <search|aggregates> <folder> <cache folder or ""> [<previous job's folder>]`."""
    kind, folder = JobKind(argv[1]), Path(argv[2])
    cache_dir = Path(argv[3]) if len(argv) > 3 and argv[3] else None
    previous = Path(argv[4]) if len(argv) > 4 and argv[4] else None
    try:
        os.nice(10)  # the server and the next rebuild come first
    except OSError:
        pass
    copy: ArchiveCopy = pickle.loads((folder / PAYLOAD).read_bytes())
    if kind is JobKind.SEARCH:
        warnings = _search(copy, folder, cache_dir, previous)
    else:
        warnings = _aggregates(copy, folder / OUTPUT)
    (folder / WARNINGS).write_bytes(pickle.dumps(warnings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
