"""The lunr.js 2.3.9 serialization of the utterance index, written without lunr.py's `Builder`.

lunr.py's builder keeps a `Vector` per document and inserts every term by binary search, and
builds an `Index` object only to be serialized again: on 600 meetings that is a quarter of the
build. This writer keeps per document only its term numbers and frequencies, and computes the same
BM25 weights with the same floating-point operations in the same order, so its output is equal,
number for number, to lunr.py's (tests/test_build_speed.py compares the two).
"""

from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass

from lunr import __TARGET_JS_VERSION__ as LUNR_VERSION

FIELD = "text"
"""The one lunr field: the speech of an utterance."""
POSITIONS = "p"
"""The metadata key of term positions in every posting."""
GAPS = "g"
"""The metadata key of the punctuation before term places, where there is some (analysis.posting_entries)."""
K1 = 1.2
"""lunr's BM25 term-frequency saturation (lunr.py `Builder._k1`, lunr.js `k1`)."""
B = 0.75
"""lunr's BM25 length normalisation (lunr.py `Builder._b`, lunr.js `b`)."""


def utf16_order(term: str) -> bytes:
    """Sort key that orders strings as JavaScript compares them (by UTF-16 code unit)."""
    return term.encode("utf-16-be")


class LunrWriter:
    """Documents in, the lunr.js serialization dict out; refs are "0", "1", … in order of `add`."""

    def __init__(self) -> None:
        self.inverted: dict[str, dict] = {}
        """term → lunr posting `{"_index": n, "text": {ref: metadata}}`, the metadata as JSON text."""
        self._terms: list[array] = []
        self._frequencies: list[array] = []
        self._lengths: list[int] = []

    @property
    def document_count(self) -> int:
        """How many documents were added."""
        return len(self._lengths)

    def add(self, entries: dict[str, tuple[int, str]]) -> None:
        """Add the next document: term → (term frequency, posting metadata as JSON), terms in order of first use.

        analysis.posting_entries makes the entries; the metadata stays JSON text until the
        shards are written (or `LunrParts.serialization` parses it).
        """
        ref = str(len(self._lengths))
        inverted = self.inverted
        terms = array("l")
        frequencies = array("l")
        for term, (frequency, metadata) in entries.items():
            posting = inverted.get(term)
            if posting is None:
                # lunr numbers terms in the order it first meets them.
                posting = inverted[term] = {"_index": len(inverted), FIELD: {}}
            posting[FIELD][ref] = metadata
            terms.append(posting["_index"])
            frequencies.append(frequency)
        self._terms.append(terms)
        self._frequencies.append(frequencies)
        self._lengths.append(sum(frequencies))

    def serialize(self) -> dict:
        """The lunr.js 2.3.9 serialization, with the inverted index in UTF-16 order."""
        return self.parts().serialization()

    def parts(self) -> LunrParts:
        """The index as the shards need it: postings in UTF-16 order and each term's BM25 weights.

        The weights are lunr.py's `_create_field_vectors`, kept per term rather than per document;
        the expressions keep lunr.py's operand order, since floating-point results depend on it.
        """
        ordered = sorted(self.inverted, key=utf16_order)
        components: dict[int, tuple[array, array]] = {}
        count = len(self._lengths)
        if count:
            # lunr.py sums the lengths as integers, then divides once.
            average = sum(self._lengths) / count
            idf = [0.0] * len(self.inverted)
            for posting in self.inverted.values():
                with_term = len(posting[FIELD])
                idf[posting["_index"]] = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
                components[posting["_index"]] = (array("l"), array("d"))
            saturation = K1 + 1
            for ref, (terms, frequencies, length) in enumerate(zip(self._terms, self._frequencies, self._lengths)):
                if not terms:
                    # An empty speech has no components: lunr.py never divides by its (possibly zero) average length.
                    continue
                norm = K1 * (1 - B + B * (length / average))
                for term, tf in zip(terms, frequencies):
                    refs, weights = components[term]
                    refs.append(ref)
                    weights.append(round(idf[term] * (saturation * tf) / (norm + tf), 3))
        return LunrParts([[term, self.inverted[term]] for term in ordered], components, count)


@dataclass
class LunrParts:
    """A lunr index in the pieces the site's shards are cut from.

    `inverted` is the inverted index ([[term, posting], …] in UTF-16 order), each document's
    metadata in a posting as JSON text;
    `components` maps each term's index to the documents that hold it (refs, ascending) and the
    term's weight in each one's field vector: the same numbers as the field vectors, by term.
    """

    inverted: list[list]
    components: dict[int, tuple[array, array]]
    documents: int

    def serialization(self) -> dict:
        """The lunr.js 2.3.9 serialization (`lunr.Index.load` reads it)."""
        vectors: dict[int, list[float]] = {ref: [] for ref in range(self.documents)}
        # Terms in index order: each document's elements come out ordered, as lunr.Vector keeps them.
        for term in sorted(self.components):
            refs, weights = self.components[term]
            for ref, weight in zip(refs, weights):
                vectors[ref] += (term, weight)
        inverted = [
            [term, {"_index": posting["_index"], FIELD: {ref: json.loads(metadata) for ref, metadata in posting[FIELD].items()}}]
            for term, posting in self.inverted
        ]
        return {
            "version": LUNR_VERSION,
            "fields": [FIELD],
            "fieldVectors": [[f"{FIELD}/{ref}", elements] for ref, elements in vectors.items()],
            "invertedIndex": inverted,
            "pipeline": [],
        }
