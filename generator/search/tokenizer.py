"""Japanese word splitting for the search index: SudachiPy with sudachidict_core, behind one class.

Indexing and querying must split text alike. Only the index runs Sudachi; the query side (Python
and browser) segments a query over the index's own vocabulary, which is made of the tokens this
module returns, so every change here reaches the query through the vocabulary.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .folding import fold, is_kanji, strip_non_word

# SudachiPy refuses input above 49,149 bytes of UTF-8; chunks stay well below that.
MAX_CHUNK_BYTES = 40_000
_SENTENCES = re.compile(r"[^。！？!?．\n]*(?:[。！？!?．\n]+|$)")
_CLAUSES = re.compile(r"[^、，,]*(?:[、，,]+|$)")


@dataclass(slots=True)
class Token:
    """One word of a text: Sudachi mode C, with its mode A sub-units when it splits.

    `surface` and `normalized` are folded (NFKC + lowercase) and stripped of punctuation at their
    ends; `reading` is Sudachi's reading in katakana (メグロ), "" when unknown; `start` and `end`
    count code points of the original text.
    """

    surface: str
    normalized: str
    start: int
    end: int
    units: tuple[Token, ...] = ()
    reading: str = ""


@functools.cache
def _sudachi_tokenizer():  # noqa: ANN202 - sudachipy ships no type stubs
    """Load the core dictionary once per process: it takes a moment and some memory."""
    from sudachipy import Dictionary

    return Dictionary(dict="core").tokenizer()


class Words(NamedTuple):
    """The words of a text as the index reads them: each word once, and every place it stands.

    `words[i]` stands at code point `starts[i]` of the text. A word is a `Token` made at offset 0
    (its `start` is 0, its units' places count from the word's start), and one object serves all
    the places a word stands, in this text and others: making a `Token` per place took 4 of the
    10.9 s that tokenizing the corpus's texts took in one process.
    """

    words: list[Token]
    starts: list[int]

    def tokens(self) -> list[Token]:
        """The tokens in order, each at its place in the text."""
        return [_moved(word, start) for word, start in zip(self.words, self.starts)]


class JapaneseTokenizer:
    """Splits Japanese text into index tokens: `words` for the index, `tokenize` for one token per place.

    Tokens are Sudachi's mode C words; a word that mode A splits further (東日本大震災 →
    東/日本/大/震災) carries those sub-units so that a part of a compound can be found. Punctuation
    and spaces are dropped; unknown words are kept (Sudachi tags rare kanji such as 𠮟 as symbols).
    """

    def __init__(self) -> None:
        # Folding the same few thousand words again and again is most of the work: remember them.
        self._forms: dict[tuple[str, str], tuple[str, str] | None] = {}
        # A dictionary word gives the same token wherever it stands (its forms, reading and mode A
        # split come from the dictionary and its surface), an unknown word wherever it has the
        # same surface, forms and reading: made once, at offset 0.
        self._known: dict[tuple, Token | None] = {}
        # Sudachi writes each chunk's morphemes into this list rather than a new one (a sixth
        # less time); it holds only the chunk being read.
        self._morphemes = None

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text` in order, with offsets in code points of `text`."""
        return self.words(text).tokens()

    def words(self, text: str) -> Words:
        """The words of `text` in order (see `Words`): what the index reads, made faster than tokens."""
        return self._words_of(text, reuse=True)

    def _words_of(self, text: str, reuse: bool) -> Words:
        """`words`; with `reuse` False (within another call), in lists of its own."""
        from sudachipy import SplitMode

        sudachi = _sudachi_tokenizer()
        known = self._known
        words: list[Token] = []
        starts: list[int] = []
        for offset, chunk in _chunks(text):
            morphemes = sudachi.tokenize(chunk, SplitMode.C, out=self._morphemes if reuse else None)
            if reuse:
                self._morphemes = morphemes
            # Morphemes cover the chunk one after the other, each its surface long: counting
            # their lengths costs less than asking each where it begins.
            place = offset
            for morpheme in morphemes:
                surface = morpheme.surface()
                key: tuple = (morpheme.word_id(), surface)
                if morpheme.is_oov():
                    # An unknown word's id holds only its part of speech, and a number Sudachi
                    # joins is one whose reading depends on its context (一つ: ヒト, 一: イチ).
                    key += (morpheme.normalized_form(), morpheme.reading_form())
                word = known.get(key, _UNSEEN)
                if word is _UNSEEN:
                    word = known[key] = self._token(morpheme, -morpheme.begin())
                if word is not None:
                    words.append(word)
                    starts.append(place)
                place += len(surface)
        return Words(words, starts)

    def _token(self, morpheme, offset: int) -> Token | None:  # noqa: ANN001 - a sudachipy Morpheme
        """The token of a morpheme of a chunk that starts at `offset`; None for punctuation and spaces."""
        from sudachipy import SplitMode

        forms = self._fold(morpheme)
        if forms is None:
            return None
        start, end = offset + morpheme.begin(), offset + morpheme.end()
        units: tuple[Token, ...] = ()
        if morpheme.is_oov() and _hides_words(morpheme.surface()):
            units = self._unknown_units(morpheme.surface(), start)
        # A one-character word cannot split; asking Sudachi costs more than the check.
        elif end - start > 1:
            split = morpheme.split(SplitMode.A)
            if len(split) > 1:
                units = tuple(self._units(split, offset))
        return Token(forms[0], forms[1], start, end, units, morpheme.reading_form())

    def _unknown_units(self, surface: str, start: int) -> tuple[Token, ...]:
        """Sub-units of an unknown word: its first character, then the words of the rest.

        Sudachi makes one unknown word of 〇 (a numeral, also a list marker) and the kanji after
        it: 〇東日本大震災復興特別委員 would hide 東日本大震災 from search.
        """
        first = self._fold_text(surface[0])
        units = [Token(first[0], first[1], start, start + 1)] if first else []
        for token in self._words_of(surface[1:], reuse=False).tokens():
            for unit in token.units or (token,):
                units.append(
                    Token(unit.surface, unit.normalized, unit.start + start + 1, unit.end + start + 1, (), unit.reading)
                )
        return tuple(units)

    def _units(self, split, offset: int) -> list[Token]:  # noqa: ANN001 - a sudachipy MorphemeList
        units = []
        for unit in split:
            forms = self._fold(unit)
            if forms is not None:
                units.append(Token(forms[0], forms[1], offset + unit.begin(), offset + unit.end(), (), unit.reading_form()))
        return units

    def _fold(self, morpheme) -> tuple[str, str] | None:  # noqa: ANN001 - a sudachipy Morpheme
        """Folded (surface, normalized form) of a morpheme, or None for punctuation and spaces."""
        return self._fold_text(morpheme.surface(), morpheme.normalized_form())

    def _fold_text(self, surface: str, normalized: str | None = None) -> tuple[str, str] | None:
        key = (surface, surface if normalized is None else normalized)
        if key not in self._forms:
            folded = _term(key[0])
            self._forms[key] = (folded, _term(key[1]) or folded) if folded else None
        return self._forms[key]


_UNSEEN = Token("", "", 0, 0)
"""Marks a dictionary word not met yet (None marks one that gives no token)."""


def _moved(word: Token, start: int) -> Token:
    """`word`, made at offset 0, standing at `start`."""
    units = tuple(Token(u.surface, u.normalized, start + u.start, start + u.end, (), u.reading) for u in word.units) if word.units else ()
    return Token(word.surface, word.normalized, start, start + word.end, units, word.reading)


def _term(text: str) -> str:
    """The index term for a word: folded, without punctuation at its ends, without `*`.

    lunr.js reads `*` in a query term as a wildcard, so a term holding one could never be found.
    """
    return strip_non_word(fold(text).replace("*", ""))


_NUMERAL_KANJI = set("〇一二三四五六七八九十百千万億兆")


def _hides_words(surface: str) -> bool:
    """True for an unknown word long enough to hide known words: 3+ characters, a kanji not a numeral."""
    return len(surface) >= 3 and any(is_kanji(char) and char not in _NUMERAL_KANJI for char in surface)


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Cut `text` into pieces SudachiPy accepts, at sentence ends where possible; no character is lost.

    Yields (offset in code points, piece); the pieces joined give `text` back.
    """
    if len(text.encode("utf-8")) <= MAX_CHUNK_BYTES:
        if text:
            yield 0, text
        return
    offset = 0
    chunk: list[str] = []
    size = 0
    for piece in _pieces(text):
        piece_size = len(piece.encode("utf-8"))
        if chunk and size + piece_size > MAX_CHUNK_BYTES:
            joined = "".join(chunk)
            yield offset, joined
            offset += len(joined)
            chunk, size = [], 0
        chunk.append(piece)
        size += piece_size
    if chunk:
        yield offset, "".join(chunk)


def _pieces(text: str) -> Iterator[str]:
    """Sentences of `text`; a sentence too long for one chunk is cut at commas, then anywhere."""
    for sentence in _SENTENCES.findall(text):
        if len(sentence.encode("utf-8")) <= MAX_CHUNK_BYTES:
            if sentence:
                yield sentence
            continue
        for clause in _CLAUSES.findall(sentence):
            if len(clause.encode("utf-8")) <= MAX_CHUNK_BYTES:
                if clause:
                    yield clause
                continue
            # At most 4 bytes a code point: this many code points always fit.
            step = MAX_CHUNK_BYTES // 4
            for start in range(0, len(clause), step):
                yield clause[start : start + step]
