"""The site as the dev server keeps it between rebuilds: content read so far, rendered files, work left.

A `LiveSite` starts with a full load, like `minutes build`, and then applies `RebuildPlan`s:
it reads only the files a plan names, patches the archive in memory, and renders the pages
`order_pages` puts first. The other pages and the whole-archive files (open data, feeds) are
caught up by `render_some` between batches, and the whole-archive files by jobs in child
processes (`jobs.py`), while the server answers from the last published snapshot.

While any content error is open nothing is rendered: the pages stay the last good build, the
work is remembered, and the first rebuild without errors renders everything that changed
meanwhile. A full load that fails leaves nothing to patch, so until one succeeds every change
loads everything again (`KnownContent.loaded` is False).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2

from ..build import (
    ASSETS_URL,
    LUNR_JS,
    MissingAssetError,
    find_lunr_js,
    plan_pages,
    site_context,
    static_files,
)
from ..content import INDEX, check_file_name, load_archive, read_text
from ..diagnostics import Diagnostic, error, has_errors
from ..i18n import _
from ..models import Archive, Meeting
from ..pages import Page, SiteUrls
from ..reader import read_body_settings, read_meeting_text
from ..render import make_environment, render_page
from ..theme import theme_dirs
from .changes import KnownContent, PageWork, RebuildPlan, listing_fields, order_pages

PAGES_PER_STEP = 40
"""Background pages rendered between two looks at the change queue (about a tenth of a second)."""


def template_problem(exc: Exception, templates_dir: Path, page: Page | None = None) -> Diagnostic:
    """A rendering failure as `templates/<name>:<line>: error: …`, at the template line that failed.

    The file is the site's own or the default theme's, whichever the page was rendered from.
    """
    where, line = templates_dir.as_posix(), 1
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.name:
        found = _theme_file(exc.filename, templates_dir) if exc.filename else None
        where, line = found or (templates_dir / exc.name).as_posix(), exc.lineno or 1
        message = exc.message or str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
        # Jinja rewrites tracebacks so that template frames carry the template's file and line.
        for frame in traceback.extract_tb(exc.__traceback__):
            found = _theme_file(frame.filename, templates_dir)
            if found is not None:
                where, line = found, frame.lineno or 1
    if page is not None:
        message += _(" (while rendering /{url})").format(url=page.url)
    return error(where, line, message)


def _theme_file(filename: str, templates_dir: Path) -> str | None:
    """`filename` as the site's templates folder names it, or the default theme's file; None outside both."""
    path = Path(filename)
    for index, root in enumerate(theme_dirs(templates_dir)):
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        return (templates_dir / relative).as_posix() if index == 0 else (root / relative).as_posix()
    return None


def _same_or_new(old: bytes | None, new: bytes) -> bytes:
    """`old` when it holds the same bytes as `new`, else `new`.

    Identity matters, not only equality: OutputMirror compares entries with `is` to find the
    files to rewrite, so an unchanged file must stay the very same object.
    """
    return old if old is not None and old == new else new


def _keep_equal(old: dict[str, bytes], new: dict[str, bytes]) -> dict[str, bytes]:
    """`new`, reusing `old`'s bytes objects where equal: unchanged files keep their identity."""
    return {rel: _same_or_new(old.get(rel), data) for rel, data in new.items()}


class LiveSite:
    """Content, pages and assets of a site under preview, updated change by change."""

    def __init__(
        self, content_dir: Path, templates_dir: Path, base_url: str | None = None, echo: Callable[[str], None] = print,
        cache_dir: Path | None = None,
    ):
        self.content_dir = content_dir
        self.cache_dir = cache_dir
        """The build cache: a whole reload parses only the meeting files changed since it was filled."""
        self.templates_dir = templates_dir
        self.base_url = base_url
        self.echo = echo
        self.archive: Archive | None = None
        self.diagnostics: list[Diagnostic] = []
        """Problems in content, as `minutes check` would report them now."""
        self.render_problems: list[Diagnostic] = []
        self.urls = SiteUrls.from_base_url(base_url)
        self.env = make_environment(templates_dir)
        self.plan: list[Page] = []
        """The pages of the archive as last rendered."""
        self._by_url: dict[str, Page] = {}
        self.pages: dict[str, bytes] = {}
        self.assets: dict[str, bytes] = {}
        self.stale: list[str] = []
        """URLs of pages still to render for changes already published in part."""
        self.work = PageWork()
        self.content_version = 0
        """Bumped whenever the archive changes: the search index and the aggregates follow it."""
        self._failed_url: str | None = None
        self._blocked = False
        self.rendered_once = False
        self._lunr_missing_reported = False

    # Reading ---------------------------------------------------------------------------------

    def known(self) -> KnownContent:
        """Body folders and meeting files loaded now, for `plan_rebuild`."""
        if self.archive is None:
            return KnownContent(loaded=False)
        root = f"{self.content_dir.as_posix()}/"
        return KnownContent(
            bodies=frozenset(body.slug for body in self.archive.bodies),
            meetings=frozenset(str(meeting.source) for meeting in self.archive.meetings),
            reported=frozenset(d.path.removeprefix(root) for d in self.diagnostics if d.path.startswith(root)),
        )

    def load_all(self) -> None:
        """Read the whole content folder, as `minutes build` does."""
        archive, diagnostics = load_archive(self.content_dir, self.cache_dir)
        self.diagnostics = diagnostics
        self.work.all_pages = True
        self.work.listings = True
        if archive is None or has_errors(diagnostics):
            self.archive = None
            return
        self.archive = archive
        self.urls = SiteUrls.from_base_url(self.base_url or archive.config.base_url)
        self.content_version += 1

    def apply(self, plan: RebuildPlan) -> None:
        """Read what `plan` names and note which pages must follow; render nothing yet."""
        self._blocked = False
        if plan.static:
            self.collect_assets()
        if plan.templates:
            self.env = make_environment(self.templates_dir)
            self.work.all_pages = True
        if plan.everything:
            self.load_all()
        elif plan.content:
            self._apply_content(plan)

    def _apply_content(self, plan: RebuildPlan) -> None:
        archive = self.archive
        assert archive is not None, "plan_rebuild asks for a full load while nothing is loaded"
        bodies = {body.slug: body for body in archive.bodies}
        by_source = {str(meeting.source): meeting for meeting in archive.meetings}
        for rel in sorted(plan.removed_meetings):
            self._set_file_problems(rel, [])
            old = by_source.get(rel)
            if old is not None:
                bodies[old.body_slug].meetings.remove(old)
                self.work.meetings.add(old.path)
                self.work.listings = True
        for rel in sorted(plan.meetings):
            meeting, problems = self._read_meeting(rel)
            self._set_file_problems(rel, problems)
            if meeting is None:
                continue  # its errors hold the rendering back; the old version stays until fixed
            body = bodies[meeting.body_slug]
            old = by_source.get(rel)
            if meeting.aliases != (old.aliases if old is not None else []):
                # An alias claims a path anywhere in the site: the full load checks it against every
                # page and file, exactly as `minutes check` and `minutes build` do.
                self.load_all()
                return
            if old is None:
                taken = {m.path.lower() for m in archive.meetings}
                if meeting.path.lower() in taken:
                    # Two files for one URL: the full load reports it exactly as `minutes check`.
                    self.load_all()
                    return
                body.meetings.append(meeting)
                self.work.listings = True
            else:
                body.meetings[body.meetings.index(old)] = meeting
                if listing_fields(old) != listing_fields(meeting):
                    self.work.listings = True
            by_source[rel] = meeting
            body.meetings.sort(key=lambda m: (m.date, m.slug))
            self.work.meetings.add(meeting.path)
        for slug in sorted(plan.bodies):
            rel = f"{slug}/{INDEX}"
            shown = (self.content_dir / rel).as_posix()
            problems: list[Diagnostic] = []
            text = self._read_text(rel, shown, problems)
            settings = None
            if text is not None:
                settings, more = read_body_settings(text, shown)
                problems += more
            self._set_file_problems(rel, problems)
            if settings is not None and settings.title:
                bodies[slug].title = settings.title
                bodies[slug].description = settings.description
                bodies[slug].group = settings.group
                bodies[slug].organization = settings.organization
                bodies[slug].house = settings.house
                self.work.bodies.add(slug)
        self.content_version += 1

    def _read_text(self, rel: str, shown: str, problems: list[Diagnostic]) -> str | None:
        try:
            return read_text(self.content_dir / rel, shown, problems, self.content_dir)
        except OSError:
            # Gone between the event and the read: its deletion is the next batch's business.
            return None

    def _read_meeting(self, rel: str) -> tuple[Meeting | None, list[Diagnostic]]:
        """Read one meeting file with the checks `load_archive` makes on it."""
        path = self.content_dir / rel
        shown = path.as_posix()
        problems: list[Diagnostic] = []
        text = self._read_text(rel, shown, problems)
        if text is None:
            return None, problems
        meeting, more = read_meeting_text(text, rel, shown)
        problems += more
        if meeting is not None:
            check_file_name(path, meeting, shown, problems)
        return meeting, problems

    def _set_file_problems(self, rel: str, problems: list[Diagnostic]) -> None:
        shown = (self.content_dir / rel).as_posix()
        kept = [d for d in self.diagnostics if d.path != shown]
        self.diagnostics = sorted(kept + problems, key=lambda d: (d.path, d.line))

    # Rendering -------------------------------------------------------------------------------

    @property
    def can_render(self) -> bool:
        """Whether the content is good enough to render (no content errors)."""
        return self.archive is not None and not has_errors(self.diagnostics)

    def render_pending(self, watched: frozenset[str] = frozenset()) -> list[str]:
        """Render the pages the remembered work puts first; return their URLs.

        `watched` holds URLs of pages open in a browser: they come first too.
        """
        if not self.can_render or not self.work:
            return []
        assert self.archive is not None
        new_plan = plan_pages(self.archive)
        order = order_pages(self.plan, new_plan, self.work, watched)
        old_by_url = self._by_url
        self.plan, self._by_url = new_plan, {page.url: page for page in new_plan}
        for url in order.removed:
            self.pages.pop(old_by_url[url].output_path, None)
        queued = set(order.first) | set(order.rest)
        self.stale = order.rest + [url for url in self.stale if url in self._by_url and url not in queued]
        self.work = PageWork()
        if self._failed_url is not None and self._failed_url not in self._by_url:
            self.render_problems, self._failed_url = [], None
        self._render(order.first)
        return order.first

    def render_all(self) -> None:
        """Render every page now (the first build of a session)."""
        self.render_pending()
        while self.stale and not self._blocked:
            self.render_some(len(self.stale))

    def render_some(self, limit: int = PAGES_PER_STEP) -> int:
        """Render up to `limit` of the pages left behind; returns how many were rendered."""
        if self._blocked or not self.can_render:
            return 0
        batch, self.stale = self.stale[:limit], self.stale[limit:]
        return self._render(batch)

    def _render(self, urls: list[str]) -> int:
        assert self.archive is not None
        context = site_context(self.archive)
        for done, url in enumerate(urls):
            page = self._by_url.get(url)
            if page is None:
                continue
            try:
                data = render_page(self.env, page, self.urls, context).encode("utf-8")
            except Exception as exc:  # noqa: BLE001 - any template failure is shown, never fatal
                self.render_problems = [template_problem(exc, self.templates_dir, page)]
                self._failed_url = url
                self._blocked = True
                left = urls[done:]
                again = set(left)
                self.stale = left + [u for u in self.stale if u not in again]
                return done
            self.pages[page.output_path] = _same_or_new(self.pages.get(page.output_path), data)
            if url == self._failed_url:
                self.render_problems, self._failed_url = [], None
        self.rendered_once = self.rendered_once or bool(urls)
        return len(urls)

    @property
    def has_background_work(self) -> bool:
        """Whether pages are left to catch up (and can be, now)."""
        return self.can_render and not self._blocked and bool(self.stale)

    def collect_assets(self) -> None:
        """Read the templates' static files and lunr.js, as the build copies them to assets/."""
        files: dict[str, bytes] = {}
        for rel_path, source in static_files(self.templates_dir):
            try:
                files[rel_path] = source.read_bytes()
            except OSError:
                continue  # removed mid-save: the next event brings it back or confirms it gone
        try:
            files[ASSETS_URL + LUNR_JS.name] = find_lunr_js().read_bytes()
        except MissingAssetError as exc:
            if not self._lunr_missing_reported:
                self.echo(f"warning: {exc}")
                self._lunr_missing_reported = True
        self.assets = _keep_equal(self.assets, files)

    # What is served --------------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        """The pages and assets, by output path (the jobs add the rest)."""
        return {**self.pages, **self.assets}

    def problems(self) -> list[Diagnostic]:
        """The errors to show over every page: content errors, then a template failure."""
        return [d for d in self.diagnostics if d.is_error] + self.render_problems
