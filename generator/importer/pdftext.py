"""The PDF-text importer: the text of a minutes PDF (or the Word file behind it) as an `ImportedMeeting`.

The text is read in four steps: the page (`layout`: page numbers out, wrap width measured),
the speaker labels (`labels`: circled or bare, decided for the whole document), the header block
(`header`: fields and preamble), and the record, read here line by line into headings, stage
directions and utterances whose wrapped lines are joined into paragraphs. Decisions are then
read from the record (`decisions`). Nothing of the record is dropped but page furniture, and
every line that was dropped, or looked like a label and was not taken, or was guessed at, is
reported as a `SourceNote` with its line number.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

from ..i18n import N_, _
from ..minutes_markdown import CIRCLES, is_stage_direction
from ..wareki import parse_number
from .decisions import find_decisions
from .encoding import decode_source
from .errors import SourceError
from .header import Header, read_header, times_in
from .headings import (
    HeadingMatch,
    leading_stage_direction,
    looks_numbered,
    marked_heading,
    numbered_heading,
    same_heading,
    stage_direction,
)
from .label_shapes import MARKERS, MEMBER_MARKERS, OFFICIAL_MARKERS, is_bare_name, shape
from .labels import LabelMatch, Labels, find_labels, join_split_labels, split_heading_labels
from .rosters import may_be_speech, roster_rest
from .layout import SourceLine, ends_sentence, is_short, join_lines, pushed_down, read_page, wrap_width
from .record import (
    ImportedBlock,
    ImportedHeading,
    ImportedMeeting,
    ImportedParagraph,
    ImportedStageDirection,
    ImportedUtterance,
    NoteKind,
    SourceNote,
)

__all__ = ["decode_source", "parse_pdf_text", "body_title_of"]

_SPACE = " \t\u3000"
# What follows the last speech: the closing mark `以　上`, the closing time, the certification.
_CLOSING = re.compile(
    rf"[{_SPACE}]*(?:以[{_SPACE}]*上[{_SPACE}]*$"
    rf"|[〔（(]?[{_SPACE}]*(?:閉[{_SPACE}]*会|散[{_SPACE}]*会|閉[{_SPACE}]*議)[{_SPACE}]*(?:午前|午後|[0-9０-９])"
    rf"|[〔（(]?[{_SPACE}]*(?:午前|午後)[{_SPACE}]*[0-9０-９〇零一二三四五六七八九十]+時[0-9０-９〇零一二三四五六七八九十分半{_SPACE}]*(?:散会|閉会|閉議|延会)"
    r"|会議の経過を記載|この会議録|上記のとおり相違)"
)
_SESSION = re.compile(
    r"^(?:(?:令和|平成|昭和)\s*(?:[0-9０-９]+|元|[一二三四五六七八九十]+)\s*年度?)?\s*"
    r"(?:第\s*[0-9０-９一二三四五六七八九十]+\s*回)?\s*"
)
_SESSION_END = re.compile(r"\s*(?:第\s*[0-9０-９一二三四五六七八九十]+\s*回)?\s*(?:定例会|臨時会|会議録|議事録)?$")


def parse_pdf_text(text: str, source_name: str, date: dt.date | None = None) -> ImportedMeeting:
    """Read the decoded text of a minutes PDF into one meeting: header fields, preamble, record, decisions.

    `date` is the meeting's date as staff give it (`minutes import --date`), for minutes that
    print none: it is kept, and a header that prints another date gets a warning. Without it,
    the date is the header's, else the one the file is named by (`2015-03-10.txt`, `20150310.txt`).
    Raises SourceError when no line opens an utterance, or when no meeting date can be found.
    """
    page = read_page(text)
    notes = list(page.notes)
    page.lines = join_split_labels(page.lines, notes)
    labels = find_labels(page.lines)
    if labels is not None:
        page.lines = split_heading_labels(page.lines, labels, notes)
    matches = [labels.match(line) for line in page.lines] if labels is not None else [None] * len(page.lines)
    if labels is not None:
        _drop_speechless(page.lines, matches, labels, notes)
    label_at = [index for index, match in enumerate(matches) if match is not None]
    if not label_at:
        return _without_speech(page.lines, source_name, notes, date)
    first = label_at[0]
    # Headings: ◎ marks where the record has them; numbered lines only in minutes with bare
    # labels, since assemblies print numbered header sections and bill clauses, not headings.
    marked = any(marked_heading(line.text) for line in page.lines[first:]) or labels.style == "marked"
    start = _record_start(page.lines, first, marked)

    body_widths = [line.width for line, match in zip(page.lines[start:], matches[start:]) if match is None]
    # Only labels followed by speech show where their lines wrap; a direction is never wrapped.
    label_widths = [
        page.lines[index].width
        for index in label_at
        if matches[index].rest and stage_direction(matches[index].rest) is None
    ]
    wrap = wrap_width(body_widths)
    label_wrap = wrap_width(label_widths) if len(label_widths) >= 5 else wrap

    header = read_header(page.lines[:start], wrap)
    notes.extend(header.notes)
    notes.append(SourceNote(page.lines[start].number, _("the record starts here: the lines before it are read as the header"), "note"))
    for line in page.lines[:start]:
        # A circled header line (`○ 議 事 日 程`) looks like a speaker and is none.
        if line.content[:1] in MARKERS and not marked_heading(line.text):
            miss = labels.near_miss(line)
            # A circle and a space open a section title, a circle before a field name (`〇日時`)
            # a field or section, and a label line already dropped as a roster row is reported
            # there; any other marked line may be a speaker missed.
            sure = miss is None or line.content[1:2] in _SPACE or line.number in header.section_lines
            miss = miss or _("{content} in the header: read as a header line, not a speaker").format(content=line.content[:1])
            notes.append(SourceNote(line.number, miss, "note" if sure else "warning"))
    reader = _RecordReader(labels, marked, wrap, label_wrap, page.double_spaced, header.agenda, notes)
    blocks = reader.read(page.lines[start:], matches[start:], last_label=label_at[-1] - start)
    meeting = _meeting_from_header(header, page.lines[start].number, reader.closing_lines, source_name, notes, date)
    meeting.blocks = blocks
    meeting.speakers = _sides(meeting.utterances, notes)
    meeting.decisions, decision_notes = find_decisions(blocks)
    notes.extend(decision_notes)
    meeting.notes = sorted(notes, key=lambda note: note.line)
    return meeting


def _without_speech(lines: list[SourceLine], source_name: str, notes: list[SourceNote], date: dt.date | None) -> ImportedMeeting:
    """A meeting whose record holds no speech (`〔会議を開くに至らなかった〕`): its header alone.

    Text with no speaker and no date is not minutes at all, and is refused.
    """
    header = read_header(lines, wrap_width([line.width for line in lines]))
    if header.date is None or not lines:
        raise SourceError(
            _(
                "no speaker found: not one line opens with a speaker label such as `○議長（山田太郎君）　…` "
                "or `会長  …` (a role followed by spaces), and no meeting date either; is this the text of minutes?"
            )
        )
    notes.extend(header.notes)
    notes.append(SourceNote(lines[0].number, _("no speaker found: the whole text is read as the header of a meeting without speech")))
    meeting = _meeting_from_header(header, lines[-1].number + 1, [], source_name, notes, date)
    meeting.notes = sorted(notes, key=lambda note: note.line)
    return meeting


def _drop_speechless(lines: list[SourceLine], matches: list[LabelMatch | None], labels: Labels, notes: list[SourceNote]) -> None:
    """Keep only the labels that open a speech: a roster or header line never speaks.

    A label alone on its line opens an utterance only when its speech follows on the next line;
    several such lines in a row are a roster (`委員長　中村明彦君` / `副委員長　泉谷つよし君`), and a
    label followed by nothing but names (`委員　山田太郎君　鈴木花子君`) is a row of one.
    Before the first speech such lines are the header's rosters (a note); inside the record, a
    line dropped so may be a speech lost (a warning).
    """
    index = 0
    speaking = False
    dropped: set[int] = set()
    while index < len(matches):
        match = matches[index]
        if match is None:
            index += 1
            continue
        kind: NoteKind = "warning" if speaking else "note"
        if match.rest:
            if roster_rest(match.rest, labels.style, match.label):
                matches[index] = None
                dropped.add(index)
                notes.append(SourceNote(lines[index].number, _("{label} followed by names only: a roster line, not a speaker").format(label=match.label), kind))
            elif index + 1 < len(lines) and lines[index + 1].content.rstrip().endswith("殿") and len(match.rest) <= 10:
                # `予算特別委員長　本橋ひろたか` over `東京都議会議長　石川良一殿`: a report's signature.
                matches[index] = None
                notes.append(SourceNote(lines[index].number, _("{label} signs a document addressed on the next line: not a speaker").format(label=match.label), kind))
            else:
                speaking = True
            index += 1
            continue
        run = index
        while run < len(matches) and matches[run] is not None and not matches[run].rest:
            run += 1
        following = lines[run] if run < len(lines) else None
        after = lines[run + 1] if run + 1 < len(lines) else None
        # `…特別委員長` / `いのつめまさみ` / `東京都議会議長` (…殿): a report's signature and addressee.
        signature = (
            following is not None and after is not None and is_bare_name(following.content)
            and (after.content.rstrip().endswith("殿") or shape(after.content.strip()) == "role")
        )
        speech_follows = (
            run == index + 1
            and not signature
            and following is not None
            and matches[run] is None
            and marked_heading(following.text) is None
            and may_be_speech(following.text)
            and not labels.candidates_of(following.text)
            and not (labels.style == "bare" and numbered_heading(following.text))
        )
        if not speech_follows:
            for position in range(index, run):
                label = matches[position].label
                matches[position] = None
                dropped.add(position)
                why = _("a roster or header line") if run - index > 1 else _("no speech follows it")
                notes.append(SourceNote(lines[position].number, _("{label} alone on its line: {why}, not a speaker").format(label=label, why=why), kind))
        speaking = speaking or speech_follows
        index = run
    _drop_roster_neighbours(lines, matches, labels, dropped, notes)


def _drop_roster_neighbours(
    lines: list[SourceLine], matches: list[LabelMatch | None], labels: Labels, dropped: set[int], notes: list[SourceNote]
) -> None:
    """Drop a label followed by a name alone (`文化・都市交流担当部長　植竹ゆかり`) between roster lines.

    A name with hiragana reads like a short speech on its own; beside the rows of a roster it is one more row.
    """

    def roster_line(index: int) -> bool:
        if index in dropped:
            return True
        if not 0 <= index < len(lines) or matches[index] is not None:
            return False
        return any(c.rest and is_bare_name(c.rest) for c in labels.candidates_of(lines[index].text))

    for index, match in enumerate(matches):
        if match is None or not is_bare_name(match.rest):
            continue
        if roster_line(index - 1) or roster_line(index + 1):
            matches[index] = None
            dropped.add(index)
            notes.append(SourceNote(lines[index].number, _("{label} followed by a name, between roster lines: a roster line, not a speaker").format(label=match.label), "note"))


# What follows a speaker label used as a word of a sentence (`委員、お願いします`, `区側の管理…`).
_IN_SENTENCE = re.compile(r"[、。，．,.がのにをはもへとで]|から")


def _near_miss_kind(line: SourceLine, labels: Labels) -> NoteKind:
    """Whether a line of the record that looks like a speaker and was not read as one is a warning.

    Only one case is sure: in minutes with bare labels, a known label that punctuation or a
    particle continues is a word of the sentence (`委員のご質問にありました…`). A marked line
    read as no speaker, or a label run into other text, may be a speech lost.
    """
    if labels.style == "marked":
        return "warning"
    text = line.content
    for label in sorted(labels.labels, key=len, reverse=True):
        if text.startswith(label):
            return "note" if _IN_SENTENCE.match(text, len(label)) else "warning"
    return "warning"


def _sides(utterances: list[ImportedUtterance], notes: list[SourceNote]) -> dict[str, dict[str, str]]:
    """The `side` of each label printed with ◆ (a member) or ◎ (an official), for the `speakers:` map.

    Only minutes that print both marks use them so: others print ◎ for the chair (鳥取県議会:
    ◎ the chair, ○ members, ● officials), which says nothing about the side.
    """
    sides: dict[str, dict[str, str]] = {}
    printed = {utterance.marker for utterance in utterances}
    if not (printed & set(MEMBER_MARKERS) and printed & set(OFFICIAL_MARKERS)):
        return sides
    for utterance in utterances:
        marker = utterance.marker
        side = "member" if marker and marker in MEMBER_MARKERS else "official" if marker and marker in OFFICIAL_MARKERS else None
        if side is None:
            continue
        known = sides.setdefault(utterance.label, {"side": side})
        if known["side"] != side:
            notes.append(SourceNote(utterance.line, _("{label} is printed as {printed} here but as {before} before: kept {kept}").format(label=utterance.label, printed=_(_A[side]), before=_(_A[known['side']]), kept=known['side'])))
    return sides


_A = {"member": N_("a member"), "official": N_("an official")}


def body_title_of(title: str) -> str | None:
    """The body's name in a meeting's title, without the session.

    `令和３年度第７回 情報公開・個人情報保護審議会` → `情報公開・個人情報保護審議会`;
    `令和６年第１回安平町議会臨時会` → `安平町議会`.
    """
    name = _SESSION.sub("", title.strip(_SPACE))
    name = _SESSION_END.sub("", name).strip(_SPACE)
    return name or None


def _record_start(lines: list[SourceLine], first_label: int, marked: bool) -> int:
    """Where the record begins: the first speaker, and the headings and directions just before it.

    Numbered headings are taken back only while their numbers go down, so that the last
    entries of a 会議次第 printed right before the record stay in the header.
    """
    start = first_label
    number: int | None = None
    while start > 0:
        line = lines[start - 1]
        if stage_direction(line.text):
            start -= 1
            continue
        heading = marked_heading(line.text) if marked else numbered_heading(line.text)
        if heading is None:
            break
        if heading.numbered and heading.level == 2:
            key = parse_number(re.match(r"[0-9０-９一二三四五六七八九十]+", heading.text).group())
            if number is not None and key >= number:
                break
            number = key
        start -= 1
    return start


def _title_of_file_name(stem: str) -> str:
    """A file name as a title: bytes that were not UTF-8 (kept as lone surrogates) become U+FFFD, control characters a space.

    Linux allows both in a name; written into the front matter they would be refused by
    `minutes check` (or stop the build), though the minutes themselves are fine.
    """
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", re.sub(r"[\ud800-\udfff]", "\ufffd", stem)).strip()
    return text or "\ufffd"


def _meeting_from_header(
    header: Header,
    record_line: int,
    closing_lines: list[SourceLine],
    source_name: str,
    notes: list[SourceNote],
    given_date: dt.date | None = None,
) -> ImportedMeeting:
    """The meeting's front-matter fields and preamble, from the header (and the closing time)."""
    title = header.title
    if not title:
        title = _title_of_file_name(PurePath(source_name).stem)
        notes.append(SourceNote(1, _("no 名称 or title line found: the title is the file's name, {title}").format(title=title)))
    date = _meeting_date(header, given_date, source_name, record_line, notes)
    times = list(header.times)
    if len(times) == 1:
        # Assemblies print the opening time in the header and the closing time after the record.
        for line in closing_lines:
            if re.search(r"閉\s*会|散\s*会|閉\s*議", line.text) and times_in(line.text):
                times.append(times_in(line.text)[-1])
                notes.append(SourceNote(line.number, _("end time read from {content!r}").format(content=line.content), "note"))
                break
    return ImportedMeeting(
        title=title,
        date=date,
        body_title=body_title_of(title),
        time="-".join(times[:2]) if times else None,
        venue=header.venue,
        attendees=header.attendees or None,
        observers=header.observers,
        materials=header.materials,
        preamble=header.preamble,
    )


# A date in a file's name: `2015-03-10.txt`, `20150310.txt`, `kaigi_2015-03-10.txt`.
_NAMED_DATE = re.compile(r"(?<!\d)(\d{4})(-?)(\d{2})\2(\d{2})(?!\d)")


def _meeting_date(header: Header, given: dt.date | None, source_name: str, record_line: int, notes: list[SourceNote]) -> dt.date:
    """The meeting's date: the one staff gave, else the header's, else the file name's; SourceError when there is none.

    A date given with `--date` wins over the header's: staff give it after reading the minutes,
    and it is the only way to correct a date the header reader got wrong.
    """
    if given is not None:
        if header.date is not None and header.date != given:
            notes.append(SourceNote(header.date_line or 0, _("the header gives the date {field_date}, --date {given}: kept {given}").format(field_date=header.date, given=given)))
        elif header.date is None:
            notes.append(SourceNote(0, _("date given with --date: {given} (the header prints none)").format(given=given), "note"))
        return given
    if header.date is not None:
        return header.date
    named = date_in_name(source_name)
    if named is not None:
        notes.append(SourceNote(0, _("no date in the header: the date is the one the file is named by, {named}").format(named=named)))
        return named
    raise SourceError(
        _(
            "no meeting date found in the header (the text before line {line}, where the record starts) "
            "nor in the file's name: give it with --date YYYY-MM-DD, or name the file by the date, e.g. 2015-03-10.txt"
        ).format(line=record_line)
    )


def date_in_name(source_name: str) -> dt.date | None:
    """The date a source file is named by (`2015-03-10.txt`, `20150310.txt`), or None."""
    for match in _NAMED_DATE.finditer(PurePath(source_name).stem):
        try:
            return dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            continue
    return None


class _RecordReader:
    """Reads the record's lines into blocks, keeping the state of the open utterance and paragraph."""

    def __init__(
        self,
        labels: Labels,
        marked: bool,
        wrap: int,
        label_wrap: int,
        double_spaced: bool,
        agenda: list[str],
        notes: list[SourceNote],
    ):
        self.labels = labels
        self.marked = marked
        self.wrap = wrap
        self.label_wrap = label_wrap
        self.double_spaced = double_spaced
        self.agenda = agenda
        self.notes = notes
        self.blocks: list[ImportedBlock] = []
        self.utterance: ImportedUtterance | None = None
        self.paragraph: str | None = None
        self.paragraph_line = 0
        self.last: SourceLine | None = None
        """The last line of the open paragraph."""
        self.last_is_label = False
        self.closing = False
        self.closing_lines: list[SourceLine] = []

    def read(self, lines: list[SourceLine], matches: list[LabelMatch | None], last_label: int) -> list[ImportedBlock]:
        """The blocks of the record `lines`, given the label that opens each line (or None) and
        the index of the last speaker's line."""
        index = 0
        while index < len(lines):
            line = lines[index]
            if self.closing:
                self.closing_lines.append(line)
                self._text_or_direction(line)
            elif (match := matches[index]) is not None:
                self._start_utterance(line, match)
            elif (heading := self._heading(line)) is not None:
                following = index + 1 < len(lines) and matches[index + 1] is None
                index += self._add_heading(heading, line, lines[index + 1] if following else None)
            elif index > last_label and _CLOSING.match(line.text):
                self._flush()
                self.utterance = None
                self.closing = True
                self.closing_lines.append(line)
                self.notes.append(
                    SourceNote(line.number, _("the record's closing ({content!r}) and what follows kept outside the last speech").format(content=line.content), "note")
                )
                self._text_or_direction(line)
            else:
                self._text_or_direction(line)
            index += 1
        self._flush()
        for block in self.blocks:
            if isinstance(block, ImportedUtterance) and not block.parts:
                self.notes.append(SourceNote(block.line, _("speaker label {label} with no speech after it").format(label=block.label)))
        return self.blocks

    def _start_utterance(self, line: SourceLine, match: LabelMatch) -> None:
        self._flush()
        label, rest = match.label, match.rest
        self.utterance = ImportedUtterance(label, line.number, marker=match.marker)
        self.blocks.append(self.utterance)
        if not rest:
            self.notes.append(
                SourceNote(line.number, _("speaker label {label} alone on its line: its speech read from the lines after it").format(label=label), "note")
            )
            return
        direction = stage_direction(rest)
        if direction is not None:
            self.utterance.parts.append(ImportedStageDirection(direction, line.number))
            return
        lead = leading_stage_direction(rest)
        if lead is not None:
            self.utterance.parts.append(ImportedStageDirection(lead[0], line.number))
            rest = lead[1]
        self.paragraph, self.paragraph_line = rest, line.number
        self.last, self.last_is_label = line, True

    def _heading(self, line: SourceLine) -> HeadingMatch | None:
        if self.marked:
            return marked_heading(line.text)
        if line.content[:1] not in "0123456789０１２３４５６７８９一二三四五六七八九十（(":
            return None
        heading = numbered_heading(line.text)
        if heading is None:
            if looks_numbered(line.text) and self.paragraph is not None:
                self.notes.append(
                    SourceNote(line.number, _("{content}… opens a line inside a speech: kept as text, not a heading").format(content=line.content[:12]), "note")
                )
            return None
        if self.paragraph is not None and not self._breaks(line) and not ends_sentence(self.last.text):
            self.notes.append(
                SourceNote(line.number, _("{content}… continues a wrapped sentence: kept as text, not a heading").format(content=line.content[:12]))
            )
            return None
        return heading

    def _add_heading(self, heading: HeadingMatch, line: SourceLine, following: SourceLine | None) -> int:
        """Add a heading, joining its second line when it wrapped; the number of extra lines used.

        `following` is the next line unless that opens an utterance."""
        self._flush()
        self.utterance = None
        text, used = heading.text, 0
        if (
            following is not None
            and not is_short(line.width, self.wrap)
            and is_short(following.width, self.wrap)
            and stage_direction(following.text) is None
            and marked_heading(following.text) is None
            and numbered_heading(following.text) is None
        ):
            text, used = join_lines(text, following.content), 1
            self.notes.append(SourceNote(following.number, _("heading continued on line {next_line}: joined").format(next_line=following.number), "note"))
        if heading.numbered and self.agenda and not any(same_heading(text, entry) for entry in self.agenda):
            self.notes.append(SourceNote(line.number, _("heading {text!r} is not in the header's 会議次第: check it").format(text=text)))
        self.blocks.append(ImportedHeading(heading.level, text, line.number))
        return used

    def _text_or_direction(self, line: SourceLine) -> None:
        direction = stage_direction(line.text)
        if direction is not None:
            self._flush()
            target = self.utterance.parts if self.utterance is not None else self.blocks
            target.append(ImportedStageDirection(direction, line.number))
            return
        miss = self.labels.near_miss(line)
        if miss is not None:
            self.notes.append(SourceNote(line.number, miss, _near_miss_kind(line, self.labels)))
        if self.paragraph is not None and not self._breaks(line):
            self.paragraph = join_lines(self.paragraph, line.content)
        else:
            self._flush()
            self.paragraph, self.paragraph_line = line.content.strip(_SPACE), line.number
        self.last, self.last_is_label = line, False

    def _breaks(self, line: SourceLine) -> bool:
        """Whether `line` starts a new paragraph rather than continuing the open one."""
        last = self.last
        if last is None:
            return True
        if line.blank_before and not self.double_spaced:
            return True
        wrap = self.label_wrap if self.last_is_label else self.wrap
        if is_short(last.width, wrap) and not pushed_down(last.text, wrap, line.text):
            return True
        # An indent opens a paragraph, but a page break may also leave one before a line that
        # goes on with a sentence: only a finished sentence may end the paragraph.
        return line.indented and ends_sentence(last.text)

    def _flush(self) -> None:
        if self.paragraph is None:
            return
        text = self.paragraph.strip(_SPACE)
        if text:
            # A paragraph wholly in brackets is a stage direction to the reader, whatever its words
            # (（前の委員が不要とのジェスチャーを…）, （提案理由）): classify it as the reader will.
            kind = ImportedStageDirection if is_stage_direction(text) else ImportedParagraph
            target = self.utterance.parts if self.utterance is not None else self.blocks
            target.append(kind(text, self.paragraph_line))
        self.paragraph, self.last, self.last_is_label = None, None, False
