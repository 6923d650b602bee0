"""Text folding shared by the index and the query: NFKC + lowercase, word characters, spaces.

The browser engine (`templates/static/search-engine.js`) defines the same three things; change
them together, or index and query stop agreeing.
"""

from __future__ import annotations

import re
import unicodedata

# Spelled out rather than `\s`, whose meaning differs between Python and JavaScript (\x1c-\x1f,
# \x85, \ufeff); the browser engine uses this exact list.
SPACE_CHARS = " \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACES = re.compile(f"[{SPACE_CHARS}]+")


def fold(text: str) -> str:
    """Fold width, compatibility forms and case: NFKC, then lowercase (ＧＩＧＡ → giga, ｶﾞｽ → ガス)."""
    return unicodedata.normalize("NFKC", text).lower()


def is_word_char(char: str) -> bool:
    """True for letters, digits and marks (Unicode L*, N*, M*); everything else is skipped by search."""
    return unicodedata.category(char)[0] in "LNM"


class _NonWordMarks(dict):
    """A str.translate table, filled as characters come: code point → "1" if not a word character, else "0"."""

    def __missing__(self, code: int) -> str:
        mark = "0" if is_word_char(chr(code)) else "1"
        self[code] = mark
        return mark


_NON_WORD = _NonWordMarks()


def non_word_mask(text: str) -> str:
    """`text` with each character replaced by "1" (punctuation, space, symbol) or "0" (letter, digit, mark).

    One translation per text instead of a Unicode lookup per character and question.
    """
    return text.translate(_NON_WORD)


def has_word_char(text: str) -> bool:
    """True when `text` holds at least one letter, digit or mark."""
    return any(is_word_char(char) for char in text)


def strip_non_word(text: str) -> str:
    """`text` without the punctuation, symbols and spaces at its ends (`(株)` → `株`)."""
    start, end = 0, len(text)
    while start < end and not is_word_char(text[start]):
        start += 1
    while end > start and not is_word_char(text[end - 1]):
        end -= 1
    return text[start:end]


def split_spaces(text: str) -> list[str]:
    """The non-empty parts of `text` between runs of space characters."""
    return [part for part in _SPACES.split(text) if part]


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def hiragana(text: str) -> str:
    """`text` with its katakana written in hiragana (メグロ → めぐろ); other characters unchanged."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def is_kanji(char: str) -> bool:
    """True for a CJK ideograph (the unified blocks, their extensions and the compatibility block)."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F
