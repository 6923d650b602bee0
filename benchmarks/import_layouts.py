"""The 東京都議会 minutes of ../shared/corpus/tokyo-assembly/ printed in the layouts real minutes use,
and how many of their speeches the PDF-text importer reads back right.

Each layout prints a corpus meeting as the text a minutes PDF gives: a header (title, a 和暦 date
in kanji numerals, room, counts, the roster of 委員長／副委員長／委員 rows with 君, officials
present, 本日の会議に付した事件), then the record, with one marker style, one label form, one
separator, one wrap width and one kind of page furniture. `render` returns the text and the
truth: for every utterance, the source line its label is printed on, the label as printed
(without marker or spaces) and its speech. `evaluate` imports every rendered meeting and counts
the utterance boundaries, labels and speeches that come back as printed.

Usage: `python benchmarks/import_layouts.py [--limit N] [--layouts a,b] [--mismatches N]`
prints a table per layout and the first mismatches of each (expected against got);
`--only-default` times the import of the plain layout alone, the speed baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    # Run as a script from anywhere: the generator package lives in the repository root.
    sys.path.insert(0, str(REPO))

from benchmarks.tokyo_corpus import CORPUS, TOKYO_DIR, parse_meeting  # noqa: E402
from generator.importer.errors import SourceError  # noqa: E402
from generator.importer.pdftext import parse_pdf_text  # noqa: E402
from generator.importer.record import (  # noqa: E402
    ImportedHeading,
    ImportedMeeting,
    ImportedParagraph,
    ImportedStageDirection,
    ImportedUtterance,
)
from generator.wareki import era_of, parse_number  # noqa: E402

_SPACE = " \t\u3000"
_WHITESPACE = re.compile(r"\s+")
_WEEKDAYS = "月火水木金土日"
# The closing punctuation Japanese typesetting hangs at the end of a full line (ぶら下げ) rather
# than letting it start the next one.
_HANGING = "、。，．」』）〕"
# A speech line that is wholly a bracketed note: printed indented by three spaces, as Tokyo does.
_DIRECTION_LINE = re.compile(r"^〔[^〔〕]*〕$")
# Roles printed before the name in a roster row (`副委員長泉谷つよし君`), longest first.
_ROSTER_ROLES = ("副委員長", "委員長", "副議長", "議長", "理事")
_SEAT = re.compile(r"^[一二三四五六七八九十百]+番$")
# The chair's roles, for the marker of DiscussNet-style minutes (○ for the chair).
_CHAIR = re.compile(r"(?:委員長|議長|座長)$")
_MEMBER = re.compile(r"(?:委員|理事)$|番$")
_OPENING = re.compile(r"(?P<ampm>午前|午後)(?P<hour>[零一二三四五六七八九十]+)時.*開議")


# --- layouts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How one kind of minutes prints a meeting; `imitates` says which real form it copies."""

    name: str
    imitates: str
    marker: str = "○"
    """The speaker marker: `○`, `〇`, `◯`, `discussnet` (◆ members, ◎ officials, ○ the chair) or ``."""
    label: str = "corpus"
    """`corpus` (`中村議長` as the corpus has it), `role-name` (`委員長（中村明彦君）` where the
    roster gives the name) or `role-name-spaced` (`委員長（中村　明彦君）`)."""
    half_width_brackets: bool = False
    letter_spaced: bool = False
    """Roles of two or three letters printed with a space between the letters: `議 長（中村明彦君）`."""
    separator: str = "\u3000"
    """What follows the label: a space, `  `, `` (only after a closing bracket; a full-width
    space elsewhere) or `\\n` (the label alone on its line)."""
    direction: str = ""
    """A stage direction printed right after the label of each speaker's first speech, chairs aside."""
    width: int = 70
    """The wrap width in full-width columns (characters)."""
    hang: bool = False
    """Closing punctuation that would start a line hangs past the wrap width (ぶら下げ); else
    the character before it moves down with it (追い出し), leaving the line one short."""
    indent: str = "\u3000"
    """The indent of a paragraph's first line."""
    page_lines: int = 0
    """Lines of text per page; 0 for no page furniture."""
    footer: str = ""
    """The page number: `wide` (－ 12 －), `dash` ( - 12 - ), `bare` (12) or ``."""
    footer_blanks: bool = False
    """Blank lines around the page number."""
    running_header: bool = False
    """Each page after the first starts with the meeting's title."""
    form_feed: bool = False
    section_mark: str = "◎"
    """The mark before the first line of a section the corpus gives no speaker (a report read in)."""
    roster_gap: bool = False
    """A full-width space between role and name in the roster: `委員長　中村　明彦君`."""
    closing: bool = False
    """The closing time after the last speech: `午後五時散会`."""


def _layout(make: Callable[[], Layout]) -> Layout:
    """A layout named after its function, the function's docstring saying what it imitates."""
    return replace(make(), name=make.__name__.replace("_", "-"), imitates=" ".join((make.__doc__ or "").split()))


@_layout
def plain() -> Layout:
    """The baseline: 東京都議会's 速記録 as its web pages give them, copied into a text file:
    `○中村議長　…`, long lines, no pages."""
    return Layout("", "", width=70)


@_layout
def tokyo() -> Layout:
    """東京都議会 速記録 as printed: narrow columns (36), hanging punctuation, `－ 12 －` footers,
    the title repeated atop every page, form feeds, `午後五時散会` after the record."""
    return Layout(
        "", "", width=36, hang=True, page_lines=40, footer="wide", running_header=True, form_feed=True, closing=True
    )


@_layout
def kanji_zero() -> Layout:
    """Town minutes typed in Word (安平町 and many others): the marker is the kanji zero `〇`,
    labels `〇議長（中村明彦君）`, bare page numbers, roster rows `委員長　中村明彦君`."""
    return Layout("", "", marker="〇", label="role-name", width=40, hang=True, page_lines=45, footer="bare", roster_gap=True)


@_layout
def large_circle() -> Layout:
    """Minutes typed with the large circle `◯` (U+25EF) and the name spaced inside the brackets as
    the roster prints it, `◯委員長（中村　明彦君）`; ` - 12 - ` footers between blank lines."""
    return Layout(
        "", "", marker="◯", label="role-name-spaced", width=70, page_lines=50, footer="dash", footer_blanks=True, form_feed=True
    )


@_layout
def discussnet() -> Layout:
    """The commercial minutes-search systems (DiscussNet style): `◆委員（…君）` members, `◎局長（…君）`
    officials, `○委員長（…君）` the chair, `△` before section titles, form feeds between pages."""
    return Layout(
        "", "", marker="discussnet", label="role-name", width=45, page_lines=45, form_feed=True, section_mark="△", closing=True
    )


@_layout
def bare() -> Layout:
    """Council minutes with no marker (目黒区の審議会): the label, two spaces, the speech;
    ` - 9 - ` footers between blank lines."""
    return Layout("", "", marker="", separator="  ", width=38, page_lines=45, footer="dash", footer_blanks=True)


@_layout
def half_width() -> Layout:
    """Minutes typed with half-width brackets and the speech right after the closing bracket,
    `○委員長(中村明彦君)ただいまから…`; bare page numbers."""
    return Layout(
        "", "", label="role-name", half_width_brackets=True, separator="", width=50, page_lines=45, footer="bare"
    )


@_layout
def letter_spaced() -> Layout:
    """Village and town minutes that spread two-letter roles to the width of longer ones,
    `○議 長（中村明彦君）  …` with two spaces after; narrow lines, `－ 12 －` footers, running title."""
    return Layout(
        "",
        "",
        label="role-name",
        letter_spaced=True,
        separator="  ",
        width=36,
        page_lines=40,
        footer="wide",
        running_header=True,
    )


@_layout
def own_line() -> Layout:
    """Minutes that print the label alone on its line and the speech below it, indented
    (several prefectural assemblies' text exports)."""
    return Layout("", "", label="role-name-spaced", separator="\n", width=70, page_lines=50, form_feed=True)


@_layout
def stage_direction() -> Layout:
    """City plenary minutes that print `〔登壇〕` right after the label of a speaker's first speech,
    `○総務局長（遠藤雅彦君）　〔登壇〕　…`; `－ 12 －` footers, `午後五時散会` after the record."""
    return Layout("", "", label="role-name", direction="〔登壇〕", width=50, page_lines=45, footer="wide", closing=True)


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        plain,
        tokyo,
        kanji_zero,
        large_circle,
        discussnet,
        bare,
        half_width,
        letter_spaced,
        own_line,
        stage_direction,
    )
}
DEFAULT_LAYOUT = "plain"


# --- the truth and the text ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedUtterance:
    """One utterance as printed: the line its label is on (1-based), the label without marker or
    spaces, and the speech (stage direction after the label included)."""

    line: int
    label: str
    speech: str


@dataclass
class Rendered:
    """A meeting printed in one layout: the text and the utterances a reader must find in it."""

    layout: str
    title: str
    date: dt.date
    text: str
    utterances: list[ExpectedUtterance] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    """For each line of `text`, the index in `utterances` of the utterance it prints, or -1
    (header, section, closing time, page furniture): lets a test rebuild every speech."""


@dataclass
class _Turn:
    """An utterance of the corpus: its label and paragraphs."""

    label: str
    paragraphs: list[str]


@dataclass
class _Section:
    """A part of the record the corpus gives no speaker: its title line and the lines after it."""

    lines: list[str]


def dated_meetings(corpus: Path = CORPUS) -> list[dict]:
    """The meetings of every tokyo-assembly file that have a date (445), in file order."""
    items: list[dict] = []
    for path in sorted((corpus / TOKYO_DIR).glob("*.json")):
        items.extend(item for item in json.loads(path.read_text(encoding="utf-8")) if item.get("Date"))
    return items


def _record(meeting: ImportedMeeting) -> list[_Turn | _Section]:
    """The record as turns and sections; `○label　speech` lines inside a section are turns, as printed."""
    # `○辞任　山崎孝明君` in a report read into the record is a list item, not a speaker.
    speakers = {block.label for block in meeting.blocks if isinstance(block, ImportedUtterance)}
    record: list[_Turn | _Section] = []
    for block in meeting.blocks:
        if isinstance(block, ImportedUtterance):
            record.append(_Turn(block.label, [part.text for part in block.parts]))
        elif isinstance(block, ImportedHeading):
            record.append(_Section([block.text]))
        elif isinstance(block, ImportedParagraph):
            match = re.match(r"○(\S+?)\u3000(.+)$", block.text)
            if match and match[1] in speakers:
                record.append(_Turn(match[1], [match[2]]))
            elif not record:
                record.append(_Section([block.text]))
            elif isinstance(record[-1], _Turn):
                record[-1].paragraphs.append(block.text)
            else:
                record[-1].lines.append(block.text)
    return record


def kanji_number(value: int) -> str:
    """`value` (1–9999) in kanji numerals as dates and counts print them: 二十三, 百二十三."""
    digits = "〇一二三四五六七八九"
    out = ""
    for unit, name in ((1000, "千"), (100, "百"), (10, "十")):
        count, value = divmod(value, unit)
        if count:
            out += ("" if count == 1 else digits[count]) + name
    return out + (digits[value] if value else "")


def wareki_date(date: dt.date) -> str:
    """`date` as a 速記録 header prints it: 平成二十三年十二月十五日（木曜日）."""
    era, year = era_of(date)
    year_text = "元" if year == 1 else kanji_number(year)
    return f"{era}{year_text}年{kanji_number(date.month)}月{kanji_number(date.day)}日（{_WEEKDAYS[date.weekday()]}曜日）"


def columns(text: str) -> int:
    """The printed width of `text` in half-width columns."""
    return sum(map(_char_columns, text))


@functools.cache
def _char_columns(char: str) -> int:
    """Two columns for a full-width character (the ambiguous ones included, as in Japanese fonts), else one."""
    return 2 if unicodedata.east_asian_width(char) in "WFA" else 1


def wrap(text: str, width: int, first: int, hang: bool = False) -> list[str]:
    """Cut `text` into lines of at most `width` columns (`first` for the first line), as a PDF does:
    anywhere between Japanese characters, at the spaces between Latin words, and never before a
    closing punctuation mark (禁則): with `hang` the mark stays at the end of the full line, else
    the character before it moves down with it."""
    units = re.findall(r"[A-Za-z]+| |.", text)
    lines, line, room = [], "", first
    for unit in units:
        size = columns(unit)
        if size > room and line:
            if unit in _HANGING and hang:
                line += unit
                room -= size
                continue
            carried = ""
            if unit in _HANGING and len(line) > 1 and line[-1] not in _HANGING and line[-1] != " ":
                line, carried = line[:-1], line[-1]
            lines.append(line.rstrip(" "))
            line, room = carried, width - columns(carried)
            if unit == " ":
                continue
        line += unit
        room -= size
    lines.append(line.rstrip(" "))
    return lines


@dataclass(frozen=True)
class _RosterRow:
    """A roster row (`委員長山下　太郎君`): the role or seat before the name, and the name as printed."""

    role: str
    name: str


def _roster(preamble: list[str]) -> list[_RosterRow]:
    """The rows of the header that name a person with 君, split where the role ends.

    The role is the part before the name; where the row does not say (`総務部長安藤　英二君`)
    every split is tried by `_rewrite`, so the row is kept whole here with an empty role."""
    rows = []
    for line in preamble:
        text = line.strip(_SPACE)
        if not text.endswith("君") or len(text) < 3:
            continue
        rows.append(_RosterRow("", text[:-1]))
    return rows


def _rewrite(label: str, roster: list[_RosterRow]) -> tuple[str, str] | None:
    """`山下委員長` as (`委員長`, `山下　太郎`) when exactly one roster row gives the name, else None.

    A row reads role + family + given (`委員長山下太郎`, `総務部長安藤英二`, `七十三番石川良一`,
    `西崎光子`); the label reads family + role. The row's role must be the end of the label's
    (`スポーツ振興局総務部長` and `総務部長`), a seat number, or a member's (委員長, 理事, …) or
    none where the label's role is 委員. The longest family that fits wins, so that `西崎委員`
    is not read as `西` + `崎委員`."""
    if re.search(r"[（(]", label):
        return None
    found: set[tuple[str, str]] = set()
    for row in roster:
        compact = _WHITESPACE.sub("", row.name)
        best: tuple[int, str, str] | None = None
        # Only where the row's name could begin: at the label's first letter.
        for split in (i for i, char in enumerate(compact) if char == label[0]):
            row_role, rest = compact[:split], compact[split:]
            for family_length in range(len(label) - 1, 0, -1):
                family, role = label[:family_length], label[family_length:]
                if not rest.startswith(family) or len(rest) == len(family):
                    continue
                if not _fits(role, row_role):
                    continue
                if best is None or family_length > best[0]:
                    best = (family_length, role, _printed_name(row.name, split))
                break
        if best is not None:
            found.add(best[1:])
    return found.pop() if len(found) == 1 else None


def _fits(role: str, row_role: str) -> bool:
    """Whether a label's role may belong to a roster row printed with `row_role` before the name."""
    if _SEAT.match(row_role):
        return True
    if not row_role:
        return role == "委員"
    if row_role in _ROSTER_ROLES:
        return role in (row_role, "委員")
    return role.endswith(row_role)


def _printed_name(row: str, skip: int) -> str:
    """The name of roster row `row` as printed, after its first `skip` non-space characters (the role)."""
    seen = 0
    for index, char in enumerate(row):
        if seen == skip:
            return row[index:].strip(_SPACE)
        if char not in _SPACE:
            seen += 1
    return ""


def _label(label: str, roster: list[_RosterRow], layout: Layout) -> str:
    """The label as `layout` prints it (without marker)."""
    printed = label
    if layout.label != "corpus":
        rewritten = _rewrite(label, roster)
        if rewritten is not None:
            role, name = rewritten
            if layout.label == "role-name":
                name = _WHITESPACE.sub("", name)
            if layout.letter_spaced and len(role) in (2, 3):
                role = " ".join(role)
            printed = f"{role}（{name}君）"
    if layout.half_width_brackets:
        printed = printed.replace("（", "(").replace("）", ")")
    return printed


def _marker(label: str, layout: Layout) -> str:
    """The marker before `label`: DiscussNet style tells the chair, members and officials apart."""
    if layout.marker != "discussnet":
        return layout.marker
    role = re.sub(r"[（(][^）)]*[）)]", "", label)
    if _CHAIR.search(role):
        return "○"
    return "◆" if _MEMBER.search(role) or "番" in role else "◎"


def _header(item: dict, meeting: ImportedMeeting, layout: Layout) -> list[str]:
    """The header as printed: title and date, then the corpus's own header lines with their
    indents (room, time, counts, roster, officials present, 本日の会議に付した事件)."""
    lines = [meeting.title, wareki_date(meeting.date)]
    speeches = item.get("Proceeding") or []
    if not speeches or (speeches[0].get("Speaker") or "").strip() != "null":
        return lines
    for line in (speeches[0].get("Utterance") or "").replace("\r\n", "\n").split("\n"):
        line = line.replace("\t", "").rstrip(_SPACE)
        if not line.strip(_SPACE):
            continue
        if layout.roster_gap and line.endswith("君"):
            for role in _ROSTER_ROLES:
                if line.startswith(role) and not line.startswith(role + "\u3000"):
                    line = role + "\u3000" + line[len(role) :]
                    break
        lines.append(line)
    return lines


def _closing_time(meeting: ImportedMeeting) -> str:
    """A closing line an hour after the opening the header prints: `午後五時散会`."""
    hour = 16
    for line in meeting.preamble:
        match = _OPENING.search(line)
        if match:
            hour = parse_number(match["hour"]) % 12 + (12 if match["ampm"] == "午後" else 0)
            break
    hour = min(hour + 1, 23)
    ampm = "午前" if hour < 12 else "午後"
    return f"{ampm}{kanji_number(hour % 12) or '零'}時散会"


def render(item: dict, layout: Layout | str) -> Rendered:
    """Print the corpus meeting `item` (a dict of a tokyo-assembly file) in `layout`, with the truth."""
    layout = LAYOUTS[layout] if isinstance(layout, str) else layout
    meeting = parse_meeting(item, "render", [])
    if meeting is None:
        raise ValueError(f"meeting {item.get('ProceedingTitle')!r} has no date")
    roster = _roster(meeting.preamble)
    width = 2 * layout.width
    # Each printed line with the index of the utterance it belongs to (-1: header, section,
    # closing) and whether it prints that utterance's label.
    body: list[tuple[str, int, bool]] = [
        (text, -1, False) for line in _header(item, meeting, layout) for text in wrap(line, width, width)
    ]
    truth: list[tuple[str, str]] = []
    spoke: set[str] = set()
    labels: dict[str, str] = {}
    for part in _record(meeting):
        if isinstance(part, _Section):
            first, *rest = part.lines
            body.extend((line, -1, False) for line in wrap(layout.section_mark + first, width, width))
            for line in rest:
                body.extend((text, -1, False) for text in wrap(line, width, width))
            continue
        if part.label not in labels:
            labels[part.label] = _label(part.label, roster, layout)
        label = labels[part.label]
        opener = _marker(label, layout) + label
        direction = ""
        if layout.direction and part.label not in spoke and not _CHAIR.search(part.label):
            direction = layout.direction
        spoke.add(part.label)
        index = len(truth)
        truth.append((_WHITESPACE.sub("", label), direction + "".join(part.paragraphs)))
        separator = layout.separator
        if separator == "" and not opener.endswith((")", "）")):
            separator = "\u3000"
        first, *others = part.paragraphs
        lead = direction + "\u3000" if direction else ""
        if separator == "\n":
            body.append((opener, index, True))
            body.extend((line, index, False) for line in wrap(layout.indent + lead + first, width, width, layout.hang))
        else:
            lead = opener + separator + lead
            lines = wrap(first, width, width - columns(lead), layout.hang)
            body.append((lead + lines[0], index, True))
            body.extend((line, index, False) for line in lines[1:])
        for paragraph in others:
            text = ("\u3000" * 3 if _DIRECTION_LINE.match(paragraph) else layout.indent) + paragraph
            body.extend((line, index, False) for line in wrap(text, width, width, layout.hang))
    if layout.closing and truth:
        body.append(("\u3000" * 3 + _closing_time(meeting), -1, False))
    lines, owners, at = _paginate(body, meeting.title, layout)
    rendered = Rendered(layout.name, meeting.title, meeting.date, "\n".join(lines) + "\n", owners=owners)
    rendered.utterances = [ExpectedUtterance(at[index], label, speech) for index, (label, speech) in enumerate(truth)]
    return rendered


def _page_number(page: int, layout: Layout) -> list[str]:
    """The footer lines of page `page`."""
    number = {"wide": f"－ {page} －", "dash": f" - {page} - ", "bare": str(page)}[layout.footer]
    return ["", number, ""] if layout.footer_blanks else [number]


def _paginate(body: list[tuple[str, int, bool]], title: str, layout: Layout) -> tuple[list[str], list[int], dict[int, int]]:
    """The lines with page furniture every `page_lines` lines, the utterance each line belongs to
    (-1 for none, furniture included), and the line number of each utterance's label."""
    lines: list[str] = []
    owners: list[int] = []
    at: dict[int, int] = {}
    page, on_page, feed = 1, 0, False

    def furniture(texts: list[str]) -> None:
        lines.extend(texts)
        owners.extend([-1] * len(texts))

    for text, owner, is_label in body:
        if layout.page_lines and on_page == layout.page_lines:
            if layout.footer:
                furniture(_page_number(page, layout))
            page, on_page, feed = page + 1, 0, layout.form_feed
            if layout.running_header:
                furniture([("\f" if feed else "") + "\u3000" * 4 + title])
                feed = False
        if feed:
            text, feed = "\f" + text, False
        if is_label:
            at[owner] = len(lines) + 1
        lines.append(text)
        owners.append(owner)
        on_page += 1
    if layout.page_lines and layout.footer and page > 1:
        # The last page is numbered too, without the blank line after it.
        furniture(_page_number(page, layout)[:2] if layout.footer_blanks else _page_number(page, layout))
    return lines, owners, at


# --- evaluation ----------------------------------------------------------------------------------


@dataclass
class Mismatch:
    """One difference between the truth and the import, for debugging."""

    meeting: str
    line: int
    kind: str
    """`refused`, `missing`, `extra`, `label` or `speech`."""
    expected: str
    got: str


@dataclass
class Figures:
    """How the import of one layout went, over all meetings."""

    layout: str
    meetings: int = 0
    refused: int = 0
    without_speech: int = 0
    """Meetings with no utterance at all, refused as they should be (not counted in `refused`)."""
    expected: int = 0
    """Utterances printed."""
    imported: int = 0
    """Utterances the importer found (refused meetings count none)."""
    boundaries: int = 0
    """Imported utterances that start on an expected label line."""
    labels: int = 0
    speeches: int = 0
    seconds: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def boundary_share(self) -> float:
        """Right boundaries over all boundaries: expected ones plus the extra ones found."""
        total = self.expected + (self.imported - self.boundaries)
        return self.boundaries / total if total else 1.0

    @property
    def label_share(self) -> float:
        """Labels right over labels printed."""
        return self.labels / self.expected if self.expected else 1.0

    @property
    def speech_share(self) -> float:
        """Speeches kept character for character over speeches printed."""
        return self.speeches / self.expected if self.expected else 1.0

    @property
    def seconds_per_meeting(self) -> float:
        """Import time per meeting, refused ones included."""
        return self.seconds / self.meetings if self.meetings else 0.0


def speech_text(utterance: ImportedUtterance) -> str:
    """An imported utterance's speech as one string: every part, whitespace removed."""
    return _WHITESPACE.sub("", "".join(part.text for part in utterance.parts))


def compare(rendered: Rendered, meeting: ImportedMeeting, figures: Figures, keep: int = 5) -> None:
    """Add the comparison of one imported meeting with its truth to `figures`."""
    where = f"{rendered.title} ({rendered.date})"
    got = {utterance.line: utterance for utterance in meeting.utterances}
    expected = {utterance.line: utterance for utterance in rendered.utterances}
    figures.expected += len(expected)
    figures.imported += len(got)

    def note(line: int, kind: str, want: str, have: str) -> None:
        if len(figures.mismatches) < keep:
            figures.mismatches.append(Mismatch(where, line, kind, want, have))

    for line, truth in expected.items():
        found = got.get(line)
        if found is None:
            previous = [u for u in meeting.utterances if u.line < line]
            note(line, "missing", f"{truth.label}　{truth.speech[:40]}", f"inside {previous[-1].label}" if previous else "-")
            continue
        figures.boundaries += 1
        if found.label == truth.label:
            figures.labels += 1
        else:
            note(line, "label", truth.label, found.label)
        speech = speech_text(found)
        if speech == _WHITESPACE.sub("", truth.speech):
            figures.speeches += 1
        elif found.label == truth.label:
            note(line, "speech", _diff(_WHITESPACE.sub("", truth.speech), speech), _diff(speech, _WHITESPACE.sub("", truth.speech)))
    for line, found in got.items():
        if line not in expected:
            note(line, "extra", "-", f"{found.label}　{speech_text(found)[:40]}")


def _diff(text: str, other: str) -> str:
    """`text` around the first place it differs from `other`."""
    start = next((i for i, (a, b) in enumerate(zip(text, other)) if a != b), min(len(text), len(other)))
    head = max(0, start - 15)
    return ("…" if head else "") + text[head : start + 25] + f" [at {start} of {len(text)}]"


def evaluate(
    layouts: Iterable[Layout | str],
    meetings: list[dict],
    parse: Callable[[str, str], ImportedMeeting] = parse_pdf_text,
    keep: int = 5,
) -> list[Figures]:
    """Render every meeting in every layout, import it with `parse` and count what came back right.

    A meeting the importer refuses (SourceError, or any exception) counts as refused, with its
    message, and all its utterances as missing; one with no utterance at all (the corpus has
    one, a header alone) may be refused with a SourceError and counts in `without_speech`. `keep` mismatches per layout are kept for debugging."""
    results = []
    for layout in layouts:
        layout = LAYOUTS[layout] if isinstance(layout, str) else layout
        figures = Figures(layout.name)
        for item in meetings:
            rendered = render(item, layout)
            figures.meetings += 1
            started = time.perf_counter()
            try:
                meeting = parse(rendered.text, f"{layout.name}.txt")
            except Exception as error:  # noqa: BLE001 — any failure is a refused meeting, reported
                figures.seconds += time.perf_counter() - started
                if not rendered.utterances and isinstance(error, SourceError):
                    # A meeting whose record has no speech (a header alone) is rightly refused.
                    figures.without_speech += 1
                    continue
                figures.refused += 1
                figures.expected += len(rendered.utterances)
                message = f"{rendered.title} ({rendered.date}): {type(error).__name__}: {error}"
                figures.refusals.append(message)
                if len(figures.mismatches) < keep:
                    figures.mismatches.append(Mismatch(f"{rendered.title} ({rendered.date})", 0, "refused", "", message))
                continue
            figures.seconds += time.perf_counter() - started
            compare(rendered, meeting, figures, keep)
        results.append(figures)
    return results


# --- the script ----------------------------------------------------------------------------------


def table(results: list[Figures]) -> str:
    """The figures as a plain-text table, one row per layout."""
    rows = [("layout", "meetings", "refused", "utterances", "boundaries", "labels", "speeches", "s/meeting")]
    for f in results:
        rows.append(
            (
                f.layout,
                str(f.meetings),
                str(f.refused),
                str(f.expected),
                f"{100 * f.boundary_share:.2f} %",
                f"{100 * f.label_share:.2f} %",
                f"{100 * f.speech_share:.2f} %",
                f"{f.seconds_per_meeting:.4f}",
            )
        )
    widths = [max(columns(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths)))
        for row in rows
    )


def main(argv: list[str]) -> int:
    """Evaluate the importer on the layouts named on the command line and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N dated meetings")
    parser.add_argument("--layouts", help=f"comma-separated, of: {', '.join(LAYOUTS)}")
    parser.add_argument("--mismatches", type=int, default=5, help="mismatches shown per layout (5)")
    parser.add_argument("--only-default", action="store_true", help=f"time the {DEFAULT_LAYOUT} layout only")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / TOKYO_DIR).is_dir():
        print(f"error: {args.corpus / TOKYO_DIR} not found", file=sys.stderr)
        return 2
    names = [DEFAULT_LAYOUT] if args.only_default else (args.layouts.split(",") if args.layouts else list(LAYOUTS))
    unknown = [name for name in names if name not in LAYOUTS]
    if unknown:
        print(f"error: unknown layout(s) {', '.join(unknown)}; known: {', '.join(LAYOUTS)}", file=sys.stderr)
        return 2
    meetings = dated_meetings(args.corpus)[: args.limit]
    results = evaluate(names, meetings, keep=args.mismatches)
    if args.only_default:
        figures = results[0]
        print(
            f"{DEFAULT_LAYOUT}: {figures.meetings} meetings imported in {figures.seconds:.2f} s, "
            f"{figures.seconds_per_meeting * 1000:.2f} ms per meeting ({figures.refused} refused)"
        )
        return 0
    print(table(results))
    for figures in results:
        if not figures.mismatches:
            continue
        print(f"\n{figures.layout}: {LAYOUTS[figures.layout].imitates}")
        for refusal in figures.refusals[:3]:
            print(f"  refused: {refusal}")
        for m in figures.mismatches:
            if m.kind == "refused":
                continue
            print(f"  {m.meeting} line {m.line}: {m.kind}\n    expected: {m.expected}\n    got:      {m.got}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
