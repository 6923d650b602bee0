"""The header block of minutes (名称, 日時, 会場, 出席者, …) read into front-matter fields.

Two layouts are common. Councils print a field name on its own line with the value below
(`名称` / `令和３年度第７回 情報公開・個人情報保護審議会`), or on the same line after a space or
colon. Assemblies print the title and date as the first lines, then numbered sections
(`２ 招集の場所 安平町議会議場`, `３ 出席議員（11名）`) and circled ones (`○ 議 事 日 程`).
Sections that are no field (会議次第, 議事日程, 欠席議員, …) are kept as printed for the preamble;
a field's own name is not kept, since the front matter names it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ..i18n import _
from ..minutes_markdown import CIRCLES
from ..wareki import _NUMBER, ERAS, era_start_year, find_date, parse_number
from .layout import SourceLine, display_width, is_short, join_lines
from .record import SourceNote

_SPACE = " \t\u3000"

# Field names as minutes print them, each mapped to the field it fills. A section whose name is
# not here goes to the preamble.
_FIELD_NAMES: dict[str, str] = {
    "名称": "title", "会議名": "title", "会議の名称": "title", "件名": "title",
    "日時": "date", "開催日時": "date", "開催日": "date", "招集年月日": "date", "期日": "date",
    "開催年月日": "date", "会議日": "date", "発言日": "date", "質問日": "date", "質疑・質問日": "date",
    "会場": "venue", "場所": "venue", "開催場所": "venue", "招集の場所": "venue",
    "出席者": "attendees", "出席委員": "attendees", "出席議員": "attendees", "出席": "attendees",
    "傍聴者": "observers", "傍聴人": "observers", "傍聴": "observers",
    "配付資料": "materials", "配布資料": "materials", "資料": "materials",
    "会議次第": "agenda", "次第": "agenda", "議事日程": "agenda", "議題": "agenda", "日程": "agenda",
}  # fmt: skip
_NUMBER_PREFIX = re.compile(rf"[0-9０-９]{{1,2}}(?:[.．、][{_SPACE}]*|[{_SPACE}]+)(?![番号名])")
_COUNT = re.compile(r"[（(][0-9０-９]+\s*[名人][）)]")
_CIRCLED_SECTION = re.compile(rf"[{CIRCLES}◎●■][{_SPACE}]+(?P<name>\S.*)$")
_DOCUMENT = re.compile(
    rf"(?P<title>.*?)[{_SPACE}]*(?:会議録|議事録|会議要旨|会議要録|速記録)(?:[（(]第?[0-9０-９一二三四五六七八九十]+号[）)])?$"
)
_TIME = re.compile(
    r"(?P<ampm>午前|午後)?[\s]*(?:(?P<h>[0-9０-９]{1,2}|[〇一二三四五六七八九十]{1,3})[\s]*時[\s]*"
    r"(?:(?P<m>[0-9０-９]{1,2}|[〇一二三四五六七八九十]{1,3})[\s]*分|(?P<half>半))?"
    r"|(?P<hh>[0-9０-９]{1,2})[:：](?P<mm>[0-9０-９]{2}))"
)
_WESTERN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_YEAR = re.compile(rf"(?P<era>{'|'.join(era.name for era in ERAS)})\s*(?P<year>{_NUMBER})\s*年")
_MONTH_DAY = re.compile(rf"(?<![0-9０-９〇零一二三四五六七八九十])(?P<month>{_NUMBER})\s*月\s*(?P<day>{_NUMBER})\s*日")
# `2013.03.26`, `2013/03/26`, `2013-03-26` (議事ロックス and other search systems), and the
# month-first `09/19/2012` some prefectures' search pages print.
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?!\d)")
_MONTH_FIRST_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
# The Western year printed beside the era's: `令和7年(2025年)1月24日`, `令和7(2025)年1月24日`.
_YEAR_IN_BRACKETS = re.compile(r"(?<=年)\s*[（(]\s*\d{4}\s*年?\s*[）)]|\s*[（(]\s*\d{4}\s*[）)]\s*(?=年)")
# A date that opens a range (`平成27年6月8日〜6月29日`, a session's days or a breadcrumb), not a meeting's day.
_RANGE_AFTER_DATE = re.compile(r"日\s*(?:[（(][^）)]{1,4}[）)])?\s*[〜~～]")
_CIRCLE_BEFORE_FIELD = re.compile(rf"[{CIRCLES}◎●■]")
# A section title after a circle: short, one word, not a sentence nor a speaker (`君`, brackets).
_SECTION_TITLE = re.compile(rf"[^{_SPACE}。、君（(]{{2,20}}")
_SEAT = re.compile(rf"(?P<seat>[0-9０-９]{{1,3}}[{_SPACE}]*番)[{_SPACE}]+(?P<name>.+?)(?=[{_SPACE}]+[0-9０-９]{{1,3}}[{_SPACE}]*番|$)")
_COLUMN_HEADING = re.compile(r"番号|氏名|議席|名前")
_GROUP = re.compile(r"[（(](?P<group>[^）)]{1,12})[）)]")
_ENUMERATOR_TEXT = re.compile(rf"^(?:[0-9０-９]{{1,2}}[{_SPACE}]+|[（(][0-9０-９一二三四五六七八九十]{{1,2}}[）)])")
# An entry that starts a new item of a list rather than continuing the line before it.
_ENUMERATOR = re.compile(rf"[{_SPACE}]*(?:[0-9０-９]|[（(][0-9０-９一二三四五六七八九十]|日程第|第[0-9０-９一二三四五六七八九十]|[{CIRCLES}◎●■・＜<※])")


# Longest names first, so that 会議次第 is not read as 次第 after 会議; a name may be letter-spaced
# (`名 称`) and carry a count (`出席議員（11名）`).
_FIELD_PATTERNS = [
    re.compile(
        rf"(?P<name>{f'[{_SPACE}]*'.join(re.escape(char) for char in name)}(?:[{_SPACE}]*{_COUNT.pattern})?)"
        rf"(?:[{_SPACE}]*[:：][{_SPACE}]*|[{_SPACE}]+|$)(?P<value>.*)$"
    )
    for name in sorted(_FIELD_NAMES, key=len, reverse=True)
]


@dataclass
class Header:
    """What the header block says, field by field, and the rest of it for the preamble."""

    title: str | None = None
    date: dt.date | None = None
    date_line: int | None = None
    """The line the date was read from."""
    date_field: str | None = None
    """The name of the field the date was read from (`開催日時`), None when it stood in the first lines."""
    times: list[str] = field(default_factory=list)
    """Start (and end) time as `HH:MM`, in the order printed."""
    venue: str | None = None
    attendees: dict[str, list[str]] = field(default_factory=dict)
    observers: str | int | None = None
    materials: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    """The entries of the 会議次第 or 議事日程, to confirm the record's numbered headings."""
    notes: list[SourceNote] = field(default_factory=list)
    section_lines: set[int] = field(default_factory=set)
    """The numbers of the lines that open a field or section (`日時`, `〇場所`, `○ 議 事 日 程`), whatever mark they carry."""


@dataclass
class _Section:
    name: str
    """The section's title as printed (a field name, or the line itself for other sections)."""
    kind: str
    """The field it fills (`title`, `date`, …), `agenda`, or `other` (kept for the preamble)."""
    line: SourceLine
    lines: list[SourceLine] = field(default_factory=list)
    value: str = ""
    """Text after the field name on the section's first line."""


def read_header(lines: list[SourceLine], wrap: int) -> Header:
    """Read the header block `lines` (everything before the record) into fields and preamble paragraphs."""
    header = Header()
    sections: list[_Section] = []
    lead: list[SourceLine] = []
    lines, rows = _columns_as_rows(lines, header)
    for index, line in enumerate(lines):
        content = line.content
        document = _DOCUMENT.fullmatch(content.strip(_SPACE)) or _DOCUMENT.fullmatch(_compact(content))
        if index == 0 and document:
            title = document["title"].strip(_SPACE)
            if title:
                header.title = title
                header.notes.append(SourceNote(line.number, _("title read from the document's first line: {title}").format(title=title), "note"))
            else:
                header.notes.append(
                    SourceNote(line.number, _("dropped the document heading {content!r}: the title comes from the header's fields").format(content=content), "note")
                )
            continue
        section = _section_start(line, sections[-1] if sections else None, line.number in rows)
        if section is not None:
            sections.append(section)
            header.section_lines.add(line.number)
        elif sections:
            sections[-1].lines.append(line)
        else:
            lead.append(line)

    lead_date: tuple[dt.date, SourceLine] | None = None
    for line in lead:
        date = _date_of(line.content) if lead_date is None and not _RANGE_AFTER_DATE.search(line.content) else None
        if date is not None:
            # Assemblies print the date (and opening time) under the title, with no field name.
            lead_date = (date, line)
        else:
            header.preamble.extend(_paragraphs([line], wrap))
    for section in sections:
        _read_section(section, header, wrap)
    if lead_date is not None:
        date, line = lead_date
        if header.date in (None, date):
            header.date, header.date_line = date, header.date_line or line.number
            # Assemblies print the opening time beside the date: `令和６年１月29日（月曜日） 午前10時00分開会`.
            header.times = header.times or times_in(line.content)
        else:
            # A field named 日時 says what it holds; a date in the first lines may be a page's
            # update date or a breadcrumb (`[2021年6月23日]`).
            header.notes.append(SourceNote(line.number, _("{text!r} gives {date}, the {field} field {field_date}: kept {field_date}").format(text=line.content.strip(_SPACE), date=date, field=header.date_field, field_date=header.date)))
    if header.date is None:
        _read_split_date(lines, header)
    return header


def _read_split_date(lines: list[SourceLine], header: Header) -> None:
    """The date of a header that prints the era's year apart from the month and day.

    `平成27年  9月 定例会(第3回) 09月17日−12号` (a session's title, then the day), or the year in the
    title line and the day below it (`平成二十七年 渋谷区議会会議録 第十二号` / `九月十七日(木)`):
    the first day printed on the year's line or the three lines after it.
    """
    for index, line in enumerate(lines):
        year = _ERA_YEAR.search(line.content)
        if year is None:
            continue
        rest = [line.content[year.end() :]] + [following.content for following in lines[index + 1 : index + 4]]
        for number, text in enumerate(rest):
            day = _MONTH_DAY.search(text)
            if day is None:
                continue
            try:
                date = dt.date(era_start_year(year["era"]) + parse_number(year["year"]) - 1, parse_number(day["month"]), parse_number(day["day"]))
            except ValueError:
                return
            header.date, header.date_line = date, line.number
            where = line.number if number == 0 else lines[index + number].number
            header.notes.append(SourceNote(where, _("date read from the year on line {line} and the day on line {where}: {date}").format(line=line.number, where=where, date=date), "note"))
            return


def _section_start(line: SourceLine, current: _Section | None, row: bool = False) -> _Section | None:
    content = line.content.strip(_SPACE)
    numbered = _NUMBER_PREFIX.match(content)
    body = content[numbered.end() :] if numbered else content
    name, value = _field_name(body)
    if name is None and _CIRCLE_BEFORE_FIELD.match(body):
        # Committees print field names after a circle, with no space: `〇日時`, `○場所`, and
        # then other sections in the same way (`〇理事者側出席者`, `〇本日審査した案件`).
        name, value = _field_name(body[1:])
        if name is None and current is not None and _CIRCLE_BEFORE_FIELD.match(current.line.content.strip(_SPACE)):
            if _SECTION_TITLE.fullmatch(body[1:]):
                return _Section(content, "other", line)
    if name is not None:
        return _Section(name, _FIELD_NAMES[_compact(_COUNT.sub("", name))], line, value=value)
    if row:
        # A row of a table read from its columns (`合併協議会委員数　28名`) stands on its own.
        return _Section(content, "other", line)
    circled = _CIRCLED_SECTION.match(content)
    if circled:
        kind = "agenda" if _compact(circled["name"]) in ("議事日程", "会議次第") else "other"
        return _Section(content, kind, line)
    # The sections of a numbered header go on after its last field (`４ 欠席議員（１名）`); inside
    # a 会議次第, numbered lines are its entries.
    if numbered and current is not None and current.kind != "agenda":
        return _Section(content, "other", line)
    return None


def _field_name(text: str) -> tuple[str | None, str]:
    """The field name that opens `text` (letter-spaced or not) and the value after it."""
    for pattern in _FIELD_PATTERNS:
        match = pattern.match(text)
        if match:
            return match["name"], match["value"].strip(_SPACE)
    return None, ""


def _read_section(section: _Section, header: Header, wrap: int) -> None:
    values = ([section.value] if section.value else []) + [line.content.strip(_SPACE) for line in section.lines]
    joined = ""
    for value in values:
        joined = join_lines(joined, value)
    kind = section.kind
    if kind == "title":
        header.title = joined
    elif kind == "date":
        date = _date_of(joined)
        if date is None:
            # A field printed with no value may have it below, in a column of values: read later.
            if joined:
                header.notes.append(SourceNote(section.line.number, _("no date found in {joined!r}").format(joined=joined)))
        elif header.date is not None and header.date != date:
            header.notes.append(SourceNote(section.line.number, _("{joined!r} gives {date}, an earlier field {field_date}: kept {field_date}").format(joined=joined, date=date, field_date=header.date)))
        else:
            header.date, header.date_line, header.date_field = date, section.line.number, _compact(_COUNT.sub("", section.name))
        if not header.times:
            header.times.extend(times_in(joined))
    elif kind == "venue":
        header.venue = joined
    elif kind == "observers":
        header.observers = _observers(joined)
    elif kind == "materials":
        header.materials.extend(value for value in values if value)
    elif kind == "attendees":
        group = _compact(_COUNT.sub("", section.name))
        if not _attendees(section, group, header):
            header.preamble.extend([section.line.content.strip(_SPACE), *_paragraphs(section.lines, wrap)])
    else:
        header.preamble.extend([section.line.content.strip(_SPACE), *_paragraphs(section.lines, wrap)])
        if kind == "agenda":
            header.agenda.extend(_paragraphs(section.lines, wrap))


def _attendees(section: _Section, group: str, header: Header) -> bool:
    """Read an attendee list; False when its layout is not one this reader knows (kept as printed)."""
    lines = ([section.value] if section.value else []) + [line.content.strip(_SPACE) for line in section.lines]
    seated = [line for line in lines if _SEAT.search(line)]
    if seated:
        # `議席番号` and the like head the table's column; the seat is kept with each name.
        for line, source in zip(lines, ([section.line] if section.value else []) + section.lines):
            if not _SEAT.search(line):
                # `議席番号`, `氏名` head the columns; any other line without a seat is a line lost.
                kind = "note" if _COLUMN_HEADING.search(line) else "warning"
                header.notes.append(SourceNote(source.number, _("dropped the column heading {line!r} of the attendee table").format(line=line), kind))
                continue
            entries = header.attendees.setdefault(group, [])
            for match in _SEAT.finditer(line):
                entries.append(f"{_compact(match['seat'])} {_compact(match['name'])}")
        return True
    text = ""
    for line in lines:
        text = join_lines(text, line)
    groups = list(_GROUP.finditer(text))
    if groups and text.startswith(groups[0].group()):
        for position, match in enumerate(groups):
            end = groups[position + 1].start() if position + 1 < len(groups) else len(text)
            header.attendees.setdefault(match["group"], []).extend(_names(text[match.end() : end]))
        return True
    if re.search(r"[、,，]", text):
        header.attendees.setdefault(group, []).extend(_names(text))
        return True
    return False


def _names(text: str) -> list[str]:
    """Names in a list separated by `、`; letter-spaced names (`工 藤 秀 一`) are joined."""
    return [_compact(name) for name in re.split(r"[、,，]", text) if name.strip(_SPACE)]


def _observers(text: str) -> str:
    """The number of observers as printed (`０名`): the record's own characters, not a count."""
    return text.strip()


def _paragraphs(lines: list[SourceLine], wrap: int) -> list[str]:
    """Header lines as preamble paragraphs, kept as printed: one per line, wrapped lines joined.

    A header prints lists and tables more narrowly than the record, so a line counts as wrapped
    when it is about as wide as the widest of its section and the next line starts no new entry.
    Lines with spaces inside are table rows (`町 長 及 川 秀一郎`) and are never joined.
    """
    if len(lines) >= 3:
        wrap = max(line.width for line in lines)
    paragraphs: list[str] = []
    previous: SourceLine | None = None
    for line in lines:
        content = line.content.strip(_SPACE)
        if (
            paragraphs
            and previous is not None
            and not is_short(display_width(previous.text), wrap)
            and not re.search(rf"\S[{_SPACE}]+\S", _ENUMERATOR_TEXT.sub("", previous.content.strip(_SPACE)))
            and not _ENUMERATOR.match(content)
        ):
            paragraphs[-1] = join_lines(paragraphs[-1], content)
        else:
            paragraphs.append(content)
        previous = line
    return paragraphs


def _columns_as_rows(lines: list[SourceLine], header: Header) -> tuple[list[SourceLine], set[int]]:
    """`lines` with a table printed as a column of field names, then a column of values, read as rows.

    `開催年月日` / `開催場所` / `開　会` and below them `平成17年3月27日` / `○○センター` / `午後2時00分`
    become `開催年月日　平成17年3月27日`, …, each at its name's line. A run is taken as such a
    table only when it starts with a field name, holds a date field and the line paired with it
    is a date, so that fields printed one under the other with empty values are not paired with
    what follows them. Returns the lines and the numbers of the lines that are rows of a table.
    """
    result: list[SourceLine] = []
    rows: set[int] = set()
    index = 0
    while index < len(lines):
        names = _column_of_names(lines, index)
        values = lines[index + len(names) : index + 2 * len(names)]
        if names and len(values) == len(names):
            for name, value in zip(names, values):
                result.append(SourceLine(name.number, f"{name.content}\u3000{value.content.strip(_SPACE)}", name.blank_before, name.page_break_before))
                rows.add(name.number)
            header.notes.append(
                SourceNote(
                    names[0].number,
                    _("read lines {first}–{last} as a table: a column of {count} field names, then their values").format(
                        first=names[0].number, last=values[-1].number, count=len(names)
                    ),
                    "note",
                )
            )
            index += 2 * len(names)
        else:
            result.append(lines[index])
            index += 1
    return result, rows


def _column_of_names(lines: list[SourceLine], start: int) -> list[SourceLine]:
    """The column of field names that starts at `start` and whose values follow it, or an empty list."""
    if _FIELD_NAMES.get(_compact(lines[start].content)) is None:
        return []
    end = start
    while end < len(lines) and _bare_name(lines[end].content):
        end += 1
    names = lines[start:end]
    values = lines[end : end + len(names)]
    kinds = [_FIELD_NAMES.get(_compact(line.content)) for line in names]
    if len(names) < 2 or len(values) < len(names) or "date" not in kinds:
        return []
    if any(_FIELD_NAMES.get(_compact(line.content)) for line in values):
        return []
    return names if _date_of(values[kinds.index("date")].content) is not None else []


def _bare_name(text: str) -> bool:
    """Whether `text` is a field name standing alone, as a column of names prints it: short, with no number."""
    compact = _compact(text)
    return 0 < len(compact) <= 10 and not re.search(r"[0-9０-９、。,:：]", compact) and _date_of(compact) is None


def _date_of(text: str) -> dt.date | None:
    """The first date printed in `text`: 和暦 (with or without the Western year beside it), or Western."""
    text = _YEAR_IN_BRACKETS.sub("", text)
    try:
        date = find_date(text)
    except ValueError:
        date = None
    if date is not None:
        return date
    text = unicodedata.normalize("NFKC", text)
    for pattern, order in ((_WESTERN_DATE, (1, 2, 3)), (_NUMERIC_DATE, (1, 3, 4)), (_MONTH_FIRST_DATE, (3, 1, 2))):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(*(int(match[group]) for group in order))
            except ValueError:
                return None
    return None


def times_in(text: str) -> list[str]:
    """The clock times in `text` as `HH:MM` (午後２時 → 14:00; 午後２時から５時 → 14:00, 17:00)."""
    times: list[str] = []
    afternoon = False
    for match in _TIME.finditer(text):
        if match["hh"]:
            hour, minute = int(unicodedata.normalize("NFKC", match["hh"])), int(unicodedata.normalize("NFKC", match["mm"]))
        else:
            if match["ampm"]:
                afternoon = match["ampm"] == "午後"
            hour = parse_number(match["h"])
            minute = 30 if match["half"] else parse_number(match["m"]) if match["m"] else 0
            if afternoon and hour < 12:
                hour += 12
        if hour <= 24 and minute < 60:
            times.append(f"{hour:02d}:{minute:02d}")
    return times


def _compact(text: str) -> str:
    return re.sub(rf"[{_SPACE}]+", "", text)
