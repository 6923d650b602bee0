"""The fast lunr writer gives exactly lunr.py's serialization for the same documents."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.builder import Builder
from lunr.field_ref import FieldRef

from generator.search.analysis import document_terms, posting_entries
from generator.search.lunr_writer import FIELD, POSITIONS, LunrWriter, utf16_order
from generator.search.tokenizer import JapaneseTokenizer
from tests.search_corpus import CORPUS, sample_archive


class LunrPyBuilder(Builder):
    """lunr.py's own builder fed with terms and positions (what the build used before the writer)."""

    def __init__(self) -> None:
        super().__init__()
        self.ref("id")
        self.field(FIELD)

    def add_terms(self, ref: str, positions: dict[str, list[int]]) -> None:
        self._documents[ref] = {}
        self.document_count += 1
        field_ref = str(FieldRef(ref, FIELD))
        frequencies = {term: len(spans) // 2 for term, spans in positions.items()}
        self.field_term_frequencies[field_ref] = frequencies
        self.field_lengths[field_ref] = sum(frequencies.values())
        for term, spans in positions.items():
            posting = self.inverted_index.get(term)
            if posting is None:
                posting = {"_index": self.term_index, FIELD: {}}
                self.term_index += 1
                self.inverted_index[term] = posting
            posting[FIELD][ref] = {POSITIONS: spans}

    def _create_token_set(self) -> None:
        self.token_set = None


def lunr_py(documents: list[dict[str, list[int]]]) -> bytes:
    builder = LunrPyBuilder()
    for ref, positions in enumerate(documents):
        builder.add_terms(str(ref), positions)
    vectors = []
    if documents:
        index = builder.build()
        vectors = [[ref, vector.serialize()] for ref, vector in index.field_vectors.items()]
    inverted = [[term, builder.inverted_index[term]] for term in sorted(builder.inverted_index, key=utf16_order)]
    serialized = {"version": "2.3.9", "fields": [FIELD], "fieldVectors": vectors, "invertedIndex": inverted, "pipeline": []}
    return _bytes(serialized)


def writer(documents: list[dict[str, list[int]]]) -> bytes:
    lunr_writer = LunrWriter()
    for ref, positions in enumerate(documents):
        # A text of letters only: no place follows punctuation, so the metadata is lunr.py's `p` alone.
        letters = "あ" * (1 + max((start for spans in positions.values() for start in spans[0::2]), default=0))
        lunr_writer.add(posting_entries(letters, positions, ref))
    return _bytes(lunr_writer.serialize())


def _bytes(serialized: dict) -> bytes:
    # The bytes a site would get: equal floats print equally, so this compares every weight.
    return json.dumps(serialized, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent: the sample archive is made from it")
def test_the_writer_matches_lunr_py_on_the_corpus_sample() -> None:
    tokenizer = JapaneseTokenizer()
    documents = [document_terms(tokenizer.words(u.text)) for m in sample_archive().meetings for u in m.utterances]
    assert len(documents) > 100
    assert writer(documents) == lunr_py(documents)


TERMS = st.text(alphabet="あいう議会東京𠮟a1", min_size=1, max_size=3)
DOCUMENT = st.dictionaries(TERMS, st.lists(st.integers(0, 500), min_size=1, max_size=4).map(lambda xs: [x for x in xs for x in (x, 1)]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(DOCUMENT, max_size=25))
def test_the_writer_matches_lunr_py_on_any_documents(documents: list[dict[str, list[int]]]) -> None:
    """Empty documents, repeated terms, one document or many: every weight and posting agrees."""
    assert writer(documents) == lunr_py(documents)
