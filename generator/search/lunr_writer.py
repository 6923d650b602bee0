"""The lunr.js 2.3.9 serialization of the utterance index, written without lunr.py's `Builder`.

lunr.py's builder keeps a `Vector` per document and inserts every term by binary search, and
builds an `Index` object only to be serialized again: on 600 meetings that is a quarter of the
build. This writer keeps per term only the documents that hold it and its frequency in each, and
computes the same BM25 weights with the same floating-point operations in the same order, so its
output is equal, number for number, to lunr.py's (tests/test_build_speed_writer.py compares the
two). The site's shards carry no weights (they change with every meeting added): the browser and
`minutes search` compute them where the query runs, with `idf`, `length_norm` and `weight` here
(templates/static/search-engine.js mirrors them operation for operation).
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
LENGTH = "l"
"""The key of the document's BM25 field length in every posting entry of the site's shards; not lunr metadata."""
K1 = 1.2
"""lunr's BM25 term-frequency saturation (lunr.py `Builder._k1`, lunr.js `k1`)."""
B = 0.75
"""lunr's BM25 length normalisation (lunr.py `Builder._b`, lunr.js `b`)."""


def idf(documents: int, holding: int) -> float:
    """lunr's inverse document frequency of a term `holding` of `documents` documents hold."""
    return math.log(1 + abs((documents - holding + 0.5) / (holding + 0.5)))


def average_length(lengths: list[int]) -> float:
    """The average document length as lunr.py divides it: the integer sum, divided once."""
    return sum(lengths) / len(lengths)


def length_norm(length: int, average: float) -> float:
    """A document's BM25 length normalisation (0 for an empty document, which has no components)."""
    # The expressions keep lunr.py's operand order, since floating-point results depend on it.
    return K1 * (1 - B + B * (length / average)) if length else 0.0


def weight(term_idf: float, frequency: int, norm: float) -> float:
    """A term's component in a document's field vector, rounded as lunr.py rounds it.

    `round(x, 3)` rounds the exact binary value, as JavaScript's `toFixed(3)` does; the two differ
    only where x is exactly halfway between thousandths, which a weight made of a logarithm is not.
    """
    return round(term_idf * ((K1 + 1) * frequency) / (norm + frequency), 3)


def utf16_order(term: str) -> bytes:
    """Sort key that orders strings as JavaScript compares them (by UTF-16 code unit)."""
    return term.encode("utf-16-be")


class LunrWriter:
    """Documents in, the lunr.js serialization dict out; refs are "0", "1", … in order of `add`.

    A document's posting entries may name it by another key (the site's files name an utterance
    `<meeting id>.<number>`): `add` is told that key, and the serialization names it by its ref.
    """

    def __init__(self) -> None:
        self.inverted: dict[str, dict] = {}
        """term → posting `{"_index": n, "text": [entry, …]}`: lunr's posting, its documents as `"ref":metadata` JSON text."""
        self._occurrences: list[tuple[array, array]] = []
        """By term index: the refs of the documents that hold the term, and its frequency in each."""
        self._lengths: list[int] = []
        self.keys: list[str] = []
        """By ref: the key the document's posting entries name it by."""

    @property
    def document_count(self) -> int:
        """How many documents were added."""
        return len(self._lengths)

    @property
    def lengths(self) -> list[int]:
        """By ref: how many term places each document has (BM25's field length)."""
        return self._lengths

    def add(self, entries: dict[str, tuple[int, str]], key: str | None = None) -> None:
        """Add the next document: term → (term frequency, its posting entry), terms in order of first use.

        analysis.posting_entries makes the entries, each `"key":metadata` JSON text naming this
        document by `key` (by default its ref, `document_count` before the call); they stay text
        until the shards are written (or `LunrParts.serialization` parses them).
        """
        number = len(self._lengths)
        self.keys.append(str(number) if key is None else key)
        inverted = self.inverted
        occurrences = self._occurrences
        length = 0
        for term, (frequency, entry) in entries.items():
            posting = inverted.get(term)
            if posting is None:
                # lunr numbers terms in the order it first meets them.
                posting = inverted[term] = {"_index": len(inverted), FIELD: []}
                occurrences.append((array("l"), array("l")))
            posting[FIELD].append(entry)
            refs, frequencies = occurrences[posting["_index"]]
            refs.append(number)
            frequencies.append(frequency)
            length += frequency
        self._lengths.append(length)

    def serialize(self) -> dict:
        """The lunr.js 2.3.9 serialization, with the inverted index in UTF-16 order."""
        return self.parts().serialization()

    def parts(self) -> LunrParts:
        """The index as the shards need it: postings in UTF-16 order, and what each term's BM25 weights need.

        The weights are lunr.py's `_create_field_vectors`, made per term on request
        (`LunrParts.weights`), so that each shard computes only its own terms' weights.
        """
        ordered = sorted(self.inverted, key=utf16_order)
        count = len(self._lengths)
        idfs: list[float] = []
        norms: list[float] = []
        if count:
            average = average_length(self._lengths)
            idfs = [idf(count, len(refs)) for refs, _ in self._occurrences]
            # An empty speech has no components: lunr.py never divides by its (possibly zero) average length.
            norms = [length_norm(length, average) for length in self._lengths]
        return LunrParts([[term, self.inverted[term]] for term in ordered], self._occurrences, idfs, norms, self.keys)


@dataclass
class LunrParts:
    """A lunr index in the pieces the site's shards are cut from.

    `inverted` is the inverted index ([[term, posting], …] in UTF-16 order), a posting's
    documents as a list of `"ref":metadata` JSON texts (`LunrWriter.inverted`). By term index,
    `occurrences` holds the refs (ascending) of the documents that hold the term and its
    frequency in each, and `idf` its inverse document frequency; `norms` holds each document's
    BM25 length normalisation and `keys` the key its posting entries name it by.
    """

    inverted: list[list]
    occurrences: list[tuple[array, array]]
    idf: list[float]
    norms: list[float]
    keys: list[str]

    @property
    def documents(self) -> int:
        """How many documents the index holds."""
        return len(self.norms)

    def weights(self, term: int) -> tuple[array, list[float]]:
        """The documents that hold term number `term` (refs, ascending), and its weight in each one's field vector."""
        refs, frequencies = self.occurrences[term]
        term_idf, norms = self.idf[term], self.norms
        return refs, [weight(term_idf, tf, norms[ref]) for ref, tf in zip(refs, frequencies)]

    def serialization(self) -> dict:
        """The lunr.js 2.3.9 serialization (`lunr.Index.load` reads it)."""
        vectors: dict[int, list[float]] = {ref: [] for ref in range(self.documents)}
        # Terms in index order: each document's elements come out ordered, as lunr.Vector keeps them.
        for term in range(len(self.occurrences)):
            refs, weights = self.weights(term)
            for ref, weight in zip(refs, weights):
                vectors[ref] += (term, weight)
        refs = {key: str(ref) for ref, key in enumerate(self.keys)}
        inverted = [
            [term, {"_index": posting["_index"], FIELD: {
                refs[key]: {name: value for name, value in metadata.items() if name != LENGTH}
                for key, metadata in json.loads("{" + ",".join(posting[FIELD]) + "}").items()
            }}]
            for term, posting in self.inverted
        ]  # fmt: skip
        return {
            "version": LUNR_VERSION,
            "fields": [FIELD],
            "fieldVectors": [[f"{FIELD}/{ref}", elements] for ref, elements in vectors.items()],
            "invertedIndex": inverted,
            "pipeline": [],
        }
