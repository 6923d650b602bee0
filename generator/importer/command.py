"""The `minutes import` command: read every source, check each one, then write the sound ones.

A source file is imported whole or not at all. Any error of a file (it cannot be read, a meeting
the format cannot hold, an existing Markdown file without `--force`, and under `--strict` any
warning of its report, not its notes) refuses that file: nothing of it is written, and the other files are
imported. Problems of the whole command (a bad `--body`) stop everything before a file is read.
Every file is written through a temporary file and a rename, so `content/` never holds half a
meeting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content import INDEX, RESERVED_SLUGS, SLUG
from ..i18n import _, ngettext
from ..reader import read_meeting_text
from ..wareki import FIRST_DATE, LAST_DATE, in_supported_range
from .api_json import read_api_json
from .errors import SourceError, SourceErrors
from .kokkai import meeting_slug, parse_kokkai
from .record import ImportedHeading, ImportedMeeting, ImportedStageDirection, SourceNote
from .writer import meeting_to_markdown

MAX_BODY_LENGTH = 100
"""The longest `--body`: it names folders (with `-<code>` for API JSON) and every URL of the body."""
# What `minutes check` refuses in a content file (content.read_text): a safety net over the
# Markdown written, whatever the importer let through.
_CHECKED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class SourceFile:
    """One input of the command: the meetings read from it, how its bytes were read, and its errors."""

    path: Path
    kind: str
    """`api` (国会会議録 API JSON) or `text` (minutes text, or a minutes PDF read into text)."""
    meetings: list[ImportedMeeting] = field(default_factory=list)
    reading: list[SourceNote] = field(default_factory=list)
    """How the bytes were read (Shift_JIS, CRLF): facts for the report, not warnings."""
    errors: list[str] = field(default_factory=list)
    """`path:line: error: message` lines; any of them refuses the whole file."""

    @property
    def refused(self) -> bool:
        """Whether the file has an error, so that nothing of it is written."""
        return bool(self.errors)


@dataclass
class PlannedFile:
    """One meeting's Markdown file, rendered before anything is written."""

    source: SourceFile
    meeting: ImportedMeeting
    folder: str
    """The body's folder name under the content folder (the body slug)."""
    path: Path
    markdown: str = ""


def run_import(
    paths: list[Path],
    body: str,
    body_title: str | None,
    content: Path,
    force: bool,
    echo: Callable[[str], None],
    strict: bool = False,
    date: dt.date | None = None,
) -> int:
    """Import `paths` into `content/<body>/`, print a report per meeting and return the exit status.

    Each file is imported whole or refused whole. Errors are printed as `path:line: error:
    message` under the refused file; the status is 1 when any file was refused (or the command
    itself is wrong, when nothing is read), else 0. With `strict`, every warning of a file's
    report (not its notes) is an error of that file. `date` (`--date`) is the meeting's date for
    one minutes text that prints none.
    """
    problems = _command_problems(body, body_title, paths, date)
    if problems:
        for problem in problems:
            echo(problem)
        echo(ngettext("nothing imported: {count} error", "nothing imported: {count} errors", len(problems)).format(count=len(problems)))
        return 1
    sources = [read_source(path, strict, date) for path in _distinct(paths, echo)]
    _refuse_repeated_meetings(sources)
    # Refused files keep their place in the numbering (date-2, date-3), so that a file fixed and
    # imported again gets the name it would have had, and no other meeting's name changes.
    planned = plan_files([source for source in sources if source.meetings], body, content)
    for item in planned:
        _render(item, force, strict)
    titles = _body_titles(planned, body, body_title, echo)

    by_source: dict[int, list[PlannedFile]] = defaultdict(list)
    for item in planned:
        by_source[id(item.source)].append(item)
    imported: list[SourceFile] = []
    for source in sources:
        if not source.refused and _import_source(source, by_source[id(source)], titles, content, echo):
            imported.append(source)

    refused = [source for source in sources if source.refused]
    for source in refused:
        count = len(source.errors)
        echo(
            ngettext(
                "refused {path}: {count} error, nothing written from it", "refused {path}: {count} errors, nothing written from it", count
            ).format(path=source.path, count=count)
        )
        for problem in source.errors:
            echo(problem)
    meetings = [item for source in imported for item in by_source[id(source)]]
    utterances = sum(len(item.meeting.utterances) for item in meetings)
    # Three counts in one line: each part its own message, so each takes its own plural.
    echo(
        _("{meetings} ({utterances} utterances) from {files} into {content}; refused {refused}").format(
            meetings=ngettext("imported {count} meeting", "imported {count} meetings", len(meetings)).format(count=len(meetings)),
            utterances=utterances,
            files=ngettext("{count} file", "{count} files", len(imported)).format(count=len(imported)),
            content=content,
            refused=ngettext("{count} file", "{count} files", len(refused)).format(count=len(refused)),
        )
    )
    return 1 if refused else 0


def _import_source(
    source: SourceFile, items: list[PlannedFile], titles: dict[str, str], content: Path, echo: Callable[[str], None]
) -> bool:
    """Write one sound source's meetings (and new bodies' `_index.md`) and report them; False when it could not be written."""
    indexes = {item.folder: titles[item.folder] for item in items if not (content / item.folder / INDEX).exists()}
    # A Diet body names its organization and house, so that a town's archive holding it does not call it the town's.
    bodies = {item.folder: item.meeting.body_settings for item in items if item.meeting.body_settings}
    failure = _write_source(content, items, indexes, bodies)
    if failure:
        source.errors.append(failure)
        return False
    for folder, title in indexes.items():
        echo(_("{path}: new body '{title}'").format(path=content / folder / INDEX, title=title))
    for item in items:
        report_meeting(item, echo)
    return True


def _command_problems(body: str, body_title: str | None, paths: list[Path], date: dt.date | None) -> list[str]:
    """What is wrong with the options themselves: a problem of every file, so nothing is read."""
    problems: list[str] = []
    if date is not None and len(paths) != 1:
        problems.append("error: " + _("--date is the date of one meeting: give it with one minutes file, not {count}").format(count=len(paths)))
    elif date is not None and paths[0].suffix.lower() == ".json":
        problems.append("error: " + _("--date is for minutes text: API JSON gives each meeting's date itself"))
    if len(body) > MAX_BODY_LENGTH:
        problems.append(
            "error: "
            + _(
                "--body is {length} characters long: at most {most} (it names the body's folder and is part of every URL of the body)"
            ).format(length=len(body), most=MAX_BODY_LENGTH)
        )
    elif not SLUG.fullmatch(body) or body.lower() in RESERVED_SLUGS:
        problems.append(
            "error: "
            + _(
                "--body '{body}' must be a folder name of letters, digits, '.', '_' and '-' (it becomes the URL), and not one of {reserved}"
            ).format(body=body, reserved=", ".join(sorted(RESERVED_SLUGS)))
        )
    if body_title is not None and (not body_title.strip() or _CHECKED_CONTROL.search(body_title) or "\n" in body_title):
        problems.append("error: " + _("--body-title must be one line of text, without control characters"))
    elif body_title is not None and re.search(r"[\ud800-\udfff\ufffe\uffff]", body_title):
        # Bytes of the command line that are not UTF-8 arrive as lone surrogates.
        problems.append("error: " + _("--body-title is not UTF-8 text: type it again, or set the terminal to UTF-8"))
    return problems


def _distinct(paths: list[Path], echo: Callable[[str], None]) -> list[Path]:
    """`paths` without repeats: a file named twice (`*.txt a.txt`) is read once."""
    seen: set[Path] = set()
    distinct: list[Path] = []
    for path in paths:
        key = path.resolve()
        if key in seen:
            echo(f"{path}: note: " + _("given more than once: read once"))
            continue
        seen.add(key)
        distinct.append(path)
    return distinct


def read_source(path: Path, strict: bool = False, date: dt.date | None = None) -> SourceFile:
    """Read one input, its kind told by its name: `.json` is API JSON, `.pdf` a minutes PDF, anything else minutes text.

    `date` is the meeting's date given with `--date`, for minutes text. Problems are recorded as
    the file's errors, never raised: one file cannot stop a batch.
    """
    source = SourceFile(path, "api" if path.suffix.lower() == ".json" else "text")
    try:
        _read(source, date)
    except SourceErrors as exc:
        source.errors.extend(_problem(path, error.line, error.message) for error in exc.errors)
    except SourceError as exc:
        source.errors.append(_problem(path, exc.line, exc.message))
    except Exception as exc:  # noqa: BLE001 - a fault of the importer must not cost the other files
        source.errors.append(_problem(path, None, _("the importer failed on this file ({problem}); please report it").format(problem=f"{type(exc).__name__}: {exc}")))
    if source.errors:
        source.meetings = []
        return source
    for meeting in source.meetings:
        if not in_supported_range(meeting.date):
            source.errors.append(
                _problem(path, None, _("{title}: date {date} is outside the dates minutes can carry, {first} to {last}").format(
                        title=meeting.title, date=meeting.date.isoformat(), first=FIRST_DATE, last=LAST_DATE
                    ))
            )
        if strict:
            source.errors.extend(
                _problem(path, note.line, _("{message} (a warning, an error under --strict)").format(message=note.message))
                for note in meeting.notes
                if note.kind == "warning"
            )
    return source


def _read(source: SourceFile, date: dt.date | None = None) -> None:
    try:
        data = source.path.read_bytes()
    except IsADirectoryError:
        raise SourceError(_("is a folder: give the minutes files themselves")) from None
    except OSError as exc:
        raise SourceError(_("cannot read: {problem}").format(problem=exc.strerror or exc)) from None
    if not data.strip():
        raise SourceError(_("file is empty: there are no minutes to import"))
    if source.kind == "api":
        source.meetings = parse_kokkai(read_api_json(data), source.path.name)
    else:
        # Imported here: the PDF-text importer is the larger module, and JSON imports do not need it.
        from .encoding import decode_source
        from .pdftext import parse_pdf_text

        if source.path.suffix.lower() == ".pdf":
            from .pdf import read_pdf

            pdf = read_pdf(data)
            text = pdf.text
            source.reading = [SourceNote(
                    0, ngettext("read the text layer of {count} PDF page", "read the text layer of {count} PDF pages", pdf.pages).format(count=pdf.pages), "note"
                ), *pdf.notes]
        else:
            text, source.reading = decode_source(data, source.path)
        source.meetings = [parse_pdf_text(text, source.path.name, date)]


def _refuse_repeated_meetings(sources: list[SourceFile]) -> None:
    """Refuse every file that holds a meeting (by issueID) some file holds too: which copy is right is for staff to say."""
    holders: dict[str, list[SourceFile]] = defaultdict(list)
    for source in sources:
        for meeting in source.meetings:
            if meeting.issue_id:
                holders[meeting.issue_id].append(source)
    for issue_id, files in holders.items():
        if len(files) < 2:
            continue
        distinct = list({id(source): source for source in files}.values())
        for source in distinct:
            others = [str(other.path) for other in distinct if other is not source]
            where = _("also in {files}").format(files=", ".join(others)) if others else _("twice in this file")
            source.errors.append(_problem(source.path, None, _("meeting {issue_id} is {where}: import each meeting from one file only").format(issue_id=issue_id, where=where)))


def plan_files(sources: list[SourceFile], body: str, content: Path) -> list[PlannedFile]:
    """Give every meeting its file: `content/<folder>/<date>[-N].md`, N counting from 2.

    API meetings go to one folder per house and committee (`<body>-<meeting code>`), the others to
    `<body>`. Meetings of one folder on one date are numbered in issueID order (API), else in the
    order of the inputs; the first keeps the bare date.
    """
    groups: dict[tuple[str, str], list[tuple[tuple[str, int], SourceFile, ImportedMeeting]]] = defaultdict(list)
    order = 0
    for source in sources:
        for meeting in source.meetings:
            folder = f"{body}-{meeting_slug(meeting)}" if source.kind == "api" else body
            key = (meeting.issue_id or "", order) if source.kind == "api" else ("", order)
            groups[(folder, meeting.date.isoformat())].append((key, source, meeting))
            order += 1
    planned: list[PlannedFile] = []
    for (folder, date), members in groups.items():
        members.sort(key=lambda member: member[0])
        for number, (_key, source, meeting) in enumerate(members, start=1):
            name = f"{date}.md" if number == 1 else f"{date}-{number}.md"
            planned.append(PlannedFile(source, meeting, folder, content / folder / name))
    planned.sort(key=lambda item: (item.folder, item.path.name))
    return planned


def _render(item: PlannedFile, force: bool, strict: bool) -> None:
    """Render `item`'s Markdown and check it as `minutes check` will, recording errors on its source."""
    source = item.source
    if item.path.exists() and not force:
        source.errors.append(f"{item.path}: error: " + _("file exists (from {source}); use --force to overwrite it").format(source=source.path))
    try:
        item.markdown = meeting_to_markdown(item.meeting)
    except ValueError as exc:
        source.errors.append(_problem(source.path, None, _("cannot write {path}: {problem}").format(path=item.path, problem=exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a fault of the writer must not cost the other files
        source.errors.append(_problem(source.path, None, _("the importer failed on this file ({problem}); please report it").format(problem=f"{type(exc).__name__}: {exc}")))
        return
    control = _CHECKED_CONTROL.search(item.markdown)
    if control is not None:
        line = item.markdown.count("\n", 0, control.start()) + 1
        source.errors.append(
            f"{item.path}:{line}: error: " + _("control character U+{code:04X}: remove it from {source}").format(code=ord(control[0]), source=source.path)
        )
    # The reader's verdict before anything is written: `minutes check` must pass afterwards.
    rel_path = f"{item.folder}/{item.path.name}"
    _meeting, diagnostics = read_meeting_text(item.markdown, rel_path, str(item.path))
    for diagnostic in diagnostics:
        if diagnostic.is_error:
            source.errors.append(str(diagnostic))
        elif strict:
            source.errors.append(_("{message} (a warning, an error under --strict)").format(message=diagnostic))
        else:
            item.meeting.notes.append(SourceNote(0, f"{item.path}: {diagnostic.message}"))


def _body_titles(planned: list[PlannedFile], body: str, body_title: str | None, echo: Callable[[str], None]) -> dict[str, str]:
    """The title of each body folder written to: --body-title, else the minutes' own (of any file read).

    A file whose meetings go to a new folder that nothing names is refused.
    """
    titles: dict[str, str] = {}
    for item in planned:
        if item.folder in titles:
            continue
        if item.folder == body and body_title:
            titles[item.folder] = body_title
        elif item.meeting.body_title:
            titles[item.folder] = item.meeting.body_title
    for item in planned:
        missing = f"{item.source.path}: error: " + _("the minutes do not name their body: give --body-title")
        if item.folder not in titles and not (item.path.parent / INDEX).exists() and missing not in item.source.errors:
            item.source.errors.append(missing)
    if body_title and any(item.source.kind == "api" for item in planned):
        echo("note: " + _("--body-title is not used for API JSON: each house and committee is titled by its own names"))
    return titles


def report_meeting(item: PlannedFile, echo: Callable[[str], None]) -> None:
    """Print what was imported into one file: utterances per speaker, headings, stage directions, warnings.

    In minutes text, a speaker heard only once is marked `(once: check it)`: a label misread
    from a line of speech is most often one that occurs once. API JSON names its speakers itself.
    """
    meeting = item.meeting
    utterances = meeting.utterances
    speakers = Counter(utterance.label for utterance in utterances)
    headings = [block for block in meeting.blocks if isinstance(block, ImportedHeading)]
    directions = sum(isinstance(block, ImportedStageDirection) for block in meeting.blocks) + sum(
        isinstance(part, ImportedStageDirection) for utterance in utterances for part in utterance.parts
    )
    mark_once = item.source.kind == "text"
    echo(_("{path}: {title} ({date}) from {source}").format(path=item.path, title=meeting.title, date=meeting.date.isoformat(), source=item.source.path))
    by_speaker = ", ".join(
        f"{label} {count}" + (_(" (once: check it)") if mark_once and count == 1 else "") for label, count in speakers.items()
    )
    echo("  " + _("utterances: {count}").format(count=len(utterances)) + (f" ({by_speaker})" if by_speaker else ""))
    echo("  " + _("headings: {count}").format(count=len(headings)))
    for heading in headings:
        echo(f"    {'#' * heading.level} {heading.text}")
    echo("  " + _("stage directions: {count}").format(count=directions))
    for note in item.source.reading:
        echo(_problem(item.source.path, note.line, note.message, "note"))
    for note in meeting.notes:
        echo(_problem(item.source.path, note.line, note.message, note.kind))


def _problem(path: Path, line: int | None, message: str, severity: str = "error") -> str:
    # Sources without line numbers (a parsed JSON value) give no line, or line 0.
    where = f"{path}:{line}" if line else f"{path}"
    return f"{where}: {severity}: {message}"


def _write_source(
    content: Path, items: list[PlannedFile], indexes: dict[str, str], bodies: dict[str, dict[str, str]] | None = None
) -> str | None:
    """Write one source's files (and new bodies' `_index.md`): all staged, then renamed into place.

    Returns an error line when a file cannot be written; then nothing of the source is left,
    not even a folder made for it.
    """
    files = [
        (
            content / folder / INDEX,
            "---\n" + yaml.safe_dump({"title": title, **(bodies or {}).get(folder, {})}, allow_unicode=True, sort_keys=False) + "---\n",
        )
        for folder, title in indexes.items()
    ] + [(item.path, item.markdown) for item in items]
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    target = content
    try:
        for target, text in files:
            made.extend(_make_folders(target.parent))
            staged.append((_stage(target, text), target))
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as exc:
        for temporary, _target in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        return f"{target}: error: " + _("cannot write: {problem}").format(problem=exc.strerror or exc)
    return None


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return those created, outermost first."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    missing.reverse()
    for each in missing:
        each.mkdir()
    return missing


def _stage(path: Path, text: str) -> Path:
    """Write `text` to a temporary file beside `path`, to be renamed onto it: no half-written file is ever seen."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)
