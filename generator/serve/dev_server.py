"""`minutes serve`: build, serve on localhost, watch the sources, rebuild what changed, reload pages.

Threads, each with one job: the HTTP server answers from the current snapshot; watchdog's
observer feeds changed paths into a `ChangeQueue`; the rebuild loop (the only thread that touches
the `LiveSite`) takes debounced batches, applies them, publishes a new snapshot, then catches up
the remaining pages between batches. The whole-archive files (search index, open data, feeds)
are built by child processes (`jobs.py`). `stop()` ends all of them and waits for each.
"""

from __future__ import annotations

import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, error
from ..i18n import N_, _
from ..search.index import SEARCH_DIR
from .changes import SourceFolders, classify, plan_rebuild
from .live_site import PAGES_PER_STEP, LiveSite
from .mirror import OutputMirror, previous_files
from .jobs import ArchiveJobs, ArchivePickles, FinishedJob, JobKind
from .server import PreviewServer
from .snapshot import Snapshot, SnapshotHub
from .watcher import QUIET_SECONDS, ChangeQueue, SourceWatcher

IDLE_POLL_SECONDS = 0.5
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_JOB_NAMES = {JobKind.SEARCH: N_("search index"), JobKind.AGGREGATES: N_("open data and feeds")}


class ListenError(OSError):
    """The server cannot listen where it was asked to (port taken, address not of this machine)."""


@dataclass
class ServeOptions:
    """What `minutes serve` was asked for."""

    content_dir: Path
    templates_dir: Path
    out_dir: Path
    base_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    cache_dir: Path | None = Path(".cache")
    """Where the search job keeps its index for the next start and loading its memo of meeting files (None: no cache)."""
    search: bool = True
    """Build the search index in the background (tests of other parts switch it off)."""
    quiet: float = QUIET_SECONDS


class DevServer:
    """A running preview: call `start()`, read `url`, and `stop()` (or use it as a context manager)."""

    def __init__(self, options: ServeOptions, echo: Callable[[str], None] = print):
        self.options = options
        self.echo = echo
        self.folders = SourceFolders(
            content=options.content_dir.resolve(),
            templates=options.templates_dir.resolve(),
            output=options.out_dir.resolve(),
        )
        self.queue = ChangeQueue(quiet=options.quiet)
        self.site = LiveSite(options.content_dir, options.templates_dir, options.base_url, echo, options.cache_dir)
        self.hub: SnapshotHub | None = None
        self.server: PreviewServer | None = None
        self.jobs: dict[JobKind, ArchiveJobs] = {}
        self.job_files: dict[JobKind, dict[str, Path]] = {}
        self.job_versions: dict[JobKind, int] = {}
        """Content version of each job's files being served (absent: none, or an earlier session's)."""
        self.aggregate_warnings: list[Diagnostic] = []
        self.previous_site: dict[str, Path] = {}
        self.internal_problems: list[Diagnostic] = []
        self._work: tempfile.TemporaryDirectory[str] | None = None
        self._mirror = OutputMirror(options.out_dir)
        self.output_problems: list[Diagnostic] = []
        """Files of the site the output folder could not take at the last sync (shown over the pages)."""
        self._epoch = 0
        self._shown_errors: list[Diagnostic] = []
        self._shown_warnings: set[Diagnostic] = set()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watcher: SourceWatcher | None = None

    # Life cycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Where the site is served, with its base path."""
        assert self.server is not None and self.hub is not None
        host, port = self.server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}{self.hub.current.base_path}"

    def start(self) -> None:
        """Listen, build everything, then serve and watch; raises ListenError when the port is taken."""
        started = time.perf_counter()
        self._work = tempfile.TemporaryDirectory(prefix="minutes-serve-")
        work = Path(self._work.name)
        self.hub = SnapshotHub(Snapshot(0, {}))
        try:
            # Listening first: a taken port fails at once, and a browser that connects during the
            # build waits in the backlog until the first snapshot is served.
            try:
                self.server = PreviewServer(self.options.host, self.options.port, self.hub)
            except OSError as exc:
                raise ListenError(
                    _("cannot listen on {host}:{port}: {problem}").format(host=self.options.host, port=self.options.port, problem=exc.strerror or exc)
                ) from exc
            # Watching before reading: a save during the first build is rebuilt right after it.
            self._watcher = SourceWatcher([self.folders.content, self.folders.templates], self.queue)
            self._watcher.start()
            self.site.load_all()
            self.site.collect_assets()
            self.site.render_all()
            if self.options.search:
                self.job_files[JobKind.SEARCH] = previous_files(self.options.out_dir, work / "previous-index", SEARCH_DIR)
            if not self.site.rendered_once:
                self.previous_site = previous_files(self.options.out_dir, work / "previous-site")
            self.hub.publish(self._snapshot())
        except BaseException:
            if self._watcher is not None:
                self._watcher.stop()
            if self.server is not None:
                self.server.server_close()
            self._work.cleanup()
            raise
        self._report(time.perf_counter() - started, _("built"))
        if self._sync_output():
            self.hub.publish(self._snapshot())
        pickles = ArchivePickles()
        # Search first: after a save it is what the author waits for (its job starts first).
        kinds = ([JobKind.SEARCH] if self.options.search else []) + [JobKind.AGGREGATES]
        for kind in kinds:
            self.jobs[kind] = ArchiveJobs(kind, work, pickles, self.options.cache_dir, self.echo, self.queue.wake)
        for target, name in ((self.server.serve_forever, "minutes-http"), (self._loop, "minutes-rebuild")):
            thread = threading.Thread(target=target, name=name)
            thread.start()
            self._threads.append(thread)
        if self.options.host not in LOOPBACK_HOSTS:
            self.echo("warning: " + _("listening on {host}: other machines can read this preview").format(host=self.options.host))

    def stop(self) -> None:
        """Stop watching, serving and rebuilding; wait for every thread and child process."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.stop()
        self.queue.wake()
        if self.hub is not None:
            self.hub.stop()
        if self.server is not None:
            self.server.shutdown()
        for thread in self._threads:
            thread.join()
        if self.server is not None:
            self.server.server_close()  # joins the request threads (event streams end at hub.stop)
        for jobs in self.jobs.values():
            jobs.stop()
        if self._work is not None:
            self._work.cleanup()

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self) -> None:
        """Block until `stop()` is called from elsewhere (or a KeyboardInterrupt arrives)."""
        while not self._stopping.wait(0.5):
            pass

    # The rebuild loop ------------------------------------------------------------------------

    def _loop(self) -> None:
        # The first jobs start here, not in start(): copying the archive for them takes a moment.
        try:
            self._request_jobs()
        except Exception as exc:  # noqa: BLE001
            self._internal_error(exc)
        while not self._stopping.is_set():
            busy = self.site.has_background_work
            batch = self.queue.take(0 if busy else IDLE_POLL_SECONDS)
            if self._stopping.is_set():
                break
            try:
                if batch:
                    self._rebuild(batch)
                elif busy:
                    self._catch_up()
                self._take_finished_jobs()
            except Exception as exc:  # noqa: BLE001 - the server outlives any rebuild bug
                self._internal_error(exc)

    def _rebuild(self, batch: set[Path]) -> None:
        started = time.perf_counter()
        changes = [classify(path, self.folders) for path in sorted(batch)]
        plan = plan_rebuild(changes, self.site.known())
        if plan.empty:
            return
        for reason in plan.reasons:
            self.echo(_("reloading everything: {reason}").format(reason=reason))
        self.internal_problems = []
        self.site.apply(plan)
        # Search is what a save waits for longest: its job starts before the pages are rendered,
        # so that its worker runs on another core meanwhile. The open data can wait for them.
        self._request_jobs(JobKind.SEARCH)
        first = self.site.render_pending(self._watched_urls())
        self._publish()
        self._report(time.perf_counter() - started, _("rebuilt {count} page(s)").format(count=len(first)) if first else _("rebuilt"))
        self._request_jobs()

    def _catch_up(self) -> None:
        self.site.render_some(PAGES_PER_STEP)
        if not self.site.has_background_work or self.queue.pending:
            self._publish()

    def _request_jobs(self, only: JobKind | None = None) -> None:
        """Ask each job kind (or `only` that one) for the current content, when it can be built and has changed."""
        site = self.site
        if not site.can_render or site.archive is None:
            return
        for kind, jobs in self.jobs.items():
            if only in (None, kind) and self.job_versions.get(kind) != site.content_version:
                jobs.request(site.archive, site.urls, site.content_dir, site.content_version)

    def _take_finished_jobs(self) -> None:
        finished: list[tuple[JobKind, FinishedJob]] = []
        for kind, jobs in self.jobs.items():
            done = jobs.take_finished()
            if done is not None:
                finished.append((kind, done))
                self.job_files[kind] = done.files
                self.job_versions[kind] = done.content_version
                if kind is JobKind.AGGREGATES:
                    self.aggregate_warnings = done.warnings
                    self._report_warnings()
            if self.site.can_render:
                # A queued job copies the archive as it is now: only when it is whole and good.
                jobs.start_if_idle()
        if finished:
            self._publish()
            for kind, done in finished:
                behind = "" if done.content_version == self.site.content_version else _(" (content changed since: another follows)")
                self.echo(_("{what} updated in {seconds:.1f} s{behind}").format(what=_(_JOB_NAMES[kind]), seconds=done.seconds, behind=behind))

    def _internal_error(self, exc: Exception) -> None:
        """A bug in a rebuild: print it, show it over the pages, and reload everything next time."""
        self.echo("".join(traceback.format_exception(exc)).rstrip())
        self.internal_problems = [error("minutes serve", 1, _("rebuild failed: {problem} (see the terminal)").format(problem=f"{type(exc).__name__}: {exc}"))]
        self.site.archive = None  # the next change loads everything again
        self._publish()

    # Publishing ------------------------------------------------------------------------------

    def _watched_urls(self) -> frozenset[str]:
        assert self.hub is not None
        return frozenset(rel.removesuffix("index.html") for rel in self.hub.watched())

    def _snapshot(self) -> Snapshot:
        self._epoch += 1
        files: dict[str, bytes | Path] = dict(self.site.files()) if self.site.rendered_once else dict(self.previous_site)
        for job_files in self.job_files.values():
            files.update(job_files)
        problems = tuple(self.site.problems() + self.internal_problems + self.output_problems)
        return Snapshot(self._epoch, files, problems, self.site.urls.base_path)

    def _publish(self) -> None:
        assert self.hub is not None
        self.hub.publish(self._snapshot())
        if self._sync_output():
            # The same files, with the output folder's problems shown or gone.
            self.hub.publish(self._snapshot())

    def _sync_output(self) -> bool:
        """Keep the output folder equal to what is served (once something was built).

        Files it cannot take are shown over the pages and tried again at every publish, so the
        folder catches up once the obstacle is gone. Returns whether those problems changed.
        """
        if not self.site.rendered_once or self.hub is None:
            return False
        out_dir = self.options.out_dir
        try:
            failures = self._mirror.sync(self.hub.current.files)
            problems = [
                error((out_dir / failure.rel_path).as_posix(), 1, _("cannot write this file of the site ({reason}); it is served from memory only").format(reason=failure.reason))
                for failure in failures
            ]  # fmt: skip
        except OSError as exc:
            problems = [error(out_dir.as_posix(), 1, _("cannot write the site here ({problem}); it is served from memory only").format(problem=exc.strerror or exc))]
        if problems == self.output_problems:
            return False
        if problems:
            for problem in problems:
                self.echo(str(problem))
        else:
            self.echo(_("{out} is written again").format(out=out_dir))
        self.output_problems = problems
        return True

    def _report_warnings(self) -> None:
        """Print warnings not printed before (each once while it lasts)."""
        warnings = [d for d in self.site.diagnostics + self.aggregate_warnings if d.severity.value == "warning"]
        for warning in warnings:
            if warning not in self._shown_warnings:
                self.echo(str(warning))
        self._shown_warnings = set(warnings)

    def _report(self, seconds: float, what: str) -> None:
        """Print new problems, or that they are fixed, and a line on what was rebuilt."""
        # The output folder's problems are printed by _sync_output, when they change.
        problems = self.site.problems() + self.internal_problems
        self._report_warnings()
        if problems:
            if problems != self._shown_errors:
                for problem in problems:
                    self.echo(str(problem))
            self.echo(_("{count} error(s): serving the last good build with the problems shown on every page").format(count=len(problems)))
        else:
            if self._shown_errors:
                self.echo(_("problems fixed"))
            self.echo(_("{what} in {seconds:.2f} s").format(what=what, seconds=seconds))
        self._shown_errors = problems
