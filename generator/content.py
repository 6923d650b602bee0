"""Loading a whole content folder: walk it in a stable order, read every file, check the structure."""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .content_cache import ContentMemo, MemoEntry, content_memo
from .diagnostics import Diagnostic, error, has_errors, warning
from .forking import ForkedCall, can_fork
from .i18n import _
from .models import Archive, Body, Meeting
from .reader import read_body_settings, read_meeting_text, read_site_settings

T = TypeVar("T")
INDEX = "_index.md"
MEETING_NAME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:-(?P<n>\d+))?")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")
"""How Python keeps the bytes of a file name that are not UTF-8."""
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""Control characters in a file name: line ends and tabs too, unlike in its text."""
RESERVED_SLUGS = frozenset(
    {"assets", "search", "data", "decisions", "feeds", "404", "index", "index.html", "404.html", "feed.xml", "sitemap.xml", "permalinks.json"}
)
"""Top-level names the build writes itself: a body folder with one of them would be overwritten."""
RESERVED_IN_FOLDER = frozenset({"index.html", "feed.xml"})
"""Names the build writes inside a body's or meeting's folder: no meeting or alias may take them."""


def reserved_path(path: str) -> str | None:
    """The site's own file or folder that `path` (`body/slug`, as a page URL) would collide with, or None."""
    first, _slash, rest = path.lower().partition("/")
    if first in RESERVED_SLUGS:
        return f"/{first}" + ("/" if "." not in first else "")
    last = rest.rsplit("/", 1)[-1]
    if last in RESERVED_IN_FOLDER:
        return f"/{path}"
    return None


def _shown(content_dir: Path, path: Path) -> str:
    """A path as the user would type it: the content folder as given, then the file."""
    return (content_dir / path.relative_to(content_dir)).as_posix()


def read_text(path: Path, shown: str, diagnostics: list[Diagnostic], content_dir: Path | None = None) -> str | None:
    """The file's text as UTF-8 (a BOM and CRLF line ends allowed), or None with an error.

    Only a regular file is opened (a FIFO would block); with `content_dir`, only one inside it.
    """
    data = read_bytes(path, shown, diagnostics, content_dir)
    return None if data is None else decode_text(data, shown, diagnostics)


def read_bytes(path: Path, shown: str, diagnostics: list[Diagnostic], content_dir: Path | None = None) -> bytes | None:
    """The file's bytes, or None with an error when it must not or cannot be read (see `read_text`)."""
    problem = entry_problem(path, content_dir) if content_dir is not None else None
    if problem is None and content_dir is not None and content_dir.resolve() not in path.resolve().parents:
        problem = "symbolic link leads outside the content folder: not read (copy the file in instead)"
    try:
        if problem is None and not stat.S_ISREG(path.stat().st_mode):
            problem = "not a regular file or folder (a FIFO, socket or device): not read"
        data = b"" if problem is not None else path.read_bytes()
    except OSError as exc:
        problem = _("cannot be read ({problem})").format(problem=exc.strerror or exc)
    if problem is not None:
        diagnostics.append(error(shown, 1, problem))
        return None
    return data


def decode_text(data: bytes, shown: str, diagnostics: list[Diagnostic]) -> str | None:
    """A file's bytes as text with `\\n` line ends, or None with an error when they are not UTF-8 or hold a control character."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.append(error(shown, line, _("file is not UTF-8: save it as UTF-8 (minutes import converts Shift_JIS)")))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control is not None:
        # Pasted from a word processor (U+000B is Word's manual line break); invalid in XML feeds.
        line = text.count("\n", 0, control.start()) + 1
        diagnostics.append(error(shown, line, _("control character U+{code:04X}: remove it").format(code=ord(control[0]))))
        return None
    return text


def load_archive(content_dir: Path, cache_dir: Path | None = None, parallel: bool = False) -> tuple[Archive | None, list[Diagnostic]]:
    """Read every file under `content_dir`; the archive is None when any error was found.

    With `cache_dir`, what each meeting file read as is kept under it (see content_cache), so a
    file unchanged since is not parsed again. With `parallel`, when many meeting files are to be
    parsed, a forked helper process (forking.py) reads about half of the body folders. The
    archive and diagnostics are the same either way.
    """
    diagnostics: list[Diagnostic] = []
    if not content_dir.is_dir():
        return None, [error(content_dir.as_posix(), 1, _("content folder does not exist"))]
    config = _read_index(content_dir, content_dir, read_site_settings, _("the archive needs one with a 'title'"), diagnostics)

    memo = content_memo(cache_dir)
    folders: list[Path] = []
    for entry in _entries(content_dir, content_dir.as_posix(), diagnostics):
        shown = _shown(content_dir, entry)
        problem = entry_problem(entry, content_dir)
        if problem is not None:
            diagnostics.append(error(shown, 1, problem))
        elif entry.is_dir():
            folders.append(entry)
        else:
            diagnostics.append(warning(shown, 1, _("not published: meetings belong in a body folder such as content/<body>/<YYYY-MM-DD>.md")))
    helped = _helper_folders(content_dir, folders, memo) if parallel and can_fork() else set()
    bodies = [body for body in _load_bodies(content_dir, folders, helped, diagnostics, memo) if body is not None]
    if memo is not None:
        memo.prune()
    _check_urls(content_dir, bodies, diagnostics)
    diagnostics.sort(key=lambda d: (d.path, d.line))
    if config is None or has_errors(diagnostics):
        return None, diagnostics
    return Archive(config=config, bodies=bodies), diagnostics


PARALLEL_MIN_BYTES = 2_000_000
"""Below this many bytes of meeting files to parse, a forked helper costs about what it saves."""


def _helper_folders(content_dir: Path, folders: list[Path], memo: ContentMemo | None) -> set[int]:
    """The body folders (by position) a forked helper should read: about half of the bytes, or none.

    None when there is little to parse: few bytes, or a memo that knows the largest folder's first
    meeting file (a warm build, which reads most meetings from the memo at less cost than sending
    them back from a helper).
    """
    sizes = [_markdown_bytes(folder) for folder in folders]
    if len(folders) < 2 or sum(sizes) < PARALLEL_MIN_BYTES:
        return set()
    largest = folders[max(range(len(folders)), key=sizes.__getitem__)]
    first = next((path for path in _entries(largest, "", []) if path.suffix in (".md", ".markdown") and path.is_file()), None)
    if memo is not None and first is not None:
        try:
            data = first.read_bytes()
        except OSError:
            return set()
        if memo.holds(memo.key(first.relative_to(content_dir).as_posix(), _shown(content_dir, first), data)):
            return set()
    # Largest first, each to the lighter side: the two halves end at about the same time.
    helped: set[int] = set()
    mine = theirs = 0
    for position in sorted(range(len(folders)), key=lambda k: -sizes[k]):
        if theirs < mine:
            helped.add(position)
            theirs += sizes[position]
        else:
            mine += sizes[position]
    return helped


def _markdown_bytes(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(entry.stat().st_size for entry in entries if entry.name.endswith((".md", ".markdown")) and entry.is_file())
    except OSError:
        return 0


def _load_bodies(content_dir: Path, folders: list[Path], helped: set[int], diagnostics: list[Diagnostic], memo: ContentMemo | None) -> list[Body | None]:
    """Each body folder read (None where it has no valid `_index.md`); the `helped` ones by a forked helper meanwhile."""
    order = sorted(helped)
    helper = ForkedCall(_load_in_helper, content_dir, [folders[position] for position in order], memo) if order else None
    try:
        bodies: list[Body | None] = [None] * len(folders)
        for position, folder in enumerate(folders):
            if position not in helped:
                bodies[position] = _load_body(content_dir, folder, diagnostics, memo)
        if helper is not None:
            loaded, found, used = helper.result()
            for position, body in zip(order, loaded):
                bodies[position] = body
            diagnostics += found
            if memo is not None:
                memo.used.update(used)
    except BaseException:
        if helper is not None:
            helper.cancel()
        raise
    return bodies


def _load_in_helper(content_dir: Path, folders: list[Path], memo: ContentMemo | None) -> tuple[list[Body | None], list[Diagnostic], set[str]]:
    """`_load_body` of each folder in a forked helper: the bodies, their problems, and the memo files used."""
    diagnostics: list[Diagnostic] = []
    bodies = [_load_body(content_dir, folder, diagnostics, memo) for folder in folders]
    return bodies, diagnostics, memo.used if memo is not None else set()


def _entries(folder: Path, shown: str, diagnostics: list[Diagnostic]) -> list[Path]:
    """A folder's files and folders in a stable order, without hidden ones and its own `_index.md`."""
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name != INDEX)
    except OSError as exc:
        diagnostics.append(error(shown, 1, _("folder cannot be read ({problem})").format(problem=exc.strerror or exc)))
        return []


def entry_problem(path: Path, content_dir: Path) -> str | None:
    """Why `path` must not be read (a broken or outward symbolic link, a FIFO, a device…), or None.

    Checked before anything is opened: opening a FIFO would wait forever, and a link leading out
    of the content folder would publish whatever it points at.
    """
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return _("cannot be read ({problem})").format(problem=exc.strerror)
    if stat.S_ISLNK(mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop: not read"
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                return "symbolic link loop: not read"
            return _("broken symbolic link to {target}: not read").format(target=os.readlink(path))
        root = content_dir.resolve()
        if target != root and root not in target.parents:
            return "symbolic link leads outside the content folder: not read (copy the file in instead)"
        mode = target.stat().st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file or folder (a FIFO, socket or device): not read"
    return None


def _read_index(
    content_dir: Path,
    folder: Path,
    read: Callable[[str, str], tuple[T | None, list[Diagnostic]]],
    needed: str,
    diagnostics: list[Diagnostic],
) -> T | None:
    """Read `folder/_index.md` with `read`; a missing file is an error that says why it is `needed`."""
    index = folder / INDEX
    shown = _shown(content_dir, index) if index.exists() else f"{_shown(content_dir, folder)}/{INDEX}"
    if os.path.lexists(index):
        problem = entry_problem(index, content_dir)
        if problem is not None:
            diagnostics.append(error(_shown(content_dir, index), 1, problem))
            return None
    if not index.is_file():
        diagnostics.append(error(shown, 1, _("missing _index.md: {needed}").format(needed=needed)))
        return None
    text = read_text(index, shown, diagnostics)
    if text is None:
        return None
    settings, problems = read(text, shown)
    diagnostics += problems
    return settings


def _load_body(content_dir: Path, folder: Path, diagnostics: list[Diagnostic], memo: ContentMemo | None = None) -> Body | None:
    """Read a body folder: its `_index.md` and every meeting file in it."""
    shown = _shown(content_dir, folder)
    if not SLUG.fullmatch(folder.name):
        diagnostics.append(error(shown, 1, _("body folder name '{name}' must use only letters, digits, '.', '_' and '-' (it becomes the URL)").format(name=folder.name)))
    elif folder.name.lower() in RESERVED_SLUGS:
        diagnostics.append(error(shown, 1, _("body folder '{name}' would publish to the same URL as the site's own /{name}/ pages: rename it").format(name=folder.name)))
    settings = _read_index(content_dir, folder, read_body_settings, _("every body folder needs one with a 'title'"), diagnostics)
    meetings: list[Meeting] = []
    for path in _entries(folder, shown, diagnostics):
        file_shown = _shown(content_dir, path)
        problem = entry_problem(path, content_dir)
        if problem is not None:
            diagnostics.append(error(file_shown, 1, problem))
            continue
        if path.is_dir() or path.suffix not in (".md", ".markdown"):
            diagnostics.append(warning(file_shown, 1, _("not published: only Markdown files (.md) directly in a body folder are meetings")))
            continue
        data = read_bytes(path, file_shown, diagnostics)
        if data is None:
            continue
        meeting, problems = _read_meeting_file(data, path.relative_to(content_dir).as_posix(), file_shown, memo)
        diagnostics += problems
        if meeting is not None:
            check_file_name(path, meeting, file_shown, diagnostics)
            meetings.append(meeting)
    if settings is None or not settings.title:
        return None
    meetings.sort(key=lambda m: (m.date, m.slug))
    return Body(
        slug=folder.name, title=settings.title, description=settings.description, meetings=meetings, group=settings.group,
        organization=settings.organization, house=settings.house,
    )


def _read_meeting_file(data: bytes, rel_path: str, shown: str, memo: ContentMemo | None) -> MemoEntry:
    """What a meeting file's bytes read as, and the problems found in them alone; from `memo` when it has them."""
    key = memo.key(rel_path, shown, data) if memo is not None else b""
    entry = memo.get(key) if memo is not None else None
    if entry is not None:
        return entry
    problems: list[Diagnostic] = []
    meeting = None
    text = decode_text(data, shown, problems)
    if text is not None:
        meeting, found = read_meeting_text(text, rel_path, shown)
        problems += found
    if memo is not None:
        if meeting is not None:
            meeting.read_key = key.hex()
        memo.put(key, (meeting, problems))
    return meeting, problems


def check_file_name(path: Path, meeting: Meeting, shown: str, diagnostics: list[Diagnostic]) -> None:
    """Warn when the file name is not `<YYYY-MM-DD>[-N].md` or its date is not the meeting's; a name the build's own files take is an error."""
    taken = reserved_path(meeting.path)
    # The name becomes the page's URL: a byte that is not UTF-8 (Python keeps it as a lone
    # surrogate) cannot be written into a page, and a control character makes the feeds invalid.
    if _NOT_UTF8.search(path.name):
        diagnostics.append(error(shown, 1, _("file name is not UTF-8 (bytes of another encoding, such as Shift_JIS): rename the file, its name becomes the URL")))
    elif (control := _NAME_CONTROL.search(path.name)) is not None:
        diagnostics.append(error(shown, 1, _("file name holds control character U+{code:04X}: rename the file, its name becomes the URL").format(code=ord(control[0]))))
    if taken is not None:
        diagnostics.append(error(shown, 1, _("file name '{name}' would publish to /{path}/, over the site's own {taken}: rename the file").format(name=path.name, path=meeting.path, taken=taken)))
    match = MEETING_NAME.fullmatch(path.stem)
    if match is None:
        diagnostics.append(warning(shown, 1, _("file name should be <YYYY-MM-DD>[-N].md, the meeting's date")))
    elif match["date"] != meeting.date.isoformat():
        diagnostics.append(warning(shown, meeting.date_line, _("file name says {name_date} but date: is {date}").format(name_date=match['date'], date=meeting.date.isoformat())))


def _check_urls(content_dir: Path, bodies: list[Body], diagnostics: list[Diagnostic]) -> None:
    """Two files that would publish to the same URL (also on case-insensitive hosts) are an error."""
    by_url: dict[str, list[Meeting]] = defaultdict(list)
    for body in bodies:
        for meeting in body.meetings:
            by_url[meeting.path.lower()].append(meeting)
    aliased: dict[str, Meeting] = {}
    for body in bodies:
        for meeting in body.meetings:
            for alias in meeting.aliases:
                shown = (content_dir / meeting.source).as_posix()
                taken = by_url.get(alias.lower())
                reserved = reserved_path(alias)
                if reserved is not None:
                    diagnostics.append(error(shown, meeting.aliases_line, _("alias '{alias}' would write a redirect over the site's own {reserved}: remove it").format(alias=alias, reserved=reserved)))
                elif taken:
                    taken_shown = (content_dir / taken[0].source).as_posix()
                    diagnostics.append(error(shown, meeting.aliases_line, _("alias '{alias}' is the path of {taken_shown}: a redirect there would replace that meeting").format(alias=alias, taken_shown=taken_shown)))
                elif alias.lower() in aliased:
                    other = (content_dir / aliased[alias.lower()].source).as_posix()
                    diagnostics.append(error(shown, meeting.aliases_line, _("alias '{alias}' is also an alias of {other}").format(alias=alias, other=other)))
                else:
                    aliased[alias.lower()] = meeting
    for meetings in by_url.values():
        for later in meetings[1:]:
            first = meetings[0]
            diagnostics.append(
                error(
                    (content_dir / later.source).as_posix(), 1,
                    _("publishes to the same URL /{path}/ as {other}").format(path=later.path, other=(content_dir / first.source).as_posix()),
                )
            )  # fmt: skip
