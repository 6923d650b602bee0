"""Reading one content file (site settings, a body's `_index.md`, a meeting) into typed models."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from markdown_it.token import Token

from .diagnostics import Diagnostic, error, has_errors
from .i18n import _
from .frontmatter import FrontMatter, as_text, split_front_matter
from .minutes_markdown import AgendaNumbering, is_stage_direction, join_lines, make_parser, unescape
from .models import AgendaItem, Decision, Meeting, Paragraph, RecordBlock, SiteConfig, Speaker, StageDirection, Utterance
from .speakers import parse_label
from .wareki import FIRST_DATE, LAST_DATE, in_supported_range
from .web_urls import base_url_problem, web_url_problem

SITE_KEYS = ("title", "organization", "base_url", "description")
BODY_KEYS = ("title", "description", "group", "organization", "house")
MEETING_KEYS = (
    "title", "date", "time", "venue", "attendees", "observers", "materials", "speakers",
    "decisions", "source_url", "pdf_url", "issue_id", "updated", "aliases", "renumbered",
)  # fmt: skip
SPEAKER_KEYS = ("name", "position", "group", "side", "role", "reading")
SPEAKER_SIDES = ("member", "official")
DECISION_KEYS = ("item", "subject", "result", "for", "against", "method")
ANCHOR = re.compile(r"s[1-9]\d{0,8}")
"""An utterance anchor; nine digits are far more than any meeting has, and keep int() cheap."""
MEETING_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_NAME_LENGTH = 255
"""The longest file or folder name common file systems allow (in bytes; an alias is ASCII)."""
MAX_LABEL_LENGTH = 56
"""A longer first word is a speech typed without the space after its label, not a label."""

# The record is read from each block's source text (its inline token's `content`), never from
# the inline tokens parsed out of it: not parsing them saves a quarter of reading a meeting.
_PARSER = make_parser().disable("inline")
_LABEL = re.compile(r"(\S*)\s*", re.DOTALL)


class _Fields:
    """Typed access to front-matter values; each problem becomes a diagnostic at the key's line."""

    def __init__(self, matter: FrontMatter, path: str, known: tuple[str, ...], diagnostics: list[Diagnostic]):
        self.matter, self.path, self.diagnostics = matter, path, diagnostics
        for key in matter.values:
            if key not in known:
                self.problem(str(key), _("unknown front-matter key '{key}' (known keys: {known})").format(key=key, known=', '.join(known)))

    def problem(self, key: str, message: str, entry: int | None = None) -> None:
        self.diagnostics.append(error(self.path, self.matter.line_of(key, entry), message))

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.matter.values.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, _("missing '{key}': every file of this kind needs one").format(key=key))
            return None
        if not _is_scalar_text(value):
            self.problem(key, _("'{key}' must be text").format(key=key))
            return None
        return as_text(value)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.text(key, required)
        if value is None:
            return None
        # fromisoformat alone would also take 20220214 and 2022-W07-1.
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                date = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                if in_supported_range(date):
                    return date
                self.problem(key, _("{key} {date} is outside the dates minutes can carry ({first} to {last})").format(key=key, date=date.isoformat(), first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()))
                return None
        self.problem(key, _("invalid {key} '{value}': write a real date as YYYY-MM-DD").format(key=key, value=value))
        return None

    def url(self, key: str, problem_of: Callable[[str], str | None] = web_url_problem) -> str | None:
        """An absolute http(s) URL: anything else (a relative path, `javascript:`) is an error."""
        value = self.text(key)
        problem = None if value is None else problem_of(value)
        if problem is not None:
            self.problem(key, _("{key} '{value}' {problem}").format(key=key, value=value, problem=problem))
            return None
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.matter.values.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(_is_scalar_text(v) for v in value):
            return [as_text(v) for v in value]
        self.problem(key, _("'{key}' must be text or a list of texts").format(key=key))
        return []

    def attendees(self) -> dict[str, list[str]] | list[str] | None:
        value = self.matter.values.get("attendees")
        if value is None:
            return None
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            groups: dict[str, list[str]] = {}
            for group, names in value.items():
                if isinstance(names, str):
                    names = [names]
                if not isinstance(names, list) or not all(_is_scalar_text(n) for n in names):
                    self.problem("attendees", _("attendees of '{group}' must be a list of names").format(group=group))
                    continue
                groups[group] = [as_text(n) for n in names]
            return groups
        return self.text_list("attendees") or None

    def speakers(self) -> dict[str, Speaker]:
        value = self.matter.values.get("speakers")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem("speakers", _("'speakers' must map each label to {name, position, group, side, role, reading}"))
            return {}
        speakers: dict[str, Speaker] = {}
        for index, (label, entry) in enumerate(value.items()):
            if not isinstance(entry, dict) or any(k not in SPEAKER_KEYS for k in entry):
                self.problem("speakers", _("speaker '{label}' must be a mapping with keys {keys}").format(label=label, keys=', '.join(SPEAKER_KEYS)), index)
                continue
            wrong = [k for k in ("name", "position", "group", "role", "reading") if entry.get(k) is not None and not _is_scalar_text(entry[k])]
            if wrong:
                self.problem("speakers", _("speaker '{label}': '{wrong}' must be text").format(label=label, wrong=wrong[0]), index)
                continue
            side = entry.get("side")
            if side is not None and side not in SPEAKER_SIDES:
                self.problem("speakers", _("speaker '{label}': side must be one of {sides}, not {side!r}").format(label=label, sides=', '.join(SPEAKER_SIDES), side=side), index)
                side = None
            speakers[str(label)] = Speaker(
                label=str(label),
                name=_optional_text(entry.get("name")),
                position=_optional_text(entry.get("position")),
                group=_optional_text(entry.get("group")),
                side=side,
                speaker_role=_optional_text(entry.get("role")),
                reading=_optional_text(entry.get("reading")),
            )
        return speakers

    def decisions(self) -> list[Decision]:
        value = self.matter.values.get("decisions")
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("decisions", _("'decisions' must be a list of {item, result, …}"))
            return []
        decisions = []
        for number, entry in enumerate(value, 1):
            where, line = _("decision {number}").format(number=number), self.matter.line_of("decisions", number - 1)
            if not isinstance(entry, dict):
                self.problem("decisions", _("{where} must be a mapping with keys {keys}").format(where=where, keys=', '.join(DECISION_KEYS)), number - 1)
                continue
            unknown = [k for k in entry if k not in DECISION_KEYS]
            if unknown:
                self.problem("decisions", _("{where} has unknown key '{unknown}' (known keys: {keys})").format(where=where, unknown=unknown[0], keys=', '.join(DECISION_KEYS)), number - 1)
            wrong = [k for k in ("item", "subject", "result", "method") if entry.get(k) is not None and not _is_scalar_text(entry[k])]
            if wrong:
                self.problem("decisions", _("{where}: '{wrong}' must be text").format(where=where, wrong=wrong[0]), number - 1)
                continue
            counts = {}
            for key in ("for", "against"):
                count = entry.get(key)
                if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
                    self.problem("decisions", _("{where}: '{key}' must be a whole number or null").format(where=where, key=key), number - 1)
                    count = None
                counts[key] = count
            item, result = _optional_text(entry.get("item")), _optional_text(entry.get("result"))
            if not item or not result:
                self.problem("decisions", _("{where} needs both 'item' (an agenda id such as item-2-1) and 'result'").format(where=where), number - 1)
                continue
            decisions.append(
                Decision(
                    item=item, result=result, line=line,
                    subject=_optional_text(entry.get("subject")),
                    votes_for=counts["for"], votes_against=counts["against"],
                    method=_optional_text(entry.get("method")),
                )
            )  # fmt: skip
        return decisions

    def aliases(self) -> list[str]:
        paths = []
        for alias in self.text_list("aliases"):
            alias = alias.strip().strip("/")
            if not MEETING_PATH.fullmatch(alias):
                self.problem("aliases", _("alias '{alias}' must be an old meeting path such as joho-kokai/2022-02-14").format(alias=alias))
                continue
            longest = max(len(part) for part in alias.split("/"))
            if longest > MAX_NAME_LENGTH:
                # No file system holds such a folder, so no meeting was ever published there and
                # the build could not write its redirect.
                self.problem("aliases", _("alias '{alias}' has a part of {longest} characters: a folder name has at most {max_name_length}").format(alias=_short(alias), longest=longest, max_name_length=MAX_NAME_LENGTH))
                continue
            paths.append(alias)
        return paths

    def renumbered(self) -> list[RenumberedEntry]:
        value = self.matter.values.get("renumbered")
        if value is None:
            return []
        if not isinstance(value, dict):
            self.problem("renumbered", _("'renumbered' must map old anchors to new ones, as in s13: s12"))
            return []
        entries = []
        for index, (old, new) in enumerate(value.items()):
            olds, news = _anchor_run(as_text(old)), _anchor_run(as_text(new))
            text = f"{_short(as_text(old))}: {_short(as_text(new))}"
            if olds is None or news is None:
                self.problem("renumbered", _("renumbered entry '{text}' must map an anchor sN to an anchor sN (or sA-sB to sC-sD)").format(text=text), index)
                continue
            if len(olds) != len(news):
                self.problem("renumbered", _("renumbered entry '{text}' maps {olds} anchors to {news}").format(text=text, olds=len(olds), news=len(news)), index)
                continue
            entries.append(RenumberedEntry(olds, news, text, self.matter.line_of("renumbered", index)))
        return entries


@dataclass(frozen=True)
class RenumberedEntry:
    """One `renumbered:` entry before it is expanded: old and new anchor numbers as ranges."""

    olds: range
    news: range
    text: str
    line: int

    def mapping(self) -> dict[str, str]:
        """Old anchor → new anchor for every number of the run."""
        return {f"s{old}": f"s{new}" for old, new in zip(self.olds, self.news)}


def _anchor_run(text: str) -> range | None:
    """`s13` → range(13, 14); `s13-s15` → range(13, 16); None when it is neither."""
    if ANCHOR.fullmatch(text):
        return range(int(text[1:]), int(text[1:]) + 1)
    first, _dash, last = text.partition("-")
    if not (ANCHOR.fullmatch(first) and ANCHOR.fullmatch(last)) or int(last[1:]) < int(first[1:]):
        return None
    return range(int(first[1:]), int(last[1:]) + 1)


def _short(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters for a message (a 5,000-digit key would fill the terminal)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _is_scalar_text(value: Any) -> bool:
    """Text, or a number that stands for its own characters; not true/false, a list or a mapping."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _optional_text(value: Any) -> str | None:
    return None if value is None else as_text(value)


def read_site_settings(text: str, path: str) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read `content/_index.md`: the archive's settings and the home page's introduction."""
    matter, diagnostics = split_front_matter(text, path)
    if diagnostics:
        return None, diagnostics
    fields = _Fields(matter, path, SITE_KEYS, diagnostics)
    title = fields.text("title", required=True)
    base_url = fields.url("base_url", base_url_problem)
    config = SiteConfig(
        title=title or "",
        organization=fields.text("organization"),
        base_url=base_url,
        description=fields.text("description"),
        introduction=matter.body.strip(),
    )
    return (config if not diagnostics else None), diagnostics


@dataclass(frozen=True)
class BodySettings:
    """What a body's `_index.md` says of it."""

    title: str
    description: str | None
    group: str | None = None
    """The home page's heading for this body (本会議, 常任委員会, …)."""
    organization: str | None = None
    """Who holds this body's meetings, when another than the site's organization (安平町)."""
    house: str | None = None
    """The house or council the body belongs to (安平町議会, 衆議院)."""


def read_body_settings(text: str, path: str) -> tuple[BodySettings | None, list[Diagnostic]]:
    """Read a body's `_index.md`: its `title` (required), `description`, `group`, `organization` and `house`."""
    matter, diagnostics = split_front_matter(text, path)
    if diagnostics:
        return None, diagnostics
    fields = _Fields(matter, path, BODY_KEYS, diagnostics)
    settings = BodySettings(
        title=fields.text("title", required=True) or "",
        description=fields.text("description"),
        group=fields.text("group"),
        organization=fields.text("organization"),
        house=fields.text("house"),
    )
    return (settings if not diagnostics else None), diagnostics


def read_meeting_text(text: str, rel_path: str, shown_path: str | None = None) -> tuple[Meeting | None, list[Diagnostic]]:
    """Read one meeting file; `rel_path` is relative to the content folder (`body/2022-02-14.md`).

    Diagnostics name `shown_path` (the path as the user would type it), or `rel_path`.
    """
    path = shown_path or rel_path
    matter, diagnostics = split_front_matter(text, path)
    if diagnostics:
        return None, diagnostics
    fields = _Fields(matter, path, MEETING_KEYS, diagnostics)
    parts = PurePosixPath(rel_path)
    meeting = Meeting(
        source=parts,  # type: ignore[arg-type]
        body_slug=parts.parent.as_posix(),
        slug=parts.stem,
        title=fields.text("title", required=True) or "",
        date=fields.date("date", required=True) or dt.date.min,
        time=fields.text("time"),
        venue=fields.text("venue"),
        attendees=fields.attendees(),
        observers=fields.text("observers"),
        materials=fields.text_list("materials"),
        speakers=fields.speakers(),
        decisions=fields.decisions(),
        source_url=fields.url("source_url"),
        pdf_url=fields.url("pdf_url"),
        issue_id=fields.text("issue_id"),
        updated=fields.date("updated"),
        aliases=fields.aliases(),
        aliases_line=matter.line_of("aliases"),
        renumbered_line=matter.line_of("renumbered"),
        date_line=matter.line_of("date"),
    )
    renumbered = fields.renumbered()
    _read_record(meeting, matter, path, diagnostics)
    _check_decisions(meeting, path, diagnostics)
    _check_corrections(meeting, renumbered, path, diagnostics)
    return (meeting if not has_errors(diagnostics) else None), diagnostics


def _read_record(meeting: Meeting, matter: FrontMatter, path: str, diagnostics: list[Diagnostic]) -> None:
    """Fill the meeting's preamble and record from the Markdown after the front matter."""
    tokens = _PARSER.parse(matter.body)
    record: list[RecordBlock] = []
    preamble_texts: list[str] = []
    current: Utterance | None = None
    section: AgendaItem | None = None
    item_id: str | None = None
    numbering = AgendaNumbering()
    utterances = 0
    record_start: int | None = None
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1:
            # Inline content of the preamble: its text, for the open data.
            if record_start is None and token.type == "inline":
                preamble_texts.append(unescape(join_lines(token.content)))
            continue
        if record_start is None:
            if token.type not in ("heading_open", "utterance_open"):
                continue
            record_start = token.map[0]
        line = matter.body_line + token.map[0]
        content = tokens[index + 1].content if index + 1 < len(tokens) else ""
        if token.type == "heading_open":
            level = int(token.tag[1])
            current = None
            if level not in (2, 3):
                diagnostics.append(error(path, line, _("agenda headings are '##' or '###', not '{marks}'").format(marks='#' * level)))
                continue
            item = AgendaItem(id=numbering.next_id(level), level=level, title=unescape(join_lines(content)), line=line)
            if level == 2:
                section = item
            elif section is not None:
                section.children.append(item)
            item_id = item.id
            record.append(item)
        elif token.type == "utterance_open":
            current = _read_utterance(content, line, utterances + 1, meeting, path, diagnostics)
            if current is not None:
                utterances += 1
                current.item_id = item_id
                record.append(current)
        elif token.type in ("stage_direction_open", "paragraph_open"):
            text = unescape(join_lines(content))
            part = StageDirection(text, line) if token.type == "stage_direction_open" else Paragraph(text, line)
            (current.parts if current is not None else record).append(part)
        elif token.type == "hr":
            # The only way to end an utterance without a heading: what follows (以上, signatures)
            # belongs to the record, not to the last speaker.
            current = None
        else:
            diagnostics.append(
                error(path, line, _("{what} is not allowed in the record: start the line with '\\' to keep it as text").format(what=_describe(token)))
            )
    body_lines = matter.body.split("\n")
    meeting.preamble = "\n".join(body_lines[:record_start]).strip("\n")
    meeting.preamble_text = "\n".join(preamble_texts)
    meeting.preamble_line = matter.body_line
    meeting.record = record


def _read_utterance(content: str, line: int, number: int, meeting: Meeting, path: str, diagnostics: list[Diagnostic]) -> Utterance | None:
    """Split a `○` paragraph into label and speech; None (with an error) when either is missing."""
    match = _LABEL.match(content, 1)
    assert match is not None  # the pattern matches the empty string
    label, speech = unescape(match[1]), content[match.end() :]
    if not label:
        diagnostics.append(error(path, line, _("utterance has no speaker label: write ○<label>　<speech>, as in ○会長　本日は…")))
        return None
    if len(label) > MAX_LABEL_LENGTH:
        diagnostics.append(
            error(path, line, _("utterance has no speaker label: put a full-width space after the label ('{start}…' runs on for {length} characters)").format(
                start=label[:12], length=len(label)
            ),
            )
        )
        return None
    if not speech.strip():
        diagnostics.append(error(path, line, _("utterance '{label}' has nothing after its label").format(label=label)))
        return None
    text = unescape(join_lines(speech))
    first: Paragraph | StageDirection = StageDirection(text, line) if is_stage_direction(text) else Paragraph(text, line)
    return Utterance(number=number, speaker=parse_label(label, meeting.speakers), line=line, parts=[first])


def _describe(token: Token) -> str:
    names = {
        "bullet_list_open": _("a list"), "ordered_list_open": _("a numbered list"), "blockquote_open": _("a quote"),
        "code_block": _("an indented code block"), "fence": _("a code block"),
        "html_block": _("raw HTML"), "table_open": _("a table"),
    }  # fmt: skip
    return names.get(token.type, f"'{token.type}'")


def _check_decisions(meeting: Meeting, path: str, diagnostics: list[Diagnostic]) -> None:
    """Every decision must name an agenda item of this meeting."""
    ids = {block.id for block in meeting.record if isinstance(block, AgendaItem)}
    for decision in meeting.decisions:
        if decision.item not in ids:
            known = ", ".join(sorted(ids)) or "none: add ## headings"
            diagnostics.append(error(path, decision.line, _("decision names unknown agenda item '{item}' (items: {known})").format(item=decision.item, known=known)))


def _check_corrections(meeting: Meeting, renumbered: list[RenumberedEntry], path: str, diagnostics: list[Diagnostic]) -> None:
    """`renumbered:` must lead to anchors the meeting has (then it is expanded), and no alias may be the meeting's own path.

    One error per bad entry: a range is never expanded before it is known to fit the meeting.
    """
    count = len(meeting.utterances)
    for entry in renumbered:
        if entry.news[-1] > count:
            diagnostics.append(error(path, entry.line, _("renumbered entry '{text}' leads to s{last}, but the meeting has only {count} utterances").format(text=entry.text, last=entry.news[-1], count=count)))
        else:
            meeting.renumbered.update(entry.mapping())
    for alias in meeting.aliases:
        if alias == meeting.path:
            diagnostics.append(error(path, meeting.aliases_line, _("alias '{alias}' is the meeting's own path").format(alias=alias)))
