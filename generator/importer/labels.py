"""Speaker labels at the start of a line of minutes, in the forms Japanese minutes print them.

A label is a *marker*, the *label* and a *separator*, then the speech:

- markers: `○` `〇` `◯` (most minutes, the Diet), `◆` for members and `◎` for the mayor and officials
  (as several commercial minutes systems print them), other marks some towns use (`□` `△` `●` `◇`
  `■`), or none at all (`会長  …`, councils that print a role instead of a name);
- labels (`shape`): a role (`議長`, `山田委員`, `総務部長兼危機管理監`, a seat `１番`), a role with the
  name in brackets (`議長（多田政拓君）`, `１番(山田太郎議員)`, `議員（１番 山田太郎）`, a closing bracket
  forgotten), a disambiguated name before the role (`高橋（か）委員`), a name with `君`, everything in
  one pair of brackets (`（山田太郎議長）`, `〔山田議員〕`), the name in `【】` (`議長【及川栄吉君】`),
  each possibly spaced out (`議 長`,
  `町長（姓　名君）`, `姓　名議長`, `議長 姓 名君`, `総務課長 姓名`);
- separators: spaces of either width, a colon (`委員長(相馬君):`), nothing after a closing bracket,
  a closing bracket never opened (`谷田川委員長)ただ今から`), or the end of the line (the speech
  follows on the next line). A stage direction right after the label (`〔登壇〕`) or a
  continuation mark (`（続）`) belongs to the speech, not to the label;
- labels some text exports break over two lines (`◎村長(` / `平林明人君) …`, `○教育長` /
  `笹山忠則君`), joined by `join_split_labels`, or run into the heading before them
  (`8 会議の内容都市計画課係長(水野剛史君) …`), split by `split_heading_labels`.

What is no label (`rosters.py`): the header's rosters and tables of offices and names (`roster_row`,
`roster_rest`), lists of attendance, signatures, membership changes, a sentence wrapped after a
name (`六十九番森口つかさ君　を指名いたします。`).

Where a spaced label ends is decided by the label's shape and by the document: a role followed by a
bare name (`総務課長 山田太郎`) is taken whole only when the name is printed elsewhere in the minutes
(the roster in the header). `find_labels` reads the whole text first and decides whether the document
marks its labels or prints them bare; `Labels.match` then reads one line. Labels are returned
compacted (`町長（姓名君）`): spaces inside a label are layout, not part of the name.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from .label_shapes import (
    ARABIC,
    CLOSE,
    COMPACT,
    CONTINUES,
    DIGITS,
    FINAL,
    HIRAGANA_ANY,
    HIRAGANA_ONLY,
    J,
    KANJI,
    LONGEST,
    MARKERS,
    NOT_SPEAKERS,
    OPEN,
    PIECE,
    SPACE,
    joined_words,
    name_shaped,
    shape,
)
from ..i18n import _
from .layout import SourceLine
from .record import SourceNote
from .rosters import may_be_speech, roster_rest, roster_row


_MAY_END = re.compile(f"[{re.escape(''.join(sorted(FINAL)))}](?:[{SPACE}:：]|$)|[）)〕】]")
_SCAN = 2 * LONGEST
"""How far into a line a label may reach, in characters, spaces included."""
_COLONS = ":："
_NUMERAL_AFTER_ZERO = re.compile(f"[{DIGITS}．.・]|ポイント|パーセント|％")
_NOT_IN_NAME = re.compile(f"[{DIGITS}、。（）()]")
_HEADING_NUMBER = re.compile(f"[0-9０-９]{{1,2}}[{SPACE}]+")
_BROKEN_OPEN = re.compile(rf"[{MARKERS}][{J}{DIGITS}]{{1,40}}[（(【]")
_BROKEN_CLOSE = re.compile(rf"[{J}{DIGITS}{SPACE}]{{1,20}}[）)】]")
_ROLE_CELL = re.compile(rf"[{MARKERS}][{J}]{{1,40}}")
_NAME_CELL = re.compile(rf"[{J}]{{1,10}}[{SPACE}]?[{J}]{{0,10}}(?:君|議員|様|さん|氏)")
# A quotation closed before it opens: the line wraps a quoted sentence (`…参事　井戸」と書かれている`).
_INSIDE_QUOTE = re.compile(r"[^「『]*[」』]")
_BRACKET = re.compile(f"[{re.escape(OPEN + CLOSE)}]")
# A line may open with a label only if its first piece is short and free of sentence punctuation,
# or holds a closing bracket or a colon (`議長（山田君）これより`, `本間君：議案…`): most lines of a
# speech fail this at once.
_MAY_OPEN = re.compile(f"[{J}0-9０-９（(〔][^{SPACE}、。]{{0,{LONGEST}}}(?:[{SPACE}]|$)|[^{SPACE}、。]{{1,{LONGEST}}}[）)〕】:：]")


@dataclass(frozen=True)
class LabelMatch:
    """A speaker label found at the start of a line, and the speech that follows it there."""

    label: str
    """The label as printed, compacted: without its marker and without spaces (`議長（多田政拓君）`)."""
    rest: str
    """The text after the label and its separator; empty when the label stands alone on its line."""
    marker: str = ""
    """The mark printed before the label (`○`, `◆`, `◎`, …), empty when there is none."""


@dataclass(frozen=True)
class _Candidate:
    label: str
    rest: str
    marker: str
    segments: int
    """How many space-separated pieces of the line the label spans."""
    set_off: bool
    """The label is followed by a full-width space, two spaces or the end of the line."""
    needs_evidence: bool
    """A role and a bare name (`総務課長 山田太郎`): a label only if the name is printed elsewhere."""


def _segments(text: str) -> list[tuple[int, int]]:
    """The pieces of `text` between runs of spaces, as (start, end); spaces inside closed brackets do not split."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for bracket in _BRACKET.finditer(text):
        if bracket.group() in OPEN:
            stack.append(bracket.start())
        elif stack:
            pairs.append((stack.pop(), bracket.start()))
    spans = [match.span() for match in PIECE.finditer(text)]
    if not pairs:
        return spans[:12]
    pieces: list[tuple[int, int]] = []
    for start, end in spans:
        if pieces and any(opened < start and pieces[-1][1] <= closed for opened, closed in pairs if opened >= pieces[-1][0]):
            # The space before this piece stands inside brackets the last piece opened: `町長（佐藤　一郎君）`.
            pieces[-1] = (pieces[-1][0], end)
        elif len(pieces) == 12:
            break
        else:
            pieces.append((start, end))
    return pieces


def _ends(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where a label may end in `text`: after a piece, or right after a closing bracket inside one.

    Returned as (end offset, number of pieces the label spans), shortest first.
    """
    ends: list[tuple[int, int]] = []
    for count, (start, end) in enumerate(pieces, start=1):
        depth = 0
        for index in range(start, end - 1):
            char = text[index]
            if char in _COLONS and depth == 0 and index > start:
                ends.append((index, count))  # `本間君:議案第４４号…`
            if char in OPEN:
                depth += 1
            elif char in CLOSE:
                depth = max(0, depth - 1)
                if depth == 0:
                    ends.append((index + 1, count))
        ends.append((end, count))
    return ends


@functools.lru_cache(maxsize=8192)
def _piece_fits(piece: str, first: bool) -> bool:
    """Whether a space-separated piece can be part of a spaced-out label (`議 長`, `姓　名君`, `総務課長 姓名`)."""
    if len(piece) <= 2:
        return not re.search(r"[、。，．「」]", piece)
    # A name in brackets (`員（あかねがくぼかよ子君）`) counts by what stands outside them.
    if len(re.sub(r"[（(][^）)]*[）)]", "", piece)) > (24 if first else 12) or re.search(r"[、。，．「」『』？！]", piece):
        return False
    if not first and "の" in re.sub(r"[（(][^）)]*[）)]", "", piece):
        return False  # `委員会 記録提出の要求一覧表 …`: a title, not a name (`員（いのつめまさみ君）` is one)
    return bool(KANJI.search(piece)) or not HIRAGANA_ONLY.fullmatch(piece)


def _role_inside(text: str, pieces: list[tuple[int, int]]) -> bool:
    """Whether a word before the last of a spaced label is itself a role (not one joined by `兼`)."""
    words = joined_words([text[start:end] for start, end in pieces])
    return any(shape(word) == "role" and not words[i + 1].startswith("兼") for i, word in enumerate(words[:-1]))


def candidates(text: str) -> tuple[_Candidate, ...]:
    """Every way `text` may open with a speaker label, shortest first."""
    content = text[:_SCAN].lstrip(SPACE)
    offset = len(text) - len(text.lstrip(SPACE))
    marker = ""
    if content[:1] in MARKERS:
        marker, content = content[0], content[1:]
        offset += 1
        if content[:1] in MARKERS:
            return ()  # 〇〇委員会: a placeholder, or a mark doubled for emphasis
    if not content or not (_MAY_OPEN.match(content) or marker and content[0] in SPACE):
        return ()
    if not _MAY_END.search(content):
        return ()  # no character a label ends with stands before a space, a colon or the line's end
    if (stray := _unopened(text, marker, offset)) is not None:
        return (stray,)
    pieces = _segments(content)
    first = content[: pieces[0][1]]
    first_is_role = None
    fitting = 1
    found: list[_Candidate] = []
    for end, count in _ends(content, pieces):
        if count > fitting:
            # Spaced-out labels (`議 長`, `議長 山田 太郎君`): every piece up to here must fit.
            if not (_piece_fits(first, True) and _piece_fits(content[pieces[count - 1][0] : pieces[count - 1][1]], False)):
                break
            fitting = count
        label = COMPACT.sub("", content[:end])
        evidence = False
        kind = shape(label) if label[-1] in FINAL else None
        if kind == "role" and count > 1 and _role_inside(content, pieces[:count]):
            # `市長　木田久主一　副市長`: a row of the officials' table, not a spaced-out label.
            kind = None
        if kind == "honorific" and count > 1 and shape(COMPACT.sub("", first)) != "role":
            # `辞任　西沢けいた君` is a row of a list; `議長 山田 太郎君` and `議 長 山 田 君` are labels.
            if not all(e - s <= 2 for s, e in pieces[:count]):
                kind = None
        if kind is None:
            # `総務課長 山田太郎`: a role, then a name without 君; a label only if the minutes print
            # the name elsewhere (the roster), since a speech may also open with a word and a space.
            if count == 1:
                continue
            if first_is_role is None:
                first_is_role = shape(first) == "role"
            name = label[len(first) :]
            if not (first_is_role and name_shaped(name) and shape(name) is None):
                continue
            evidence = True
        rest = text[offset + end :]
        set_off = (
            not rest.strip(SPACE)
            or rest[:1] == "\u3000"
            or rest[:2] in ("  ", " \u3000", "\t")
            # Nothing need follow a closing bracket: `議長（山田君）これより…`, `(委員)４月１日…`.
            or label[-1] in CLOSE
        )
        if CONTINUES.match(rest.lstrip(SPACE)) or _INSIDE_QUOTE.match(rest):
            # `生活環境部長(広瀬峰昌),生活環境部次長…`: a list of the officials present;
            # `長期在職議員（勇退）　の表彰について`, `六十九番森口つかさ君　を指名いたします。`:
            # a sentence wrapped after a name, since no speech opens with の, を or 及び; a mark
            # after a name (`小山くにひこ君　○選任…`) opens the next row of a list.
            continue
        if rest and rest[0] in _COLONS:
            # `委員長(相馬君):ただいまより…`: some systems print a colon between label and speech.
            rest, set_off = rest[1:], True
        found.append(_Candidate(label, rest.strip(SPACE), marker, count, set_off, evidence))
    return tuple(found)


def _unopened(text: str, marker: str, offset: int) -> _Candidate | None:
    """A label closed by a bracket that was never opened, the bracket serving as separator.

    Some committee minutes print `谷田川委員長)ただ今から…` and `生活環境部次長兼生活環境課長)それでは…`:
    the label is what stands before the stray bracket.
    """
    if ")" not in text and "）" not in text:
        return None
    depth = 0
    for index in range(offset, min(len(text), offset + LONGEST + 1)):
        char = text[index]
        if char in SPACE or char in "、。，．「」":
            return None
        if char in "(（":
            depth += 1
        elif char in ")）":
            if depth:
                depth -= 1
                continue
            label = text[offset:index]
            rest = text[index + 1 :]
            if not rest[:1] or rest[:1] in SPACE or shape(label) not in ("role", "disambiguated", "named", "honorific"):
                return None
            if CONTINUES.match(rest) or _INSIDE_QUOTE.match(rest):
                return None  # `別委員会正・副議長）を訪問し、…」`: the end of a bracket wrapped onto this line
            return _Candidate(label, rest.strip(SPACE), marker, 1, True, False)
    return None


@dataclass
class Labels:
    """How the document prints its speaker labels, and which labels it uses."""

    style: str
    """`marked` (a mark before every label) or `bare`."""
    labels: frozenset[str] = frozenset()
    """Labels accepted for this document (bare style: the only ones taken)."""
    names: _PrintedNames | Counter[str] = field(default_factory=Counter)
    """Names printed in the minutes (the roster), compacted, with the number of lines printing each."""
    found: dict[str, tuple[_Candidate, ...]] = field(default_factory=dict)
    """The candidates of each line's text, as `find_labels` read them."""
    after_rostrum: dict[str, str] = field(default_factory=dict)
    """Lines that follow a stage direction with `登壇`, each with that direction."""
    indented: bool | None = None
    """Bare style: whether the labels stand indented by a full-width space (True) or not (False), None if both."""

    def candidates_of(self, text: str) -> tuple[_Candidate, ...]:
        """`candidates(text)`, from the cache `find_labels` filled where it holds the text."""
        found = self.found.get(text)
        if found is None:
            found = self.found[text] = candidates(text)
        return found

    def match(self, line: SourceLine) -> LabelMatch | None:
        """The label that opens `line`, or None when the line does not open an utterance."""
        chosen = self._choose(line.text, line.page_break_before)
        return None if chosen is None else LabelMatch(chosen.label, chosen.rest, chosen.marker)

    def _choose(self, text: str, page_break: bool = False) -> _Candidate | None:
        found = self.candidates_of(text)
        if not found:
            return None
        marked = found[0].marker != ""
        if marked != (self.style == "marked"):
            return None if marked else self._unmarked(found, text)
        stripped = text.lstrip(SPACE)
        if marked and stripped[1:2] in SPACE and not any(c.label in self.labels for c in found):
            # `○ 議 事 日 程`: a circle and a space open a section title, unless a known label follows.
            return None
        if found[0].rest and roster_rest(found[0].rest, "marked", found[0].label):
            # `○委員　山田太郎君　鈴木花子君`: a row of a roster, whose names no longer label may swallow.
            return found[0]
        best: _Candidate | None = None
        for candidate in found:
            if candidate.needs_evidence and not self._named_elsewhere(candidate, text):
                continue
            if not marked and (
                candidate.label not in self.labels or not page_break and self.indented not in (None, text[:1] == "\u3000")
            ):
                # A bare label indented unlike the others opens a line of speech (`　一番　谷村孝彦君及び`),
                # unless it opens a page, which text dumps often indent. Only a full-width space is
                # an indent: PDF text dumps shift lines by a half-width space here and there.
                continue
            best = candidate
        return best

    def _unmarked(self, found: tuple[_Candidate, ...], text: str) -> _Candidate | None:
        """A label printed without the marker the document's other labels have: `田中敦朗　議員　皆さん…`.

        Taken only as a name and a role set apart by spaces, right after the stage direction that
        brings that speaker to the rostrum (`〔30番 田中敦朗議員 登壇 拍手〕`): a name and a role
        elsewhere are text, such as the votes a chair reads out (`田中　良議員　百二十五票`).
        """
        rostrum = self.after_rostrum.get(text)
        if rostrum is None:
            return None
        for candidate in found:
            if candidate.segments == 2 and candidate.set_off and candidate.rest and shape(candidate.label) == "role":
                if PIECE.findall(text)[0] in rostrum:
                    return candidate
        return None

    def _named_elsewhere(self, candidate: _Candidate, text: str) -> bool:
        return candidate.label in self.labels or _in_roster(candidate.label, self.names, _line_names(text))

    def near_miss(self, line: SourceLine) -> str | None:
        """Why `line` looks like a speaker label but is not one, or None when it does not look like one."""
        text = line.content
        if self.style == "marked":
            if text[:1] not in MARKERS or self.match(line) is not None:
                return None
            return _why_not(text)
        for label in sorted(self.labels, key=len, reverse=True):
            if text.startswith(label) and text[len(label) : len(label) + 1] not in ("", " ", "\t", "\u3000"):
                return _("begins with the speaker label {label} but no space follows it: kept as text, not a new speaker").format(label=label)
        found = self.candidates_of(line.text)
        if found and found[-1].rest and found[-1].label not in self.labels and len(found[-1].label) >= 2:
            return (
                _("looks like a speaker label ({label}) but no wide space follows it and it opens no other line: kept as text").format(
                    label=found[-1].label
                )
            )
        return None


def _why_not(text: str) -> str:
    """The reason a line that opens with a marker was not read as a speaker."""
    marker, after = text[0], text[1:]
    if marker == "〇" and _NUMERAL_AFTER_ZERO.match(after):
        return _("{marker} before a numeral is the kanji zero: kept as text").format(marker=marker)
    if after[:1] in SPACE:
        return _("{marker} followed by a space opens a section title, not a speaker: kept as text").format(marker=marker)
    word = COMPACT.split(after, maxsplit=1)[0][:20]
    if NOT_SPEAKERS.search(word):
        if re.search("議事日程|会議次第|本日の会議に付した事件", word):
            return _("{marker}{word} heads the agenda, not a speaker: kept as header text").format(marker=marker, word=word)
        return _("{marker}{word} names who attended, not a speaker: kept as header text").format(marker=marker, word=word)
    return _("{marker}{word} is no speaker label (no role, no name in brackets, no 君): kept as text").format(marker=marker, word=word)


def join_split_labels(lines: list[SourceLine], notes: list[SourceNote]) -> list[SourceLine]:
    """Join the labels some text exports break over two lines, so that one line holds the label.

    Two breaks are known: after the label's opening bracket (`◎村長(` / `平林明人君) 皆様…`, as some
    minutes sites store their pages), and between a role and its speaker's name, each in a cell
    of its own (`○教育長` / `笹山忠則君` / the speech), as text taken from a PDF's table gives it.
    Each join is reported as a note.
    """
    joined: list[SourceLine] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is not None and line.content[:1] in MARKERS and (
            _BROKEN_OPEN.fullmatch(line.content.rstrip(SPACE)) and _BROKEN_CLOSE.match(following.content)
            or _ROLE_CELL.fullmatch(line.content.rstrip(SPACE))
            and shape(line.content.rstrip(SPACE)[1:]) == "role"
            and _NAME_CELL.fullmatch(following.content.rstrip(SPACE))
        ):
            joined.append(replace(line, text=line.text.rstrip(SPACE) + following.content))
            notes.append(SourceNote(following.number, _("speaker label broken over lines {line} and {next_line}: joined").format(line=line.number, next_line=following.number), "note"))
            index += 2
            continue
        joined.append(line)
        index += 1
    return joined


def split_heading_labels(lines: list[SourceLine], labels: Labels, notes: list[SourceNote]) -> list[SourceLine]:
    """Split a numbered heading from the label a text export ran into it (`8 会議の内容都市計画課係長(水野剛史君) 本日は…`).

    Only in minutes with bare labels, and only for a label that opens other lines of the document.
    """
    if labels.style != "bare":
        return lines
    known = sorted((label for label in labels.labels if len(label) >= 6), key=len, reverse=True)
    split: list[SourceLine] = []
    for line in lines:
        prefix = _HEADING_NUMBER.match(line.content)
        if prefix is None or labels.match(line) is not None:
            split.append(line)
            continue
        content = line.content
        for label in known:
            at = content.find(label, prefix.end())
            after = content[at + len(label) : at + len(label) + 1]
            if 0 < at - prefix.end() <= 12 and after and after in SPACE:
                split.append(replace(line, text=content[:at]))
                split.append(replace(line, text=content[at:], blank_before=False, page_break_before=False))
                notes.append(SourceNote(line.number, _("heading {heading!r} and the label {label} on one line: split").format(heading=content[:at], label=label), "note"))
                break
        else:
            split.append(line)
    return split


def find_labels(lines: list[SourceLine]) -> Labels | None:
    """Decide how `lines` print their speaker labels; None when no line opens an utterance."""
    names = _PrintedNames(lines)
    marked: Counter[str] = Counter()
    marked_strong = 0
    bare: Counter[str] = Counter()
    set_off: Counter[str] = Counter()
    bare_alone: set[str] = set()
    read: dict[str, tuple[_Candidate, ...]] = {}
    bare_alone_speaking: Counter[str] = Counter()
    after_rostrum: dict[str, str] = {}
    unmarked: list[int] = []
    for index, line in enumerate(lines):
        found = _cached(read, line.text)
        if not found:
            continue
        if index and "登壇" in lines[index - 1].content:
            after_rostrum[line.text] = lines[index - 1].content
        if not found[0].marker:
            unmarked.append(index)
        elif line.content[1:2] not in SPACE:
            best = [c for c in found if not c.needs_evidence or _in_roster(c.label, names, _line_names(line.text))]
            if best:
                marked[best[-1].label] += 1
                marked_strong += shape(best[-1].label) in ("named", "honorific", "bracketed", "disambiguated")
    marked_labels = frozenset(label for label, count in marked.items() if count >= 2)
    if marked_strong >= 2:
        # Named labels after a mark settle it; reading the unmarked lines as labels would change nothing.
        return Labels("marked", marked_labels, names, read, after_rostrum)
    for index in unmarked:
        found = read[lines[index].text]
        for candidate in found:
            if candidate.rest and not roster_rest(candidate.rest, "bare", candidate.label):
                bare[candidate.label] += 1
                set_off[candidate.label] += candidate.set_off
            elif not candidate.rest:
                bare_alone.add(candidate.label)
                if _speech_follows(lines, index, read):
                    bare_alone_speaking[candidate.label] += 1
    bare_labels = {
        label
        for label in bare
        if set_off[label] and (_bare_role(label) or set_off[label] >= 2 and not re.search(r"[0-9０-９A-Za-z]", label))
    }
    bare_labels |= {label for label in bare_alone if _bare_role(label) or label in bare_labels}
    marked_count = sum(marked.values())
    bare_count = sum(bare[label] + bare_alone_speaking[label] for label in bare_labels)
    if marked_count == 0 and bare_count == 0:
        return None
    # A few named labels outweigh a list of officials printed as bare roles in the header.
    if marked_count and marked_count >= bare_count:
        return Labels("marked", marked_labels, names, read, after_rostrum)
    indents: Counter[bool] = Counter(
        line.text[:1] == "\u3000" for line in lines if any(c.label in bare_labels and not c.marker for c in read[line.text])
    )
    indented = None if min(indents[True], indents[False]) * 10 > sum(indents.values()) else indents[True] > indents[False]
    return Labels("bare", frozenset(bare_labels), names, read, after_rostrum, indented)


def _in_roster(label: str, names: _PrintedNames | Counter[str], own: set[str]) -> bool:
    """Whether `label` is a role followed by a name printed on another line of the minutes (`総務課長山田太郎`).

    `own` are the names printed on the label's own line, which prove nothing.
    """
    for cut in range(1, len(label) - 1):
        name = label[cut:]
        if names[name] > (name in own) and shape(label[:cut]) == "role":
            return True
    return False


def _bare_role(label: str) -> bool:
    """A bare word that is a label even when it opens one line only: a role, a name with 君, a role with a name.

    A long role is an official's title (`並木東京オリンピック・パラリンピック招致本部企画部長`), which
    holds no hiragana; a long word that ends like a role and holds some is a phrase of a sentence.
    """
    kind = shape(label)
    return kind in ("named", "honorific", "disambiguated", "bracketed") or kind == "role" and (
        len(label) <= 24 or HIRAGANA_ANY.search(label) is None
    )


class _PrintedNames:
    """The names printed in the minutes (`_printed_names`), counted on first use: most documents
    print every label whole and never need them."""

    def __init__(self, lines: list[SourceLine]) -> None:
        self._lines = lines
        self._names: Counter[str] | None = None

    def __getitem__(self, name: str) -> int:
        if self._names is None:
            self._names = _printed_names(self._lines)
        return self._names[name]


def _printed_names(lines: list[SourceLine]) -> Counter[str]:
    """Names as a roster prints them, with the number of lines printing each (see `_line_names`)."""
    names: Counter[str] = Counter()
    for line in lines:
        names.update(_line_names(line.text))
    return names


def _line_names(text: str) -> set[str]:
    """Words between spaces that may be names: two to six letters with a kanji or katakana.

    Letter-spaced names (`工 藤 秀 一`) are joined; an honorific after a name is dropped.
    """
    words = [w for w in PIECE.findall(text)]
    names: set[str] = set()
    if len(words) < 2:
        return names
    run = ""
    for word in [*words, ""]:
        if 0 < len(word) <= 1 and word not in ARABIC:
            run += word
            continue
        if len(run) >= 2:
            names.add(run)
        run = ""
        word = re.sub(r"(?:君|議員|様|さん|氏)$", "", word)
        if 2 <= len(word) <= 6 and KANJI.search(word) and not _NOT_IN_NAME.search(word):
            names.add(word)
    # A name printed with a space between family and given name (`田中　次郎`) is also one name.
    for first, second in zip(words, words[1:]):
        second = re.sub(r"(?:君|議員|様|さん|氏)$", "", second)
        if 1 <= len(first) <= 3 and 1 <= len(second) <= 3 and name_shaped(first + second) and shape(first) is None:
            names.add(first + second)
    return names


def _cached(read: dict[str, tuple[_Candidate, ...]], text: str) -> tuple[_Candidate, ...]:
    found = read.get(text)
    if found is None:
        found = read[text] = candidates(text)
    return found


def _speech_follows(lines: list[SourceLine], index: int, read: dict[str, tuple[_Candidate, ...]]) -> bool:
    """Whether the line after a label standing alone on line `index` plainly reads as its speech.

    Stricter than `may_be_speech`, since it decides whether the document prints bare labels at all.
    """
    if index + 1 >= len(lines) or not may_be_speech(lines[index + 1].text):
        return False
    compact = COMPACT.sub("", lines[index + 1].text)
    # A speech's first line holds a sentence's punctuation or fills the line; a name does neither.
    if len(compact) <= 20 and not re.search(r"[、。，．？！]", compact):
        return False
    return not _cached(read, lines[index + 1].text)
