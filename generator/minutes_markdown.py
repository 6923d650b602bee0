"""A markdown-it-py plugin for the minutes format: utterances (`○` paragraphs) and stage directions.

After block parsing, each paragraph that starts with a circle becomes an `utterance` token and
each paragraph wholly inside （…） or 〔…〕 a `stage_direction` token; both keep the paragraph's
line map, so the reader can point every diagnostic at a line of the file.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

CIRCLES = "○〇◯"
"""U+25CB, and the look-alikes U+3007 and U+25EF that minutes are also typed with."""

_OPENERS = {"（": "）", "〔": "〕"}
_CLOSERS = set(_OPENERS.values())
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~" + CIRCLES + "])")
_SPACES = " \t\u3000"


def starts_with_circle(text: str) -> bool:
    """Whether `text` opens an utterance: a circle as its first character."""
    return bool(text) and text[0] in CIRCLES


def is_stage_direction(text: str) -> bool:
    """Whether `text` is wholly one or more bracketed notes, such as （資料により説明）（約６分）."""
    text = text.strip(_SPACES + "\n")
    if not text or text[0] not in _OPENERS:
        return False
    stack: list[str] = []
    for char in text:
        if char in _OPENERS:
            stack.append(_OPENERS[char])
        elif char in _CLOSERS:
            if not stack or stack.pop() != char:
                return False
        elif not stack and char not in _SPACES:
            # Text outside every bracket: a speech that merely starts with a note.
            return False
    return not stack


def unescape(text: str) -> str:
    """Drop the backslash of CommonMark escapes and of `\\○` (a literal circle)."""
    return _ESCAPE.sub(r"\1", text)


def needs_space(before: str, after: str) -> bool:
    """Whether joining a wrapped line between these characters needs a space: between Latin words
    (`LGWAN-ASP` / `service`), not between Japanese characters nor within a number (`12` / `34`)."""
    return (
        before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        and (before.isalpha() or after.isalpha())
    )  # fmt: skip


def join_lines(text: str) -> str:
    """Join a paragraph's source lines: nothing between Japanese text, a space between Latin words."""
    lines = [line.strip(" \t") for line in text.split("\n")]
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        if joined and line and needs_space(joined[-1], line[0]):
            joined += " "
        joined += line
    return joined


class AgendaNumbering:
    """Ids of agenda headings by position: `item-2` for the second `##`, `item-2-1` for the first
    `###` below it (`item-0-1` before any `##`). The reader and the importer number alike, so the
    decisions an import writes name the headings the reader finds."""

    def __init__(self) -> None:
        self.section, self.sub = 0, 0

    def next_id(self, level: int) -> str:
        """The id of the next heading of `level` (2 or 3)."""
        if level == 2:
            self.section, self.sub = self.section + 1, 0
            return f"item-{self.section}"
        self.sub += 1
        return f"item-{self.section}-{self.sub}"


def _circle_ends_paragraph(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Only a terminator: a line starting with a circle ends the paragraph before it, so that
    # utterances typed without a blank line between them stay apart. The paragraph rule itself
    # then reads the circle line.
    if not silent:
        return False
    pos = state.bMarks[start_line] + state.tShift[start_line]
    return pos < state.eMarks[start_line] and state.src[pos] in CIRCLES


def _escaped_circle(state: StateInline, silent: bool) -> bool:
    # CommonMark escapes only ASCII punctuation; `\○` must also show a bare circle.
    pos = state.pos
    if state.src[pos] != "\\" or pos + 1 >= state.posMax or state.src[pos + 1] not in CIRCLES:
        return False
    if not silent:
        state.push("text", "", 0).content = state.src[pos + 1]
    state.pos += 2
    return True


def _type_paragraphs(state: StateCore) -> None:
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type != "paragraph_open" or opening.level != 0:
            continue
        if starts_with_circle(inline.content):
            kind = "utterance"
        elif is_stage_direction(inline.content):
            kind = "stage_direction"
        else:
            continue
        opening.type, closing.type = f"{kind}_open", f"{kind}_close"
        inline.meta["kind"] = kind


def minutes_plugin(md: MarkdownIt) -> None:
    """Teach `md` the minutes format's utterances, stage directions and the `\\○` escape."""
    md.block.ruler.before("paragraph", "circle_terminator", _circle_ends_paragraph, {"alt": ["paragraph"]})
    md.inline.ruler.before("escape", "escaped_circle", _escaped_circle)
    md.core.ruler.after("block", "minutes_paragraphs", _type_paragraphs)


def make_parser() -> MarkdownIt:
    """A CommonMark parser with raw HTML off (content is always escaped) and the minutes plugin."""
    return MarkdownIt("commonmark", {"html": False}).use(minutes_plugin)
