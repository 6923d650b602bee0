"""The lexicon's word maps of a kept index, brought up to date as meetings' word shapes come and go.

`TermStats` makes the three maps (normalized forms, sub-units, readings: see analysis.py) from
every word shape of the archive, which on the 603-meeting corpus is a few hundred thousand
shapes and a few tenths of a second on every index. A process that keeps the index from one
update to the next (the `minutes serve` search worker) keeps these maps too: for each key (a
surface, a reading, a term) it counts the values its shapes give, so a meeting that comes or
goes recomputes only the keys of the shapes it brought or took away. The maps are those
`TermStats` would make of the same shapes (tests/test_incremental_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from .analysis import reading_key

Word = tuple[str, str, str]
"""A word shape: (surface, normalized form, reading)."""
Split = tuple[str, tuple[str, ...]]
"""A term and its sub-units (() when it does not split)."""


class TermMaps:
    """The word maps of a set of word shapes, updated as shapes are added and removed."""

    def __init__(self, words: Iterable[Word], splits: Iterable[Split]) -> None:
        self._forms: dict[str, dict[str, int]] = {}
        """Surface → the normalized forms of its shapes, each with how many shapes give it."""
        self._read: dict[str, dict[str, int]] = {}
        """Reading key (analysis.reading_key) → the normalized forms read so, counted."""
        self._splits: dict[str, dict[tuple[str, ...], int]] = {}
        """Term → its splits, counted (a set of shapes gives each at most once)."""
        self.normalized: dict[str, str] = {}
        """Surface → normalized form (TermStats.normalized_map)."""
        self.units: dict[str, list[str]] = {}
        """Term → sub-units (TermStats.units_map)."""
        self._readings: dict[str, str] = {}
        """Reading → normalized form, before the vocabulary is left out (TermStats.readings_map)."""
        self.change(words, (), splits, ())

    def change(self, added_words: Iterable[Word], removed_words: Iterable[Word], added_splits: Iterable[Split], removed_splits: Iterable[Split]) -> None:
        """Count shapes that are now in the archive and shapes that are no longer, and remake the keys they touch."""
        surfaces: set[str] = set()
        readings: set[str] = set()
        terms: set[str] = set()
        for step, words in ((1, added_words), (-1, removed_words)):
            for surface, normalized, reading in words:
                _count(self._forms, surface, normalized, step)
                surfaces.add(surface)
                key = reading_key(normalized, reading)
                if key is not None:
                    _count(self._read, key, normalized, step)
                    readings.add(key)
        for step, splits in ((1, added_splits), (-1, removed_splits)):
            for term, split in splits:
                _count(self._splits, term, split, step)
                terms.add(term)
        for surface in surfaces:
            forms = self._forms.get(surface, {})
            _set(self.normalized, surface, next(iter(forms)) if len(forms) == 1 and surface not in forms else None)
        for key in readings:
            forms = self._read.get(key, {})
            _set(self._readings, key, next(iter(forms)) if len(forms) == 1 else None)
        for term in terms:
            found = self._splits.get(term, {})
            _set(self.units, term, list(next(iter(found))) if len(found) == 1 and () not in found else None)

    def readings(self, vocabulary: dict[str, object]) -> dict[str, str]:
        """Reading → normalized form, for readings that are no index term of `vocabulary`."""
        return {reading: word for reading, word in self._readings.items() if reading not in vocabulary}


def _count(counts: dict, key: object, value: object, step: int) -> None:
    values = counts.setdefault(key, {})
    left = values.get(value, 0) + step
    if left > 0:
        values[value] = left
    else:
        values.pop(value, None)
        if not values:
            del counts[key]


def _set(mapping: dict, key: str, value: object) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value
