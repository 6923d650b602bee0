"""The printed page behind a PDF text dump: lines, their widths, page furniture, wrapping.

A PDF text dump keeps the page's lines but not its paragraphs: every line of a paragraph is
cut at the wrap width, page numbers and form feeds sit between the lines, and some dumps put a
blank line after every line. This module finds the page numbers (and drops them), measures the
wrap width, and tells a wrapped line from the end of a paragraph.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..i18n import _
from ..minutes_markdown import needs_space
from .record import SourceNote

_DASHES = "-‐‑‒–—―－−ー─"
# ` - 9 - `, `‐ 1 ‐`, `－ 1 －`, `- 3 / 17 -`, `3/17`: page numbers in their usual printed forms.
_DASHED_PAGE = re.compile(rf"[{_DASHES}]\s*([0-9０-９]{{1,4}})\s*(?:[/／]\s*[0-9０-９]{{1,4}}\s*)?[{_DASHES}]")
_PAGE_OF = re.compile(r"([0-9０-９]{1,4})\s*[/／]\s*[0-9０-９]{1,4}")
_BARE_NUMBER = re.compile(r"[0-9０-９]{1,4}")
# A number alone on its line is a page number when it continues a run of such numbers; a step of
# up to this many pages allows for pages whose number the dump lost.
_PAGE_STEP = 3

SENTENCE_ENDS = "。．！？!?」』）)】〕"
"""Characters that end a sentence (or a quoted or bracketed one) in Japanese minutes."""

_LATIN = re.compile(r"[A-Za-z0-9]")
_NARROW = re.compile(r"[\x00-\x7f\uff61-\uffdc\uffe8-\uffee]")


@dataclass
class SourceLine:
    """A non-blank line of the source that is not page furniture."""

    number: int
    """1-based line number in the source."""
    text: str
    """The line without form feeds and trailing whitespace; leading whitespace is kept."""
    blank_before: bool = False
    """A blank line stood between this line and the previous kept one (page breaks aside)."""
    page_break_before: bool = False
    """A page number or form feed stood between this line and the previous kept one."""

    @property
    def content(self) -> str:
        """The text without leading whitespace."""
        return self.text.lstrip(" \t\u3000")

    @property
    def indented(self) -> bool:
        """The line starts with a space: how many dumps show the first line of a paragraph."""
        return self.text[:1] in (" ", "\t", "\u3000")

    @functools.cached_property
    def width(self) -> int:
        """The printed width in half-width columns (full-width characters count two)."""
        return display_width(self.text)


@dataclass
class Page:
    """The source's lines with page furniture removed, and how its blank lines are to be read."""

    lines: list[SourceLine]
    double_spaced: bool
    """A blank line follows most lines, so blank lines say nothing about paragraphs."""
    notes: list[SourceNote]


def display_width(text: str) -> int:
    """The width of `text` in half-width columns: ASCII and half-width forms count one, the rest two.

    Minutes are typeset in Japanese fonts, where everything but ASCII and the half-width forms
    (ｶﾀｶﾅ) is full width, the East Asian ambiguous characters (○, ・, ×) included.
    """
    return 2 * len(text) - len(_NARROW.findall(text))


def read_page(text: str) -> Page:
    """Split `text` into lines, drop page numbers and form feeds (each reported), and mark blank lines."""
    raw = text.split("\n")
    notes: list[SourceNote] = []
    furniture: set[int] = set()
    feeds: set[int] = set()
    for index, line in enumerate(raw):
        if "\f" in line:
            feeds.add(index)
            if not line.replace("\f", "").strip():
                furniture.add(index)
                notes.append(SourceNote(index + 1, _("dropped a page break (form feed)"), "note"))
            else:
                notes.append(SourceNote(index + 1, _("removed a page break (form feed) from the line"), "note"))
    bare: list[tuple[int, int]] = []
    for index, line in enumerate(raw):
        stripped = line.replace("\f", "").strip(" \t\u3000")
        if index in furniture or not stripped:
            continue
        if _DASHED_PAGE.fullmatch(stripped) or _PAGE_OF.fullmatch(stripped):
            furniture.add(index)
            notes.append(SourceNote(index + 1, _("dropped a page number: {stripped!r}").format(stripped=stripped), "note"))
        elif _BARE_NUMBER.fullmatch(stripped):
            bare.append((index, int(unicodedata.normalize("NFKC", stripped))))
    last_text = max((i for i, line in enumerate(raw) if line.strip(" \t\u3000\f")), default=-1)
    _drop_running_heads(raw, furniture | feeds, furniture, notes)
    for position, (index, value) in enumerate(bare):
        if _in_page_run(bare, position) or index == last_text or index + 1 in feeds:
            furniture.add(index)
            # A number that continues the page numbers, or stands before a page break, is one for
            # sure; a number alone at the end of the text may also be the record's last word.
            sure = _in_page_run(bare, position) or index + 1 in feeds
            notes.append(
                SourceNote(index + 1, _("dropped a page number (a number alone on its line): {value}").format(value=value), "note" if sure else "warning")
            )
        else:
            notes.append(
                SourceNote(index + 1, _("kept a number alone on its line as text: {value} does not continue the page numbers").format(value=value))
            )

    lines: list[SourceLine] = []
    blank_before = page_break = False
    followed_by_blank = 0
    for index, line in enumerate(raw):
        if index in furniture:
            page_break = True
            continue
        if index in feeds:
            page_break = True
        content = line.replace("\f", "").rstrip(" \t\u3000")
        if not content.strip(" \t\u3000"):
            blank_before = True
            if lines and lines[-1].number == index:
                followed_by_blank += 1
            continue
        lines.append(SourceLine(index + 1, content, blank_before and not page_break, page_break))
        blank_before = page_break = False
    double_spaced = bool(lines) and followed_by_blank >= 0.5 * len(lines)
    return Page(lines, double_spaced, notes)


_SPEECH_LIKE = re.compile(r"[、。？！]|^[（(〔［\[].*[）)〕］\]]$")


def _drop_running_heads(raw: list[str], breaks: set[int], furniture: set[int], notes: list[SourceNote]) -> None:
    """Drop running headers and footers: a line repeated on three pages or more, next to the page breaks.

    Minutes print the meeting's title (or the body's name and the date) atop or below every page.
    A line counts as such when it stands within two lines of a page number or form feed in at
    least three places and stands there at least half the times it is printed; a repeated line
    elsewhere (a stage direction, `異議なし`, a speaker's label) is kept.
    """
    if len(breaks) < 2:
        return
    near: dict[str, list[int]] = {}
    pages: dict[str, set[int]] = {}
    for index in breaks:
        for other in (index - 2, index - 1, index + 1, index + 2):
            if 0 <= other < len(raw) and other not in furniture:
                key = raw[other].replace("\f", "").strip(" \t\u3000")
                if len(key) >= 4 and other not in near.setdefault(key, []):
                    near[key].append(other)
                    pages.setdefault(key, set()).add(index)
    # A running head stands by most page breaks (a page number and a form feed may make two of
    # one), on three pages at least; a line of the record repeated by chance next to a few of
    # them (a report's signature, `厚生委員長　斉藤やすひろ`) is kept. The document's title,
    # repeated at a page break, is the running head of a short one.
    # The title may wrap onto a second line; the running head may be the body's name that opens it
    # (`…調査特別委員会` atop the pages of `…調査特別委員会速記録第一号`).
    title = "".join(line.strip(" \t\u3000") for line in [line for line in raw if line.strip(" \t\u3000\f")][:2])
    # A sentence or a stage direction (`（資料により説明）`) is the record's own words, however often
    # it falls next to a page break: running heads are titles, dates and the body's name.
    candidates = {
        key
        for key, places in near.items()
        if not _SPEECH_LIKE.search(key)
        and (len(places) >= 3 and len(pages[key]) >= 3 and len(pages[key]) * 3 >= len(breaks) or title.startswith(key) and len(key) >= 6)
    }
    if not candidates:
        return
    # A speaker's label alone on its line may fall next to three page breaks by chance; a running
    # head stands mostly there.
    total = Counter(key for line in raw if (key := line.replace("\f", "").strip(" \t\u3000")) in candidates)
    for key, places in near.items():
        if key in candidates and len(places) * 2 >= total[key]:
            for index in sorted(places):
                furniture.add(index)
                notes.append(
                    SourceNote(index + 1, _("dropped a running header or footer, repeated at {count} page breaks: {key!r}").format(count=len(places), key=key), "note")
                )


def _in_page_run(bare: list[tuple[int, int]], position: int) -> bool:
    """Whether the bare number at `position` continues, or is continued by, another bare number."""
    _index, value = bare[position]
    return any(0 < value - other <= _PAGE_STEP for _, other in bare[:position]) or any(
        0 < other - value <= _PAGE_STEP for _, other in bare[position + 1 :]
    )


def wrap_width(widths: list[int]) -> int:
    """The width at which the printed lines wrap: the most common width among the long lines.

    Short lines end paragraphs; the long ones wrap at the page's width, give or take a column
    for half-width characters, so a width and the one just below it are counted together.
    Only widths near the longest lines count, so that many short replies (`はい。`) cannot win.
    """
    if not widths:
        return 0
    ordered = sorted(widths)
    # The 95th percentile ignores a few overlong lines; a short text has too few lines for that.
    high = ordered[int(0.95 * (len(ordered) - 1))] if len(ordered) >= 20 else ordered[-1]
    counts = Counter(widths)
    candidates = {width for width in widths if width >= 0.6 * high}
    return max(candidates, key=lambda width: (counts[width] + counts[width - 1], width))


def is_short(width: int, wrap: int) -> bool:
    """Whether a line of `width` ends well before the wrap width, so that it ends a paragraph.

    Two full-width characters of slack: a line is printed that much short when its last
    character would otherwise leave a `。` or `、` to start the next one.
    """
    return width < wrap - 4


def pushed_down(last: str, wrap: int, following: str) -> bool:
    """Whether `last` ends short only because the first Latin word of `following` did not fit.

    Layout moves a whole Latin word (`Education`) to the next line, which can leave a line
    several columns short in the middle of a sentence.
    """
    word = re.match(r"[A-Za-z0-9][A-Za-z0-9.,'&-]*", following.lstrip(" \t\u3000"))
    if word is None:
        return False
    space = 1 if _LATIN.match(last.rstrip(" \t\u3000")[-1:] or " ") else 0
    return display_width(last) + space + len(word.group()) > wrap


def join_lines(first: str, second: str) -> str:
    """Join a wrapped line to the next: nothing between Japanese characters, a space between Latin words."""
    first = first.rstrip(" \t\u3000")
    second = second.lstrip(" \t\u3000")
    if not first or not second:
        return first + second
    return first + (" " if needs_space(first[-1], second[0]) else "") + second


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with a sentence end (`。`, `？`, a closing quote or bracket)."""
    text = text.rstrip(" \t\u3000")
    return bool(text) and text[-1] in SENTENCE_ENDS
