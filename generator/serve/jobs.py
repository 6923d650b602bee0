"""Whole-archive outputs rebuilt in child processes while the previous ones stay served.

Two outputs depend on every meeting and take seconds to minutes: the search index (idf and
document lengths; tokenizing is the slow part) and the aggregates (open data, feeds, sitemap,
permalink manifest). Each is rebuilt by a worker process of its kind (`python -m
generator.serve.jobs worker <kind> …`) from a copy of the archive as it was when the job started.
In their own processes (at a lower priority) they neither hold up the server's threads nor the
next rebuild, and they can be stopped at once (a stopped worker is started again for the next
job). A worker lives from job to job, so that a job after a save costs about what the save
changed: no interpreter to start, the meetings it unpickled before kept, and for search the
index of its last job kept in memory and updated (search/incremental.py), saved to the cache
after its answer.
They write with the build's own functions (`write_search_index`, `write_aggregates`), so the
preview serves the files `minutes build` writes. A job's files are published only when it has
finished; until then the previous ones are served.

At most one job of each kind runs. Changes made meanwhile are picked up by one more job when it
ends, so under a steady stream of edits an output is never more than one job behind.
"""

from __future__ import annotations

import enum
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..i18n import _
from ..models import Archive, Body, Meeting, SiteConfig
from ..output_reuse import FileRecord
from ..pages import SiteUrls

if TYPE_CHECKING:
    from ..search.incremental import IndexState
    from ..search.shards import FilesMemo

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

    def archive(self, known: dict[bytes, Meeting] | None = None) -> Archive:
        """The archive again, in the job's process; a meeting whose pickle is in `known` is taken from there.

        `known` is then updated to the meetings of this archive (a worker keeps it from job to job).
        """
        seen: dict[bytes, Meeting] = {}

        def meeting(data: bytes) -> Meeting:
            found = known.get(data) if known is not None else None
            seen[data] = found if found is not None else pickle.loads(data)
            return seen[data]

        archive = Archive(
            config=self.config,
            bodies=[
                Body(slug=slug, title=title, description=description, group=group, meetings=[meeting(m) for m in meetings])
                for slug, title, description, group, meetings in self.bodies
            ],
        )
        if known is not None:
            known.clear()
            known.update(seen)
        return archive

    def sources(self, known: dict[bytes, str]) -> list[str]:
        """Per meeting, in archive order, a digest of its pickle: what its search text files are made from (shards.write_search_files).

        One pickle always stands for one meeting; `known` (pickle → digest) spares digesting the
        pickles of the last job again, and is updated to this archive's.
        """
        seen = {data: known.get(data) or "pickle:" + hashlib.blake2b(data, digest_size=20).hexdigest() for *_, meetings in self.bodies for data in meetings}
        known.clear()
        known.update(seen)
        return [seen[data] for *_, meetings in self.bodies for data in meetings]


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
    worker: subprocess.Popen[bytes]
    folder: Path
    content_version: int
    started: float


OK_ANSWER = b"ok"
"""A worker's answer when a job's files are complete; any other line is `error <reason>`."""


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
    _worker: subprocess.Popen[bytes] | None = None

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
        # The files now served: a search job links those that keep their bytes.
        previous = str(self._published[-1]) if self._published else ""
        started = time.perf_counter()
        worker = self._started_worker()
        try:
            assert worker.stdin is not None
            worker.stdin.write(f"{folder}\t{previous}\n".encode("utf-8", "surrogateescape"))
            worker.stdin.flush()
        except OSError:
            pass  # the worker died: its waiting thread reports it
        running = _Running(worker, folder, version, started)
        with self._lock:
            self._running = running
        self._started_version = version
        self._waiter = threading.Thread(target=self._wait, args=(running,), name=f"minutes-{self.kind.value}-job")
        self._waiter.start()

    def _started_worker(self) -> subprocess.Popen[bytes]:
        """The worker process, started anew when there is none or it ended."""
        if self._worker is not None and self._worker.poll() is None:
            return self._worker
        self._close_worker()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", __name__, "worker", self.kind.value, str(self.cache_dir or "")]
        # Its traceback goes to a file: a pipe nobody reads between jobs would fill and block it.
        with open(self._log, "wb") as log:
            self._worker = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env)
        return self._worker

    @property
    def worker_pid(self) -> int | None:
        """The worker process's id while it runs."""
        worker = self._worker
        return worker.pid if worker is not None and worker.poll() is None else None

    @property
    def _log(self) -> Path:
        return self.work_dir / f"{self.kind.value}-worker.log"

    def _close_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        for stream in (worker.stdin, worker.stdout):
            if stream is not None:
                stream.close()

    def _wait(self, job: _Running) -> None:
        assert job.worker.stdout is not None
        try:
            answer = job.worker.stdout.readline().rstrip(b"\n")
        except (OSError, ValueError):
            answer = b""
        seconds = time.perf_counter() - job.started
        with self._lock:
            self._running = None
            if answer == OK_ANSWER:
                output = job.folder / OUTPUT
                files = _files_below(output)
                warnings = pickle.loads((job.folder / WARNINGS).read_bytes())
                self._finished = FinishedJob(files, warnings, job.content_version, seconds, job.folder)
            else:
                shutil.rmtree(job.folder, ignore_errors=True)
                if not self._stopped:
                    reason = answer.decode("utf-8", "replace").removeprefix("error ").strip() or self._end_of_worker()
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

    def _end_of_worker(self) -> str:
        """Why the worker gave no answer: the last line it wrote, or its exit status."""
        worker = self._worker
        code = worker.wait() if worker is not None else None
        try:
            lines = self._log.read_bytes().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1] if lines else _("exit status {code}").format(code=code)

    def stop(self) -> None:
        """Stop a running job and the worker, and wait for the job's thread."""
        self._stopped = True
        worker = self._worker
        if worker is not None and worker.poll() is None:
            worker.kill()
        if self._waiter is not None:
            self._waiter.join()
        self._close_worker()


def _files_below(folder: Path) -> dict[str, Path]:
    """Every file below `folder` by its relative path, in order (os.walk: no stat per file, unlike rglob and is_file)."""
    found: list[tuple[str, Path]] = []
    root = os.fspath(folder)
    for current, _folders, names in os.walk(root):
        relative = os.path.relpath(current, root).replace(os.sep, "/")
        for name in names:
            rel_path = name if relative == "." else f"{relative}/{name}"
            found.append((rel_path, folder / rel_path))
    return dict(sorted(found))


def _search(
    archive: Archive,
    urls: SiteUrls,
    folder: Path,
    cache_dir: Path | None,
    previous: Path | None,
    kept: IndexState | None = None,
    memo: FilesMemo | None = None,
    sources: list[str] | None = None,
) -> IndexState | None:
    """Build and write the search index into `folder`'s output, as `minutes build` does; returns the index to keep.

    With a cache folder, the index kept by the last job (`kept`, in a worker) or in the cache is
    updated for the meetings that changed (search/incremental.py), and the files of the
    `previous` job's folder that keep their bytes are linked, not written: an edit costs about
    the meetings it touches; a worker's `memo` of its last job's files spares making those
    again, and `sources` (ArchiveCopy.sources) its text files. The index to keep is not saved
    here (`save_state`).
    """
    from ..output import OutputTree
    from ..search.index import PendingSearchIndex, collector_paused, write_search_index

    with collector_paused(), PendingSearchIndex(archive, urls.base_path, jobs=None, cache_dir=cache_dir, kept=kept, save=False) as pending:
        index = pending.result()
    records = _read_record(previous) if previous is not None else {}
    out_dir = folder / OUTPUT
    tree = OutputTree(out_dir, previous / OUTPUT if records else None, records, keep_record=True)
    write_search_index(index, out_dir, jobs=1, tree=tree, memo=memo, sources=sources)
    # As plain tuples: pickling thousands of dataclasses took a tenth of a job.
    fields = {rel: (r.digest, r.size, r.mtime_ns, r.ino, r.dev, r.ctime_ns) for rel, r in tree.record.items()}
    (folder / RECORD).write_bytes(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL))
    return pending.kept


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
    for rel_path, fields in records.items():
        try:
            record = FileRecord(*fields)
        except TypeError:
            return {}
        try:
            status = os.lstat(os.path.join(root, rel_path))
        except OSError:
            continue
        if (status.st_ino, status.st_dev, status.st_size, status.st_mtime_ns) == (record.ino, record.dev, record.size, record.mtime_ns):
            current[rel_path] = FileRecord.of(record.digest, status)
    return current


def _aggregates(archive: Archive, copy: ArchiveCopy, out_dir: Path) -> list[Diagnostic]:
    """Write open data, feeds, sitemap and manifest as `minutes build` does."""
    from ..build import plan_pages, write_aggregates
    from ..output import OutputTree

    out_dir.mkdir(parents=True, exist_ok=True)
    return write_aggregates(archive, copy.urls, plan_pages(archive), OutputTree(out_dir), copy.content_dir)


class _Worker:
    """One job after another in a worker process, keeping what the next one can use."""

    def __init__(self, kind: JobKind, cache_dir: Path | None):
        self.kind = kind
        self.cache_dir = cache_dir
        self.meetings: dict[bytes, Meeting] = {}
        """The meetings of the last job's archive, by their pickles."""
        self.kept: IndexState | None = None
        """The search index of the last job, updated in place by the next one."""
        self.files: FilesMemo | None = None
        """What the last job's search files were made from."""
        self.sources: dict[bytes, str] = {}
        """A digest of each meeting of the last job's archive, by its pickle (ArchiveCopy.sources)."""

    def run(self, folder: Path, previous: Path | None) -> None:
        """Write the job's output and warnings into `folder`; on any error, forget what was kept."""
        try:
            copy: ArchiveCopy = pickle.loads((folder / PAYLOAD).read_bytes())
            archive = copy.archive(self.meetings)
            warnings: list[Diagnostic] = []
            if self.kind is JobKind.SEARCH:
                from ..search.shards import FilesMemo

                self.files = self.files or FilesMemo()
                self.kept = _search(archive, copy.urls, folder, self.cache_dir, previous, self.kept, self.files, copy.sources(self.sources))
            else:
                warnings = _aggregates(archive, copy, folder / OUTPUT)
            (folder / WARNINGS).write_bytes(pickle.dumps(warnings))
        except BaseException:
            # An index cut short halfway through an update is no index to update again.
            self.meetings, self.kept, self.files, self.sources = {}, None, None, {}
            raise

    def save(self) -> None:
        """Keep the search index in the cache for the next worker or build (after the answer: nobody waits for it)."""
        if self.kept is not None and self.cache_dir is not None:
            from ..search.incremental import save_state

            save_state(self.cache_dir, self.kept)


def _serve_jobs(kind: JobKind, cache_dir: Path | None) -> int:
    """A worker: for each line `<folder>\t<previous job's folder or "">` on stdin, run the job and answer on stdout."""
    worker = _Worker(kind, cache_dir)
    answers = sys.stdout.buffer
    for line in sys.stdin.buffer:
        folder, _tab, previous = line.rstrip(b"\n").decode("utf-8", "surrogateescape").partition("\t")
        try:
            worker.run(Path(folder), Path(previous) if previous else None)
        except Exception as exc:  # noqa: BLE001 - the server reports it and keeps the previous files
            traceback.print_exc()
            sys.stderr.flush()
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())
            answers.write(b"error " + reason.encode("utf-8", "replace") + b"\n")
            answers.flush()
            continue
        answers.write(OK_ANSWER + b"\n")
        answers.flush()
        worker.save()
    return 0


def main(argv: list[str]) -> int:
    """A job process.

    `python -m generator.serve.jobs worker <search|aggregates> <cache folder or "">` runs jobs as
    the server asks (`_serve_jobs`); `python -m generator.serve.jobs <search|aggregates> <folder>
    <cache folder or ""> [<previous job's folder>]` runs one job and ends.
    """
    kind_name = argv[2] if argv[1] == "worker" else argv[1]
    try:
        # The server and the next rebuild come first, then search, then the open data.
        os.nice(10 if kind_name == JobKind.SEARCH.value else 15)
    except OSError:
        pass
    if argv[1] == "worker":
        return _serve_jobs(JobKind(argv[2]), Path(argv[3]) if len(argv) > 3 and argv[3] else None)
    kind, folder = JobKind(argv[1]), Path(argv[2])
    cache_dir = Path(argv[3]) if len(argv) > 3 and argv[3] else None
    previous = Path(argv[4]) if len(argv) > 4 and argv[4] else None
    worker = _Worker(kind, cache_dir)
    worker.run(folder, previous)
    worker.save()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
