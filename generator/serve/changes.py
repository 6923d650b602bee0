"""What a batch of file changes touches, and the smallest rebuild that keeps the site correct.

Like Zola's `serve`, each changed path is sorted by what it is (a meeting, a body's `_index.md`,
the site's `_index.md`, a template, a static file) and the batch becomes one `RebuildPlan`:
meetings to read again, bodies whose settings to read again, templates or static files, or
everything. Whatever this module cannot prove to be local (a new body folder, the site settings,
a changed `_index.md` that appears or disappears) becomes "everything": a full load is slower,
never wrong.

`order_pages` then decides which pages to render first (the edited meeting's page and the pages
that list it, and the pages open in a browser) and which may follow (the other aggregates). The
rule it relies on: a meeting's page shows its own record; any page may show any meeting's front
matter (titles, dates, counts), so a front-matter change re-renders every page.

Nothing here opens a socket or a thread: the tests drive it with plain paths and pages.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..build import STATIC_DIR
from ..content import INDEX
from ..i18n import _
from ..models import Meeting
from ..pages import Page

MEETING_SUFFIXES = (".md", ".markdown")
"""What the loader reads as a meeting in a body folder (content.py's `_load_body`)."""
# Editors save through files like these (vim's 4913 probe, backups, swap and lock files,
# JetBrains' safe-write copies); they come and go within a burst and are never content.
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", "~", "___jb_tmp___", "___jb_old___")
_TEMP_NAMES = frozenset({"4913"})
_LISTING_EXCLUDED = frozenset({"record", "preamble", "preamble_line", "read_key"})
"""Meeting fields a page other than the meeting's own never shows (see the module docstring)."""


class ChangeKind(enum.Enum):
    """What a changed path is, from its place in the content and templates folders."""

    SITE = "site"
    """content/_index.md: the archive's settings, shown on every page."""
    BODY = "body"
    """content/<body>/_index.md: a body's title and description."""
    MEETING = "meeting"
    """content/<body>/<name>.md: one meeting."""
    CONTENT_ENTRY = "content-entry"
    """Anything else directly in content/: perhaps a body folder appearing or going."""
    TEMPLATE = "template"
    STATIC = "static"
    IGNORED = "ignored"


@dataclass(frozen=True)
class SourceFolders:
    """The folders a dev server watches, as absolute paths, and the output folder it must not."""

    content: Path
    templates: Path
    output: Path | None = None

    @property
    def static(self) -> Path:
        """The static files' folder inside the templates."""
        return self.templates / STATIC_DIR


@dataclass(frozen=True)
class Change:
    """One changed path: its kind, its path relative to its folder, and whether it exists now."""

    kind: ChangeKind
    rel: str
    exists: bool
    is_dir: bool = False


def is_temporary(name: str) -> bool:
    """Whether `name` is an editor's scratch file, a hidden file, or a lock file."""
    return (
        name.startswith((".", "#"))
        or name.endswith(_TEMP_SUFFIXES)
        or name in _TEMP_NAMES
    )  # fmt: skip


def _below(path: Path, folder: Path) -> PurePosixPath | None:
    try:
        return PurePosixPath(path.relative_to(folder).as_posix())
    except ValueError:
        return None


def classify(path: Path, folders: SourceFolders) -> Change:
    """Sort one absolute path by what it is; the file system is asked only whether it exists now."""
    exists, is_dir = path.exists(), path.is_dir()

    def change(kind: ChangeKind, rel: PurePosixPath | str = "") -> Change:
        return Change(kind, str(rel), exists, is_dir)

    if folders.output is not None and _below(path, folders.output) is not None:
        return change(ChangeKind.IGNORED)
    for kind, folder in ((ChangeKind.STATIC, folders.static), (ChangeKind.TEMPLATE, folders.templates)):
        rel = _below(path, folder)
        if rel is not None:
            if rel.parts and any(is_temporary(part) for part in rel.parts):
                return change(ChangeKind.IGNORED, rel)
            # The folder itself changing (its mtime) says nothing the files' own events do not.
            return change(kind, rel) if rel.parts else change(ChangeKind.IGNORED)
    rel = _below(path, folders.content)
    if rel is None or not rel.parts or any(is_temporary(part) for part in rel.parts):
        return change(ChangeKind.IGNORED, rel or "")
    if len(rel.parts) == 1:
        return change(ChangeKind.SITE if rel.name == INDEX else ChangeKind.CONTENT_ENTRY, rel)
    if len(rel.parts) == 2:
        if rel.name == INDEX:
            return change(ChangeKind.BODY, rel)
        if rel.suffix in MEETING_SUFFIXES and not is_dir:
            return change(ChangeKind.MEETING, rel)
    # Other files in a body folder and anything deeper are not published (the loader warns).
    return change(ChangeKind.IGNORED, rel)


@dataclass(frozen=True)
class KnownContent:
    """What the dev server has loaded: body folders and meeting files, relative to content/."""

    bodies: frozenset[str] = frozenset()
    meetings: frozenset[str] = frozenset()
    loaded: bool = True
    """False while the last full load failed: then only another full load can tell what is there."""
    reported: frozenset[str] = frozenset()
    """Files with problems shown now (a meeting too broken to load among them): removing one clears them."""


@dataclass
class RebuildPlan:
    """The smallest rebuild for a batch of changes."""

    everything: bool = False
    meetings: set[str] = field(default_factory=set)
    """Meeting files to read (again), relative to content/: edited or new."""
    removed_meetings: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    """Body slugs whose `_index.md` to read again."""
    templates: bool = False
    static: bool = False
    reasons: list[str] = field(default_factory=list)
    """Why the plan is `everything`, for the terminal."""

    @property
    def content(self) -> bool:
        """Whether any content is read again."""
        return self.everything or bool(self.meetings or self.removed_meetings or self.bodies)

    @property
    def empty(self) -> bool:
        """Whether nothing needs rebuilding."""
        return not (self.content or self.templates or self.static)

    def rebuild_all(self, reason: str) -> None:
        """Turn this plan into a full load and render, for `reason`."""
        self.everything = True
        self.reasons.append(reason)
        self.meetings.clear()
        self.removed_meetings.clear()
        self.bodies.clear()


def plan_rebuild(changes: Iterable[Change], known: KnownContent) -> RebuildPlan:
    """The rebuild for `changes`, given what is loaded now."""
    plan = RebuildPlan()
    for change in changes:
        kind, rel = change.kind, PurePosixPath(change.rel)
        if kind is ChangeKind.TEMPLATE:
            plan.templates = True
        elif kind is ChangeKind.STATIC:
            plan.static = True
        elif kind is ChangeKind.IGNORED or plan.everything:
            continue
        elif not known.loaded:
            plan.rebuild_all(_("{path} changed while the content could not be loaded").format(path=change.rel))
        elif kind is ChangeKind.SITE:
            plan.rebuild_all(_("{path} holds the site's settings").format(path=change.rel))
        elif kind is ChangeKind.CONTENT_ENTRY:
            # A loaded body folder that is still there changed only through its files' own events.
            if change.is_dir != (change.rel in known.bodies):
                plan.rebuild_all(_("body folder {path} appeared or went").format(path=change.rel))
        elif rel.parts[0] not in known.bodies:
            plan.rebuild_all(_("{path} is in a body folder that is not loaded").format(path=change.rel))
        elif kind is ChangeKind.BODY:
            if change.exists:
                plan.bodies.add(rel.parts[0])
            else:
                plan.rebuild_all(_("{path} was removed").format(path=change.rel))
        elif change.exists:
            plan.meetings.add(change.rel)
        elif change.rel in known.meetings or change.rel in known.reported:
            plan.removed_meetings.add(change.rel)
        # A meeting-like file that came and went within the batch changes nothing.
    return plan


@dataclass
class PageWork:
    """What the pages must catch up with, gathered over rebuilds (also while content is broken)."""

    meetings: set[str] = field(default_factory=set)
    """URL paths of meetings read again, added or removed (`joho-kokai/2022-02-14`)."""
    listings: bool = False
    """A meeting's front matter changed, or one was added or removed: lists elsewhere may show it."""
    bodies: set[str] = field(default_factory=set)
    all_pages: bool = False
    """Templates or site settings changed: every page."""

    def __bool__(self) -> bool:
        return bool(self.meetings or self.listings or self.bodies or self.all_pages)

    def merge(self, other: PageWork) -> None:
        """Add `other`'s work to this one."""
        self.meetings |= other.meetings
        self.listings |= other.listings
        self.bodies |= other.bodies
        self.all_pages |= other.all_pages


def listing_fields(meeting: Meeting) -> tuple[Any, ...]:
    """The parts of a meeting that pages other than its own may show: everything but the record."""
    return tuple(getattr(meeting, f.name) for f in dataclasses.fields(meeting) if f.name not in _LISTING_EXCLUDED)


def listed_meetings(page: Page) -> set[str]:
    """URL paths of the meetings a page's own context holds: its meeting, or the meetings it lists."""
    found: set[str] = set()
    stack: list[Any] = list(page.context.values())
    while stack:
        value = stack.pop()
        if isinstance(value, Meeting):
            found.add(value.path)
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def is_meeting_page(page: Page) -> bool:
    """Whether `page` is a meeting's own page."""
    return isinstance(page.context.get("meeting"), Meeting)


@dataclass
class PageOrder:
    """Pages to render now (published at once) and pages that may follow in the background."""

    first: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """URLs of pages that no longer exist."""


def order_pages(old: list[Page], new: list[Page], work: PageWork, watched: frozenset[str] = frozenset()) -> PageOrder:
    """Which of the `new` pages to render first and which later, for `work`.

    First: the pages of changed meetings and every page listing one of them (before or after the
    change), the pages of changed bodies, and pages open in a browser (`watched`, page URLs).
    Later: the other pages that can show what changed.
    """
    new_urls = {page.url for page in new}
    order = PageOrder(removed=[page.url for page in old if page.url not in new_urls])
    if not work:
        return order
    listing_old = {page.url for page in old if listed_meetings(page) & work.meetings}
    every_page = work.all_pages or work.listings or bool(work.bodies)
    for page in new:
        body = page.context.get("body")
        shows_change = (
            page.url in listing_old
            or bool(listed_meetings(page) & work.meetings)
            or (not is_meeting_page(page) and getattr(body, "slug", None) in work.bodies)
        )
        if not (every_page or shows_change or not is_meeting_page(page)):
            continue
        if page.url in watched or (shows_change and not work.all_pages):
            order.first.append(page.url)
        else:
            order.rest.append(page.url)
    return order
