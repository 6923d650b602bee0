"""Agenda headings and stage directions as minutes print them, and the ids headings get.

Headings come in two families. Assemblies mark them: `◎ 日程第４ 議案第１号`. Councils number
them: `１ 会長あいさつ` (level 2) and `（１）諮問…` (level 3). A document that marks its headings
uses only the marks, since its speeches quote numbered bill text (`２ 歳入歳出予算の補正…`).
Numbered lines are headings only where a paragraph may end; the parser checks that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..minutes_markdown import AgendaNumbering, is_stage_direction
from .record import ImportedHeading

_SPACE = " \t\u3000"
_MARKED = re.compile(rf"[{_SPACE}]*[◎△][{_SPACE}]*(?P<title>\S.*)$")
_NUMBER = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}"
_LEVEL_2 = re.compile(rf"(?P<number>{_NUMBER})(?:[.．][{_SPACE}]*|[{_SPACE}]+)(?P<title>[^{_SPACE}0-9０-９].*)$")
_LEVEL_3 = re.compile(rf"[（(](?P<number>{_NUMBER})[）)][{_SPACE}]*(?P<title>\S.*)$")
# A heading's title is a noun phrase; a text that goes on with a particle or punctuation after
# `（３）` is a sentence that happens to start with a reference: `（３）のデータの管理、…`.
_CONTINUES = re.compile(r"[のをはがにへとでもやかねよな、。，．・）)」』～〜]")
_MAX_TITLE = 60

# Words of the notes minutes put in brackets: （投  票）, （資料により説明）, （「なし」の声あり）, 〔議長起立〕.
DIRECTION_WORDS = re.compile(
    r"説明|投票|挙手|起立|着席|声|呼ぶ者|拍手|休憩|再開|退席|退場|入場|入室|退室|登壇|降壇|発言する者|笑|異議|"
    r"賛成者|速記|開会|閉会|散会|開議|延会|中断|朗読|黙祷|黙とう|離席|交代|映写|録音|休会|暫時|傍聴|"
    r"[0-9０-９]+分|[0-9０-９]+時|"
    # A continuation mark after a label: （続）, （続き）.
    r"^(?:続き?|つづき)$"
)
# The format's brackets for stage directions (generator.minutes_markdown.is_stage_direction):
# a paragraph in (…) or ［…］ is read back as speech, so it is never taken for a direction here.
_OPEN = {"（": "）", "〔": "〕"}


@dataclass(frozen=True)
class HeadingMatch:
    """A line that may be an agenda heading."""

    level: int
    text: str
    """The heading as printed, without a `◎` mark."""
    numbered: bool
    """A numbered heading (`１ …`, `（１）…`), which needs a paragraph end before it."""


def marked_heading(text: str) -> HeadingMatch | None:
    """`◎ 日程第４ 議案第１号` or `△日程第１　一般質問` (DiscussNet's agenda mark) as a level-2 heading, else None."""
    match = _MARKED.match(text)
    if not match:
        return None
    return HeadingMatch(2, match["title"].strip(_SPACE), numbered=False)


def numbered_heading(text: str) -> HeadingMatch | None:
    """`１ 会長あいさつ` (level 2) or `（１）諮問…` (level 3) as a heading, else None."""
    content = text.strip(_SPACE)
    for level, pattern in ((2, _LEVEL_2), (3, _LEVEL_3)):
        match = pattern.match(content)
        if not match:
            continue
        title = match["title"].strip(_SPACE)
        if _CONTINUES.match(title) or "。" in title or len(title) > _MAX_TITLE:
            return None
        return HeadingMatch(level, content, numbered=True)
    return None


def looks_numbered(text: str) -> bool:
    """Whether `text` begins like a numbered heading (`（３）`, `１ `), whatever follows."""
    content = text.strip(_SPACE)
    return bool(_LEVEL_2.match(content) or _LEVEL_3.match(content))


def same_heading(printed: str, listed: str) -> bool:
    """Whether a heading in the record and an entry of the 会議次第 name the same item.

    Record and agenda are typed apart and differ in small ways (取扱い and 取り扱い), so the
    number must agree and most of the characters.
    """
    a, b = _key(printed), _key(listed)
    if not a or not b:
        return False
    number_a, number_b = re.match(r"\(?\d+\)?", a), re.match(r"\(?\d+\)?", b)
    if not number_a or not number_b or number_a.group() != number_b.group():
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    common = sum(1 for char in set(a) if char in b)
    return common >= 0.8 * min(len(set(a)), len(set(b)))


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


def stage_direction(text: str) -> str | None:
    """The stage direction that the line `text` consists of (（投  票）, 〔議長起立〕, （資料により説明）（約６分）), else None.

    The line must be a stage direction by the format's rule (`is_stage_direction`: wholly inside
    （…） or 〔…〕). 〔…〕 always holds a direction; a （…） line only when it reads like one, since
    a speech wrapped onto a new line may also start and end with brackets. A bracketed line this
    refuses is read as text, and a paragraph that ends up wholly bracketed is still a direction
    (the reader would read it as one): this only decides how lines join into paragraphs.
    """
    content = text.strip(_SPACE)
    if not is_stage_direction(content):
        return None
    groups = _bracket_groups(content)
    if not groups:
        return None
    for group in groups:
        if group[0] == "〔":
            continue
        inner = re.sub(rf"[{_SPACE}]", "", group[1:-1])
        if not (DIRECTION_WORDS.search(inner) or "「" in inner):
            return None
    return content


def _bracket_groups(text: str) -> list[str]:
    """`text` split into top-level bracket groups, or [] when anything stands outside brackets."""
    groups: list[str] = []
    index = 0
    while index < len(text):
        if text[index] in _SPACE:
            index += 1
            continue
        end = _group_end(text, index)
        if end < 0:
            return []
        groups.append(text[index : end + 1])
        index = end + 1
    return groups


def _group_end(text: str, start: int) -> int:
    """The index of the bracket that closes the one at `start`, or -1."""
    if text[start] not in _OPEN:
        return -1
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in _OPEN:
            depth += 1
        elif char in _OPEN.values():
            depth -= 1
            if depth == 0:
                return index if char == _OPEN[text[start]] else -1
    return -1


def leading_stage_direction(text: str) -> tuple[str, str] | None:
    """Split a speech that opens with a stage direction: `（資料により説明）それでは…` → both parts.

    Only 〔…〕 or a （…） that reads as a direction is split off, and speech must follow it.
    """
    content = text.strip(_SPACE)
    position = 0
    while position < len(content):
        end = _group_end(content, position)
        if end < 0 or stage_direction(content[position : end + 1]) is None:
            break
        position = end + 1
        while position < len(content) and content[position] in _SPACE:
            position += 1
    if position == 0 or position >= len(content):
        return None
    return content[:position].strip(_SPACE), content[position:]


def item_ids(headings: Iterable[ImportedHeading]) -> dict[int, str]:
    """The id each heading gets in the written minutes, by position: `item-2`, `item-2-1`.

    Keys are `id()` of the heading objects. The numbering is the reader's: the N-th `##`
    heading is `item-N`, the M-th `###` after it `item-N-M` (`item-0-M` before any `##`).
    """
    numbering = AgendaNumbering()
    return {id(heading): numbering.next_id(heading.level) for heading in headings}
