"""Rosters, tables and lists of a minutes header that look like speaker labels and never speak.

Minutes print who attended as rows a label reader could take for speakers: `委員長　中村明彦君`,
`１番　片岡直博　　２番　河村　孝`, `委員長:星名建市、副委員長:安孫子哲`, `（委員）浅田、植野、…`, a
report's signature. These functions tell such rows from a label and its speech.
"""

from __future__ import annotations

import re

from .label_shapes import (
    COMPACT,
    CONTINUES,
    DIGITS,
    HIRAGANA_ANY,
    HIRAGANA_ONLY,
    J,
    LETTERS,
    NOT_SPEAKERS,
    PIECE,
    SPACE,
    joined_words,
    name_shaped,
    shape,
    speech_like,
)

_NUMBERED = re.compile(f"[{DIGITS}第]")
_PETITIONERS = re.compile(f"[{J}]{{2,10}}外[{DIGITS}、，,千万]+(?:人|名)")
_NAMES_WITH_HONORIFIC = re.compile(f"[{J}]{{1,30}}?(?:君|様|氏|殿)")
_SENTENCE_END = re.compile("[。？！?!]")
_HEADER_SECTION = re.compile(f"[0-9０-９]{{1,2}}[、.．]|[ア-ン][{SPACE}]")
"""The numbered sections of a header or report (`２、欠席議員は…`, `ウ　議長は…`)."""


def roster_row(text: str) -> bool:
    """Whether `text` is a row of a table of names and offices: `片岡直博　２番　河村　孝`, `木田久主一　副市長　木下憲一`.

    A row holds no sentence punctuation, hardly any hiragana, and a role or seat after its first
    word; or it lists offices and names with colons (`星名建市、副委員長:安孫子哲`).
    """
    listed = re.search(r"[、，,](?P<role>[^、，,:：。]{1,24})[:：]", text)
    if listed and shape(COMPACT.sub("", listed["role"])) == "role":
        return True  # `星名建市、副委員長:安孫子哲`: offices and names listed with colons
    pieces = PIECE.findall(text)
    if len(pieces) < 2 or re.search(r"[、。，．「」『』？！?!]", text):
        return False
    compact = "".join(pieces)
    if len(re.findall("[\u3040-\u309f]", compact)) * 6 > len(compact):
        return False
    words = joined_words(pieces)
    return any(shape(word) == "role" for word in words[1:])


def _attendance_list(rest: str, label: str) -> bool:
    """Whether a group's label (`（委員）`, `（区側）`) is followed by who attended: `浅田、植野、岡田、…`.

    Three or more names or offices between commas, the last perhaps cut where the line wraps.
    Only after a group, not a person: `総務局長（笠井謙一君）　高齢者、障害者、乳幼児、…` speaks.
    """
    if shape(label) not in ("role", "bracketed"):
        return False
    items = [item.strip(SPACE) for item in re.split("[、，,]", rest.rstrip(f"{SPACE}、，,"))]
    return len(items) >= 3 and all(_listed(item) for item in items[:-1]) and len(items[-1]) <= 12


def _listed(item: str) -> bool:
    """Whether an item of a list between commas is a name (`浅田`, `かいでん`) or an office (`情報政策課長`)."""
    if len(item) <= 5 and LETTERS.fullmatch(item) and not _NUMBERED.search(item):
        return HIRAGANA_ANY.search(item) is None or HIRAGANA_ONLY.fullmatch(item) is not None
    return shape(item) == "role" and HIRAGANA_ANY.search(item) is None


def roster_rest(rest: str, style: str, label: str = "") -> bool:
    """Whether the text after a label is only names, as in a roster row: `山田太郎君　鈴木花子君`.

    One name alone is a roster entry only in minutes with bare labels; after a marked label it is
    the chair calling on a member. A long title leaves room for a word or two of speech on its
    line (`金子…調整担当部長兼務　都`): that is the speech's start, wrapped, not a name.
    """
    if len(label) >= 20 and len(label) + len(rest) >= 30 and len(PIECE.findall(rest)) == 1:
        return False
    if _SENTENCE_END.search(rest):
        return False  # a finished sentence: no roster prints one
    if style == "bare" and not speech_like(rest) or roster_row(rest) or _attendance_list(rest, label):
        return True
    compact = COMPACT.sub("", rest)
    if _PETITIONERS.fullmatch(compact):
        return True  # `代表　村田茂外九、一三八人`: a petition's representative and its signers
    if style == "bare" and name_shaped(compact) and HIRAGANA_ANY.search(compact) is None:
        return True  # `委員長　佐野司郎`: a roster row without 君, or a signature
    # A name may come with its office (`東京大学地震研究所教授平田直君`), a list may go on to the
    # next line (`一番　谷村孝彦君及び`).
    compact = re.sub(r"(?:及び|並びに|、|，)$", "", compact)
    names = _NAMES_WITH_HONORIFIC.findall(compact)
    if not names or "".join(names) != compact:
        return False
    return len(names) >= 2 or style == "bare"


def may_be_speech(text: str) -> bool:
    """Whether a line may be the first of a speech: not a roster's names, a header's numbered section
    or the end of a sentence wrapped after a name (`を指名いたします。`)."""
    content = text.lstrip(SPACE)
    return not (
        _HEADER_SECTION.match(content)
        or NOT_SPEAKERS.match(content) and "。" not in content  # not `傍聴人に申し上げます。`
        or CONTINUES.match(content)
        or roster_rest(content, "bare")
    )
