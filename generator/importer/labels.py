"""Speaker labels at the start of a line of minutes, in the two ways Japanese minutes print them.

- After a circle: `○議長（多田政拓君）　…`, `〇７番（三浦恵美子君） …`, `○山口委員長　…` (assemblies,
  the Diet). A circle followed by a space (`○ 議 事 日 程`) is a section title, not a speaker.
- Bare, followed by spaces: `会長  …`, `区側 …`, `委員  …` (councils and committees whose minutes
  print a role instead of a name). A bare word is taken as a label only when it names a role
  (会長, 委員, 区側, 事務局, 山田委員, …), or when two or more lines open with it set off by two
  spaces or a full-width one. A line such as ` 委員、お願いいたします。` merely begins with a
  label word and is never a new speaker.

A document uses one of the two ways; `find_labels` decides which from the whole text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..minutes_markdown import CIRCLES
from .layout import SourceLine

_SPACE = " \t\u3000"

# The label runs to the first space, except inside its brackets (`議長（多田 政拓君）`).
_CIRCLE_LABEL = re.compile(
    rf"[{_SPACE}]*(?P<mark>[{CIRCLES}])(?P<label>[^{_SPACE}{CIRCLES}（(][^{_SPACE}（(]*(?:[（(][^）)]*[）)])?)"
    rf"(?P<sep>[{_SPACE}]+|(?<=[）)])|$)(?P<rest>.*)$"
)
_CIRCLE_SECTION = re.compile(rf"[{_SPACE}]*[{CIRCLES}][{_SPACE}]+\S")
# A name in brackets after the role: 議長（多田政拓君）, 委員（山田）, 町長（及川秀一郎君）.
_NAMED = re.compile(r".+[（(][^）)]+[）)]")
_BARE_LABEL = re.compile(
    rf"(?P<indent>[{_SPACE}]*)"
    rf"(?P<label>[^{_SPACE}0-9０-９（(〔［\[「『＜<【・※＊*#＃{CIRCLES}◎●■□◆◇\-－―‐ー]"
    rf"[^{_SPACE}、。，．,.!！?？」』：:]{{0,19}})"
    rf"(?:(?P<sep>[{_SPACE}]+)(?P<rest>\S.*)?)?$"
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Roles that minutes print as bare labels; a bare word ending in one of them is a label even
# when it speaks only once.
_ROLE = re.compile(
    r"(?:会長|委員長|委員|議長|座長|部会長|司会|司会者|幹事|理事|参事|主幹|事務局|局長|部長|課長|係長|室長|"
    r"所長|館長|校長|教育長|次長|区長|市長|町長|村長|知事|区側|市側|町側|村側|都側|県側|府側|道側|"
    r"説明員|説明者|参考人|議員|職員|担当|オブザーバー)(?:[（(][^）)]*[）)])?"
)
# Header field names, so that `出席者 浅田、植野` is never read as a speaker.
_FIELD_WORDS = re.compile(r"名称|会議名|日時|開催日時|会場|場所|開催場所|出席者|欠席者|傍聴者|傍聴人|配付資料|配布資料|会議次第|次第|議題")


@dataclass(frozen=True)
class LabelMatch:
    """A speaker label found at the start of a line, and the speech that follows it there."""

    label: str
    """The label as printed, without its circle and without spaces (`議長（多田政拓君）`)."""
    rest: str
    """The text after the label and its spaces; empty when the label stands alone on its line."""


@dataclass
class Labels:
    """How the document prints its speaker labels, and which bare words are labels in it."""

    style: str
    """`circle` or `bare`."""
    bare_labels: frozenset[str] = frozenset()
    circle_labels: frozenset[str] = frozenset()

    def match(self, line: SourceLine) -> LabelMatch | None:
        """The label that opens `line`, or None when the line does not open an utterance."""
        if self.style == "circle":
            return _circle_match(line.text, self.circle_labels)
        return _bare_match(line.text, self.bare_labels)

    def near_miss(self, line: SourceLine) -> str | None:
        """Why `line` looks like a speaker label but is not one, or None when it does not look like one."""
        text = line.content
        if self.style == "circle":
            if _CIRCLE_SECTION.match(line.text):
                return "a circle followed by a space: read as a section title, not a speaker"
            for label in self.circle_labels:
                if text.startswith(label):
                    return f"begins with the speaker label {label} but without its circle: kept as text"
            match = _CIRCLE_LABEL.match(line.text)
            if match and not match["rest"].strip() and match["label"] not in self.circle_labels:
                return f"a circle and {match['label']} alone on the line: not a speaker's name, kept as text"
            return None
        for label in sorted(self.bare_labels, key=len, reverse=True):
            if text.startswith(label) and text[len(label) : len(label) + 1] not in ("", " ", "\t", "\u3000"):
                return f"begins with the speaker label {label} but no space follows it: kept as text, not a new speaker"
        match = _BARE_LABEL.match(line.text)
        if match and match["rest"] and len(match["label"]) >= 2 and _plausible(match["label"]) and match["label"] not in self.bare_labels:
            return f"looks like a speaker label ({match['label']}) but it is no role and opens no other line: kept as text"
        return None


def find_labels(lines: list[SourceLine]) -> Labels | None:
    """Decide how `lines` print their speaker labels; None when no line opens an utterance."""
    circle: Counter[str] = Counter()
    circle_alone: Counter[str] = Counter()
    bare: Counter[str] = Counter()
    set_off: Counter[str] = Counter()
    bare_alone: set[str] = set()
    for line in lines:
        match = _CIRCLE_LABEL.match(line.text)
        if match and _plausible(match["label"]):
            (circle if match["rest"].strip(_SPACE) else circle_alone)[_compact(match["label"])] += 1
        match = _BARE_LABEL.match(line.text)
        if match and _plausible(match["label"]) and not _FIELD_WORDS.fullmatch(match["label"]):
            if match["rest"]:
                bare[match["label"]] += 1
                # Two spaces or a full-width one: how a label is set off, unlike the single
                # space between two Latin words that a wrapped line may start with.
                if "\u3000" in match["sep"] or len(match["sep"]) >= 2:
                    set_off[match["label"]] += 1
            else:
                bare_alone.add(match["label"])
    # A circle before a word is also how lists and placeholders print (○印の項目, 〇〇委員会), so a
    # circle label must name a person or a role, or open several speeches.
    circle_labels = {
        label
        for label in set(circle) | set(circle_alone)
        if _NAMED.fullmatch(label) or _ends_with_role(label) or circle[label] >= 2
    }
    bare_labels = {
        label
        for label in bare
        if _ends_with_role(label) or (set_off[label] >= 2 and not re.search(r"[0-9０-９A-Za-z]", label))
    }
    # A role alone on its line, its speech on the next: `委員` then `質問です。`.
    bare_labels |= {label for label in bare_alone if _ends_with_role(label) or label in bare_labels}
    circle_count = sum(circle[label] for label in circle_labels)
    bare_count = sum(bare[label] for label in bare_labels)
    if circle_count == 0 and bare_count == 0:
        return None
    if circle_count >= bare_count:
        return Labels("circle", circle_labels=frozenset(circle_labels))
    return Labels("bare", bare_labels=frozenset(bare_labels))


def _ends_with_role(label: str) -> bool:
    """A role, or a name or department before one: 委員, 山田委員, 情報政策課長, 事務局（田中）, 石破茂君."""
    if label.endswith(("君", "氏")) and len(label) <= 12:
        return True
    match = _ROLE.search(label)
    return bool(match) and match.end() == len(label) and len(label) <= 12


def _plausible(label: str) -> bool:
    """A label is short, holds a Japanese character and no sentence punctuation."""
    return len(label) <= 40 and bool(_CJK.search(label)) and not re.search(r"[、。，．「」]", label)


def _compact(label: str) -> str:
    return re.sub(rf"[{_SPACE}]+", "", label)


def _circle_match(text: str, labels: frozenset[str]) -> LabelMatch | None:
    match = _CIRCLE_LABEL.match(text)
    if not match or not _plausible(match["label"]):
        return None
    label = _compact(match["label"])
    if label not in labels:
        return None
    return LabelMatch(label, match["rest"].strip(_SPACE))


def _bare_match(text: str, labels: frozenset[str]) -> LabelMatch | None:
    match = _BARE_LABEL.match(text)
    if not match or match["label"] not in labels:
        return None
    return LabelMatch(match["label"], (match["rest"] or "").strip(_SPACE))
