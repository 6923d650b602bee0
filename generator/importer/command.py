"""The `minutes import` command: read every source, check it all, then write the Markdown files.

Nothing is written unless every input was read and every output can be written: a bad input, an
existing file (without `--force`) or a meeting the format cannot hold stops the whole import.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content import INDEX, RESERVED_SLUGS, SLUG
from ..reader import read_meeting_text
from .errors import SourceError
from .kokkai import meeting_slug, parse_kokkai
from .record import ImportedHeading, ImportedMeeting, ImportedStageDirection
from .writer import meeting_to_markdown


@dataclass
class SourceFile:
    """One input of the command and the meetings read from it."""

    path: Path
    kind: str
    """`api` (国会会議録 API JSON) or `text` (the text of a minutes PDF)."""
    meetings: list[ImportedMeeting] = field(default_factory=list)


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
) -> int:
    """Import `paths` into `content/<body>/`, print a report per meeting and return the exit status.

    Problems are printed as `path:line: error: message`; when there is any, nothing is written.
    """
    problems: list[str] = []
    if not SLUG.fullmatch(body) or body.lower() in RESERVED_SLUGS:
        problems.append(
            f"error: --body '{body}' must be a folder name of letters, digits, '.', '_' and '-' "
            f"(it becomes the URL), and not one of {', '.join(sorted(RESERVED_SLUGS))}"
        )
    sources: list[SourceFile] = []
    for path in paths:
        try:
            sources.append(read_source(path))
        except SourceError as exc:
            problems.append(_problem(path, exc.line, exc.message))
    if problems:
        return _fail(problems, echo)

    planned = plan_files(sources, body, content)
    titles = _body_titles(planned, body, body_title, echo, problems)
    for item in planned:
        if item.path.exists() and not force:
            problems.append(f"{item.path}: error: file exists (from {item.source.path}); use --force to overwrite it")
        try:
            item.markdown = meeting_to_markdown(item.meeting)
        except ValueError as exc:
            problems.append(_problem(item.source.path, None, f"cannot write {item.path}: {exc}"))
            continue
        # The reader's verdict before anything is written: `minutes check` must pass afterwards.
        rel_path = f"{item.folder}/{item.path.name}"
        _, diagnostics = read_meeting_text(item.markdown, rel_path, str(item.path))
        problems.extend(str(d) for d in diagnostics if d.severity.value == "error")
    if problems:
        return _fail(problems, echo)

    for folder, title in titles.items():
        index = content / folder / INDEX
        if not index.exists():
            _write(index, "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False) + "---\n")
            echo(f"{index}: new body '{title}'")
    for item in planned:
        _write(item.path, item.markdown)
        report_meeting(item, echo)
    meetings = len(planned)
    utterances = sum(len(item.meeting.utterances) for item in planned)
    echo(f"imported {meetings} meeting{'s' * (meetings != 1)} ({utterances} utterances) from {len(sources)} file{'s' * (len(sources) != 1)} into {content}")
    return 0


def read_source(path: Path) -> SourceFile:
    """Read one input, its kind told by its name: `.json` is API JSON, anything else minutes text."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a folder: give the minutes files themselves") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise SourceError("file is empty: there are no minutes to import")
    if path.suffix.lower() == ".json":
        source = SourceFile(path, "api", _read_api(data, path))
    else:
        source = SourceFile(path, "text", [_read_text(data, path)])
    return source


def _read_api(data: bytes, path: Path) -> list[ImportedMeeting]:
    if b"\0" in data:
        raise SourceError("binary file, not JSON: give a 国会会議録検索システム API answer (.json)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError("not UTF-8: the API answers in UTF-8; was the file converted?", line) from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    return parse_kokkai(parsed, path.name)


def _read_text(data: bytes, path: Path) -> ImportedMeeting:
    # Imported here: the PDF-text importer is the larger module, and JSON imports do not need it.
    from .encoding import decode_source
    from .pdftext import parse_pdf_text

    text, notes = decode_source(data, path)
    meeting = parse_pdf_text(text, path.name)
    # How the bytes were read (Shift_JIS, CRLF) comes first in the report.
    meeting.notes[:0] = notes
    return meeting


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
        for number, (_, source, meeting) in enumerate(members, start=1):
            name = f"{date}.md" if number == 1 else f"{date}-{number}.md"
            planned.append(PlannedFile(source, meeting, folder, content / folder / name))
    planned.sort(key=lambda item: (item.folder, item.path.name))
    return planned


def _body_titles(
    planned: list[PlannedFile], body: str, body_title: str | None, echo: Callable[[str], None], problems: list[str]
) -> dict[str, str]:
    """The title of each body folder that will be written to: --body-title, else the minutes' own."""
    titles: dict[str, str] = {}
    for item in planned:
        if item.folder in titles:
            continue
        if item.folder == body and body_title:
            titles[item.folder] = body_title
        elif item.meeting.body_title:
            titles[item.folder] = item.meeting.body_title
        elif not (item.path.parent / INDEX).exists():
            problems.append(f"{item.source.path}: error: the minutes do not name their body: give --body-title")
    if body_title and any(item.source.kind == "api" for item in planned):
        echo("note: --body-title is not used for API JSON: each house and committee is titled by its own names")
    return titles


def report_meeting(item: PlannedFile, echo: Callable[[str], None]) -> None:
    """Print what was imported into one file: utterances per speaker, headings, stage directions, warnings."""
    meeting = item.meeting
    utterances = meeting.utterances
    speakers = Counter(utterance.label for utterance in utterances)
    headings = [block for block in meeting.blocks if isinstance(block, ImportedHeading)]
    directions = sum(isinstance(block, ImportedStageDirection) for block in meeting.blocks) + sum(
        isinstance(part, ImportedStageDirection) for utterance in utterances for part in utterance.parts
    )
    echo(f"{item.path}: {meeting.title} ({meeting.date.isoformat()}) from {item.source.path}")
    by_speaker = ", ".join(f"{label} {count}" for label, count in speakers.items())
    echo(f"  utterances: {len(utterances)}" + (f" ({by_speaker})" if by_speaker else ""))
    echo(f"  headings: {len(headings)}")
    for heading in headings:
        echo(f"    {'#' * heading.level} {heading.text}")
    echo(f"  stage directions: {directions}")
    for note in meeting.notes:
        echo(_problem(item.source.path, note.line, note.message, "warning"))


def _problem(path: Path, line: int | None, message: str, severity: str = "error") -> str:
    # Sources without line numbers (a parsed JSON value) give no line, or line 0.
    where = f"{path}:{line}" if line else f"{path}"
    return f"{where}: {severity}: {message}"


def _fail(problems: list[str], echo: Callable[[str], None]) -> int:
    for problem in problems:
        echo(problem)
    echo(f"nothing imported: {len(problems)} error{'s' * (len(problems) != 1)}")
    return 1


def _write(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file, so that no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
