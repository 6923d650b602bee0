"""`minutes build`: load and check all content, then render every page into a fresh site folder."""

from __future__ import annotations

import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .content import INDEX, load_archive
from .i18n import _
from .decisions import decision_entries
from .diagnostics import ContentError, Diagnostic, has_errors
from .feeds import write_feeds
from .models import Archive, Body, Meeting, group_bodies, speakers_in_order
from .opendata import write_open_data
from .forking import ForkedCall, can_fork, max_rss
from .output import (
    OutputTree,
    TreeWork,
    adopt_spare,
    check_output_folder,
    discard,
    in_tree_copy,
    keep_spare,
    removed_meanwhile,
    staging_folder,
    swap_keeping_old,
)
from .output_reuse import (
    OutputRecord,
    body_fields,
    code_version,
    derived_key,
    forget_record,
    load_record,
    meeting_key,
    save_record,
    site_key,
    spare_path,
    theme_digest,
)
from .pages import Page, SiteUrls
from .permalinks import MANIFEST_NAME, Manifest, ManifestError, redirect_pages, speech_digest
from .render import make_environment, render_page
from .search.index import PendingSearchIndex, collector_paused, write_search_index
from .speaker_pages import speaker_href, speaker_pages
from .theme import ASSETS_URL, LUNR_JS, STATIC_DIR, static_files  # noqa: F401 (serve imports them from here)
from .wareki import fiscal_year

RECENT_MEETINGS = 10


class MissingAssetError(RuntimeError):
    """A file the site needs from the installed package is missing (a broken installation)."""


AGGREGATES_HELPER_MIN_UTTERANCES = 2_000
"""Below this many utterances the open data is written in a few tens of milliseconds: a forked helper would cost more."""


@dataclass(frozen=True)
class PeakMemory:
    """The most memory a build held at once: this process, and its worker processes while they ran."""

    process: int
    """Bytes: the peak resident set of this process."""
    process_with_workers: int
    """Bytes: the peak resident set of this process up to when its workers ended."""
    worker: int
    """Bytes: the peak of the largest worker process (0 without workers): its proportional set
    size when `workers_total` is known, else its resident set."""
    workers: int
    shard_writer: int = 0
    """Bytes: the memory the forked process that wrote part of the shards held alone (0 without one)."""
    aggregates_writer: int = 0
    """Bytes: the memory the forked process that wrote the open data and feeds held alone (0 without one)."""
    workers_total: int | None = None
    """Bytes: the workers' peak proportional set sizes (Pss) summed, or None where the system does not tell them.

    A worker's Pss counts a page it alone maps in full and a page n processes map as 1/n: the
    dictionary file every worker maps is counted once among them, where their resident sets would
    count it once per worker. Without it, each worker counts as `worker`, its peak resident set.
    """

    @property
    def total(self) -> int:
        """Bytes: at most this much was held at once, this process and every helper process together.

        While the workers ran, this process held at most its peak until then; after, itself and
        the forked writers, which share the rest of their memory with this process.
        """
        workers = self.workers_total if self.workers_total is not None else self.workers * self.worker
        return max(self.process + self.shard_writer + self.aggregates_writer, self.process_with_workers + workers)

    def __str__(self) -> str:
        text = _("peak memory {size}").format(size=_megabytes(self.total))
        helpers = []
        if self.workers and self.workers_total is not None:
            helpers.append(
                _("each of {workers} workers at most {size} (Pss: pages the workers share counted once)").format(
                    workers=self.workers, size=_megabytes(self.worker)
                )
            )
        elif self.workers:
            helpers.append(_("each of {workers} workers at most {size}").format(workers=self.workers, size=_megabytes(self.worker)))
        if self.shard_writer:
            helpers.append(_("the shard writer {size} of its own").format(size=_megabytes(self.shard_writer)))
        if self.aggregates_writer:
            helpers.append(_("the open data writer {size} of its own").format(size=_megabytes(self.aggregates_writer)))
        if helpers:
            text += _(" (this process {size}, {helpers})").format(size=_megabytes(self.process), helpers=", ".join(helpers))
        return text


def peak_memory(
    with_workers: int, worker_rss: int, workers: int, worker_pss: dict[int, int], shard_writer: int, aggregates_writer: int
) -> PeakMemory:
    """The build's PeakMemory; the workers' by their proportional set sizes (`worker_pss`, by process) when every one reported one.

    `worker_rss` is the largest ended child's peak resident set (RUSAGE_CHILDREN), the figure
    used where Pss is not known.
    """
    if workers and len(worker_pss) == workers and all(worker_pss.values()):
        return PeakMemory(
            max_rss(resource.RUSAGE_SELF), with_workers, max(worker_pss.values()), workers, shard_writer, aggregates_writer,
            workers_total=sum(worker_pss.values()),
        )  # fmt: skip
    return PeakMemory(max_rss(resource.RUSAGE_SELF), with_workers, worker_rss if workers else 0, workers, shard_writer, aggregates_writer)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


@dataclass(frozen=True)
class BuildSummary:
    """What a build wrote, for the closing line of `minutes build`."""

    meetings: int
    utterances: int
    pages: int
    seconds: float
    warnings: list[Diagnostic]
    tokenized: int = 0
    """Utterances Sudachi tokenized; the others' postings came from the kept index."""
    memory: PeakMemory | None = None

    def __str__(self) -> str:
        text = _("built {meetings} meetings, {utterances} utterances, {pages} pages in {seconds:.2f} s").format(meetings=self.meetings, utterances=self.utterances, pages=self.pages, seconds=self.seconds)
        text += _("; {tokenized} utterances tokenized, {cached} from the cache").format(tokenized=self.tokenized, cached=self.utterances - self.tokenized)
        if self.memory is not None:
            text += _("; {memory}").format(memory=self.memory)
        return text


Progress = Callable[[Iterable[Page]], Iterable[Page]]
"""Wraps the page loop to show progress (a bar on a terminal, plain lines in CI)."""


def plan_pages(archive: Archive) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    recent = sorted(archive.meetings, key=lambda m: (m.date, m.path), reverse=True)[:RECENT_MEETINGS]
    pages = [Page("", "home.html", {"recent": recent, "body_groups": group_bodies(archive.bodies)})]
    for body in archive.bodies:
        pages.append(Page(f"{body.slug}/", "body.html", {"body": body, "years": group_by_fiscal_year(body)}))
        for meeting in body.meetings:
            pages.append(Page(f"{meeting.path}/", "meeting.html", {"body": body, "meeting": meeting}))
    pages.append(Page("search/", "search.html", {"body_groups": group_bodies(archive.bodies)}))
    pages.append(Page("404.html", "404.html", absolute_links=True))
    pages.append(Page("decisions/", "decisions.html", {"entries": decision_entries(archive)}))
    pages.append(Page("data/", "data.html", {"meetings": archive.meetings}))
    pages += speaker_pages(archive)
    pages += redirect_pages(archive)
    return pages


def group_by_fiscal_year(body: Body) -> list[tuple[int, list[Meeting]]]:
    """A body's meetings grouped by fiscal year (April–March), newest year first, dates ascending."""
    years: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in body.meetings:
        years[fiscal_year(meeting.date)].append(meeting)
    return [(year, sorted(years[year], key=lambda m: (m.date, m.slug))) for year in sorted(years, reverse=True)]


def build_site(
    content_dir: Path,
    templates_dir: Path,
    out_dir: Path,
    base_url: str | None = None,
    progress: Progress | None = None,
    jobs: int | None = 1,
    cache_dir: Path | None = None,
    finish: Callable[[BuildSummary], None] | None = None,
) -> BuildSummary:
    """Build the site; on any content error raise ContentError and leave `out_dir` untouched.

    An `out_dir` that is not safe to replace raises OutputFolderError before anything is read.

    `jobs` worker processes tokenize the utterances for the search index (1: none, this process
    does; None: one per core for a large archive) while this process renders the pages, and a
    forked process writes part of the shards unless `jobs` is 1 (and, on a warm build of a large
    archive, another the open data and feeds); with
    `cache_dir`, tokens are kept there by content hash, so the next build tokenizes only new text,
    and what each meeting file read as, so that it parses only files changed since.

    `finish`, if given, is called with the summary once the site is in place, while the build
    still holds what it made: `minutes build` reports there and ends its process (cli.py).
    """
    started = time.perf_counter()
    check_output_folder(out_dir, content_dir, templates_dir)
    # A large archive is millions of small acyclic objects (meetings, tokens, postings): the
    # cycle collector would walk them again and again for nothing (half of a build's time). They
    # are all let go when _build returns, before the collector resumes: else its first pass
    # would walk every one of them once more (a tenth of a second on a warm build).
    with collector_paused():
        return _build(content_dir, templates_dir, out_dir, base_url, progress, jobs, cache_dir, started, finish)


def _build(
    content_dir: Path,
    templates_dir: Path,
    out_dir: Path,
    base_url: str | None,
    progress: Progress | None,
    jobs: int | None,
    cache_dir: Path | None,
    started: float,
    finish: Callable[[BuildSummary], None] | None,
) -> BuildSummary:
    """`build_site` once the output folder is known to be safe to replace, with the cycle collector paused."""
    archive, diagnostics = load_archive(content_dir, cache_dir, parallel=jobs != 1)
    if archive is None or has_errors(diagnostics):
        raise ContentError(diagnostics)
    urls = SiteUrls.from_base_url(base_url or archive.config.base_url)
    pages = plan_pages(archive)
    lunr_js = find_lunr_js()
    previous = load_record(cache_dir, out_dir)
    keys = output_keys(archive, pages, templates_dir, urls) if cache_dir is not None else {}
    unchanged = {name for name, key in keys.items() if previous.keys.get(name) == key}
    # The site the last build replaced, kept in the cache: written over, it becomes the new site
    # with a system call per changed file instead of a link per file (output.adopt_spare).
    spare = spare_path(cache_dir, out_dir) if cache_dir is not None else None
    adopted = adopt_spare(spare, out_dir) if spare is not None else None
    staging = adopted or staging_folder(out_dir)
    aggregates: ForkedCall[TreeWork[list[Diagnostic]]] | None = None
    aggregates_writer = 0
    try:
        # The index is kept in the cache once its files are written and in place (search.save), with them.
        with PendingSearchIndex(archive, urls.base_path, jobs=jobs, cache_dir=cache_dir, save=False) as search:
            tree = OutputTree(staging, out_dir if out_dir.is_dir() else None, previous.files, keep_record=cache_dir is not None, prefilled=adopted is not None)
            write_pages(archive, templates_dir, urls, pages, tree, progress, unchanged, cache_dir)
            copy_static(templates_dir, tree)
            tree.copy_file(lunr_js, ASSETS_URL + LUNR_JS.name)
            # With no tokenizing workers (a warm build), a forked helper writes the open data
            # and feeds on the second core while this process finishes the search index.
            if jobs != 1 and not search.workers and len(search.documents) >= AGGREGATES_HELPER_MIN_UTTERANCES and can_fork():
                aggregates = ForkedCall(in_tree_copy, tree, write_aggregates, archive, urls, pages, tree, content_dir, unchanged)
            else:
                diagnostics = diagnostics + write_aggregates(archive, urls, pages, tree, content_dir, unchanged)
            search_index = search.result()
            # The workers have ended: RUSAGE_CHILDREN now covers them (in a test run, also
            # any child process before them, which can only make the figure larger). They
            # ended as soon as their last run was read, before this process put the index
            # together: this process's peak until then is what it held beside them.
            worker = max_rss(resource.RUSAGE_CHILDREN)
            with_workers = search.peak_with_workers or max_rss(resource.RUSAGE_SELF)
        # A meeting's output key stands for its text files' content too (they are made from it).
        sources = [keys[meeting.path] for body in archive.bodies for meeting in body.meetings] if keys else None
        shard_writer = write_search_index(search_index, staging, jobs=jobs, tree=tree, sources=sources)
        if aggregates is not None:
            diagnostics = diagnostics + tree.absorb(aggregates.result())
            aggregates_writer = aggregates.private_memory
        tree.prune()
        # The record describes the site being replaced until the new one is in place.
        forget_record(cache_dir, out_dir)
        old = swap_keeping_old(staging, out_dir)
        # An old site that shares most files with the new one (linked, not written) is kept as
        # the spare for the next build; else a thread removes it (system calls, mostly outside
        # the GIL) while this one keeps the index, with its record of the files just written
        # (pickling). Nothing forks from here on. The output record waits for the removal:
        # removing the old site's name of a linked file moves the file's ctime, which the record keeps.
        if old is not None and spare is not None and 2 * tree.linked >= len(tree.written):
            keep_spare(old, spare)
        with removed_meanwhile(old):
            search.save()
        save_record(cache_dir, out_dir, OutputRecord(tree.record, keys))
    except BaseException:
        if aggregates is not None:
            aggregates.cancel()
        discard(staging)
        raise
    summary = BuildSummary(
        meetings=len(archive.meetings),
        utterances=sum(len(m.utterances) for m in archive.meetings),
        pages=len(pages),
        seconds=time.perf_counter() - started,
        warnings=diagnostics,
        tokenized=search.tokenized,
        memory=peak_memory(with_workers, worker, search.workers, search.worker_memory, shard_writer, aggregates_writer),
    )
    if finish is not None:
        finish(summary)
    return summary


def write_pages(
    archive: Archive,
    templates_dir: Path,
    urls: SiteUrls,
    pages: list[Page],
    tree: OutputTree,
    progress: Progress | None = None,
    unchanged: frozenset[str] | set[str] = frozenset(),
    cache_dir: Path | None = None,
) -> None:
    """Render `pages` into `tree`; a page `unchanged` names is linked from the last build when it can be.

    `unchanged` holds meeting paths (for meeting pages) and output paths (for other pages) whose
    inputs are those of the last build (`output_keys`); with `cache_dir`, compiled templates are
    kept there.
    """
    env = make_environment(templates_dir, cache_dir)
    context = site_context(archive)
    for page in progress(pages) if progress else pages:
        if _key_name(page) in unchanged and tree.reuse(page.output_path):
            continue
        tree.write_text(page.output_path, render_page(env, page, urls, context))


def _key_name(page: Page) -> str:
    """What `output_keys` names the inputs of `page` by: a meeting page by its meeting's path."""
    return page.context["meeting"].path if page.template == "meeting.html" else page.output_path


def output_keys(archive: Archive, pages: list[Page], templates_dir: Path, urls: SiteUrls) -> dict[str, str]:
    """The digest of every input of each meeting's own files and of each page made from meetings alone.

    A meeting's page and open data by its path (output_reuse.meeting_key); a body's page and a
    speaker's page by their output path, from the keys of the meetings they list. Pages that
    read the whole archive (home, indexes, search) have no key: they are rendered every build.
    """
    site = site_key(code_version(), theme_digest(templates_dir), archive.config, urls)
    keys = {meeting.path: meeting_key(site, body, meeting) for body in archive.bodies for meeting in body.meetings}
    for page in pages:
        if page.template == "body.html":
            body = page.context["body"]
            keys[page.output_path] = derived_key(site, page.template, page.url, body_fields(body), [keys[m.path] for m in body.meetings])
        elif page.template == "speaker.html":
            speaker = page.context["speaker"]
            keys[page.output_path] = derived_key(
                site, page.template, page.url, speaker.key, speaker.name, [keys[a.meeting.path] for a in speaker.appearances]
            )
    return keys


def site_context(archive: Archive) -> dict[str, object]:
    """What every template sees besides its page's own context."""
    return {"site": archive.config, "bodies": archive.bodies, "assets": ASSETS_URL, "speaker_index": speakers_in_order,
            "speaker_href": speaker_href}


def write_aggregates(
    archive: Archive,
    urls: SiteUrls,
    pages: list[Page],
    tree: OutputTree,
    content_dir: Path,
    unchanged: frozenset[str] | set[str] = frozenset(),
) -> list[Diagnostic]:
    """Write the files made from the whole archive besides pages and the search index.

    Open data, feeds, the sitemap and the permalink manifest; `minutes serve` rewrites them after
    every content change, so whatever is added here reaches the preview too. The open data of a
    meeting in `unchanged` is linked from the last build when it can be.
    """
    write_open_data(archive, urls, tree, unchanged)
    listed = [p.url for p in pages if not p.absolute_links and p.template != "redirect.html"]
    problems = write_feeds(archive, urls, tree, listed, (content_dir / INDEX).as_posix())
    tree.write_text(MANIFEST_NAME, permalink_manifest(archive, tree, unchanged).to_json())
    return problems


def permalink_manifest(archive: Archive, tree: OutputTree, unchanged: frozenset[str] | set[str]) -> Manifest:
    """The permalink manifest of `archive`; the speech digests of `unchanged` meetings come from the last site's manifest."""
    known: dict[str, dict[str, str]] = {}
    if unchanged:
        data = tree.previous_bytes(MANIFEST_NAME)
        try:
            known = Manifest.from_json(data.decode("utf-8"), MANIFEST_NAME).anchors if data is not None else {}
        except (ManifestError, UnicodeDecodeError):
            known = {}
    return Manifest(
        {
            m.path: known[m.path] if m.path in unchanged and m.path in known else {u.anchor: speech_digest(u) for u in m.utterances}
            for m in archive.meetings
        }
    )


def copy_static(templates_dir: Path, tree: OutputTree) -> None:
    """Copy the theme's static files (CSS, scripts) to assets/, a site's own over the default's."""
    for rel_path, source in static_files(templates_dir):
        tree.copy_file(source, rel_path)


def find_lunr_js() -> Path:
    """The lunr.js the package ships; fail clearly if the installation lost it."""
    if LUNR_JS.is_file():
        return LUNR_JS
    raise MissingAssetError(_("{path} not found: the search page needs it; reinstall the minutes package").format(path=LUNR_JS))
