"""What a query knows of the index: its terms, and which terms a typed word stands for.

The maps come from the build (index.py's `normalized`, `units` and `readings`); `word_map` folds
them into one table, the form the site ships in its lexicon files (shards.py), so that the Python
search and the browser read the same thing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from .folding import hiragana


def word_map(
    terms: set[str], normalized: dict[str, str], units: dict[str, list[str]], readings: dict[str, str]
) -> dict[str, list[str]]:
    """Term or reading → the index terms it stands for, where those are not just the term itself.

    A term stands for its sub-units when it is a compound that always splits the same way (大震災
    → 大, 震災), else for its normalized form (こども → 子供); a reading (in hiragana, never itself
    a term: めぐろ) stands for what its word stands for.
    """

    def stands_for(word: str) -> list[str]:
        if word in units:
            return list(units[word])
        return [normalized.get(word, word)]

    # Only a term the maps hold can stand for other terms: look those up, not every term.
    mapped = {term: found for term in (units.keys() | normalized.keys()) & terms if (found := stands_for(term)) != [term]}
    for reading, word in readings.items():
        mapped[reading] = stands_for(word)
    return mapped


class Lexicon:
    """The index terms and the word map (see `word_map`): what segmenting a query needs."""

    def __init__(self, terms: Iterable[str], words: dict[str, list[str]], longest: int | None = None) -> None:
        self._sorted = sorted(terms)
        self._set = set(self._sorted)
        self._words = words
        self.longest = (
            longest if longest is not None else max((len(word) for word in (*self._sorted, *words)), default=0)
        )
        """The longest term or reading, in code points: no known piece is longer."""

    def knows(self, piece: str) -> bool:
        """True for an index term, the same in hiragana (コドモ for こども), or a reading (めぐろ)."""
        if piece in self._set:
            return True
        # A key of the word map is a term or a reading.
        kana = hiragana(piece)
        return kana in self._set or kana in self._words

    def is_term(self, term: str) -> bool:
        """True for a term of the index."""
        return term in self._set

    def words(self, piece: str) -> list[str]:
        """The index terms a known piece stands for: sub-units of a compound, else its normalized form."""
        word = piece if piece in self._set else hiragana(piece)
        return list(self._words.get(word, [word]))

    def with_prefix(self, prefix: str) -> list[str]:
        """Every term that starts with `prefix` (itself included), in code point order."""
        start = bisect.bisect_left(self._sorted, prefix)
        end = start
        while end < len(self._sorted) and self._sorted[end].startswith(prefix):
            end += 1
        return self._sorted[start:end]

    def has_prefix(self, prefix: str) -> bool:
        """True when some term starts with `prefix`."""
        start = bisect.bisect_left(self._sorted, prefix)
        return start < len(self._sorted) and self._sorted[start].startswith(prefix)
