"""The search index of a site: a lunr index of utterances, a document store, and the term maps.

`build_search_index` tokenizes every utterance with Sudachi and builds one lunr document per
utterance with lunr.py (no pipeline: the terms go in as they are): a `SearchIndex`, whose `lunr`
is the lunr.js 2.3.9 serialization of the whole index. One field, `text`; refs are utterance
numbers across the archive, "0", "1", … Every posting carries the metadata `p`: where the term
stands in the speech, as a flat list `[start, length, start, length, …]` in code points
(JavaScript must convert to UTF-16 units). The inverted index is in UTF-16 order, as lunr.js
requires.

`write_search_index` writes it into `<site>/search/` cut into small files (shards.py), so that
the browser fetches only what a query needs.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lunr import __TARGET_JS_VERSION__ as LUNR_VERSION
from lunr.builder import Builder
from lunr.field_ref import FieldRef

from ..models import AgendaItem, Archive
from ..wareki import fiscal_year
from .folding import hiragana, is_kanji
from .tokenizer import JapaneseTokenizer, Token

FIELD = "text"
"""The one lunr field: the speech of an utterance."""
POSITIONS = "p"
"""The metadata key of term positions in every posting."""
SEARCH_DIR = "search"


_KATAKANA = re.compile("[ァ-ヶー]+")


@dataclass(frozen=True)
class MeetingEntry:
    """What a hit shows of its meeting, and what the search page filters on."""

    title: str
    date: str
    body: str
    body_slug: str
    fiscal_year: int
    url: str
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentEntry:
    """One utterance in the document store; its position in the store is its lunr ref."""

    meeting: int
    number: int
    speaker: str
    item: int | None
    text: str


@dataclass
class SearchIndex:
    """A built search index: the serialized lunr index, the document store and the term maps."""

    lunr: dict
    meetings: list[MeetingEntry]
    documents: list[DocumentEntry]
    normalized: dict[str, str]
    units: dict[str, list[str]]
    readings: dict[str, str] = field(default_factory=dict)


def utf16_order(term: str) -> bytes:
    """Sort key that orders strings as JavaScript compares them (by UTF-16 code unit)."""
    return term.encode("utf-16-be")


class _PretokenizedBuilder(Builder):
    """A lunr.py builder fed with terms and positions instead of strings.

    lunr.py's `add` runs its own whitespace tokenizer; here the terms come from Sudachi, and each
    posting keeps the terms' positions for adjacency and highlighting.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ref("id")
        self.field(FIELD)

    def add_terms(self, ref: str, positions: dict[str, list[int]]) -> None:
        """Add one document: term → flat [start, length, …] list, terms in order of first use."""
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
        # lunr.js builds its token set on load, and query.py searches the sorted vocabulary
        # itself: lunr.py's automaton would only cost time.
        self.token_set = None


@dataclass
class _TermStats:
    """What the index learns about terms while tokenizing, for the query's term maps.

    Only distinct shapes are kept (words repeat a great deal); the maps are made at the end.
    """

    words: set[tuple[str, str, str]] = field(default_factory=set)
    """(surface, normalized form, reading) of every word and sub-unit."""
    splits: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    """(term, its sub-units) of every word, by surface and by normalized form; () if it does not split."""

    def add(self, token: Token) -> None:
        """Record a token's forms, its reading and how (or whether) it splits."""
        self.words.add((token.surface, token.normalized, token.reading))
        for unit in token.units:
            self.words.add((unit.surface, unit.normalized, unit.reading))
        split = tuple(unit.normalized for unit in token.units) if len(token.units) > 1 else ()
        self.splits.add((token.surface, split))
        self.splits.add((token.normalized, split))

    def normalized_map(self) -> dict[str, str]:
        """Surface → normalized form, for surfaces that always normalize the same way (こども → 子供)."""
        forms: dict[str, set[str]] = defaultdict(set)
        for surface, normalized, _ in self.words:
            forms[surface].add(normalized)
        return {
            surface: next(iter(found))
            for surface, found in sorted(forms.items())
            if len(found) == 1 and surface not in found
        }

    def readings_map(self, vocabulary: set[str]) -> dict[str, str]:
        """Reading in hiragana → normalized form, for readings of one word only (めぐろ → 目黒).

        A query typed in kana finds the word even where the archive never writes it in kana;
        readings that are index terms themselves are left to the index.
        """
        words: dict[str, set[str]] = defaultdict(set)
        for _, normalized, reading in self.words:
            if len(reading) >= 2 and _KATAKANA.fullmatch(reading) and any(map(is_kanji, normalized)):
                words[hiragana(reading)].add(normalized)
        return {
            reading: next(iter(found))
            for reading, found in sorted(words.items())
            if len(found) == 1 and reading not in vocabulary
        }

    def units_map(self) -> dict[str, list[str]]:
        """Compound → mode A sub-units, for compounds that split, and always the same way."""
        splits: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for term, split in self.splits:
            splits[term].add(split)
        return {
            term: list(next(iter(found)))
            for term, found in sorted(splits.items())
            if len(found) == 1 and () not in found
        }


def document_terms(tokens: list[Token]) -> dict[str, list[int]]:
    """The terms of one utterance: term → flat [start, length, …], terms in order of first use.

    Each token gives its surface and normalized form, and each sub-unit of a compound its own;
    a term is counted once per place it stands.
    """
    positions: dict[str, list[int]] = {}
    for token in tokens:
        for word in (token, *token.units) if token.units else (token,):
            span = (word.start, word.end - word.start)
            positions.setdefault(word.surface, []).extend(span)
            # Sub-units lie strictly inside their word, so only the two forms of one word can
            # name the same term at the same place.
            if word.normalized != word.surface:
                positions.setdefault(word.normalized, []).extend(span)
    return positions


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector off for a while, as it was before afterwards.

    An index is millions of small acyclic objects: the collector would walk them over and over
    while they are made, for nothing (a quarter of the build time of a large archive).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Tokenizer(Protocol):
    """What the index needs of a tokenizer: JapaneseTokenizer, or a cache in front of it."""

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text` in order."""


def build_search_index(archive: Archive, base_path: str, tokenizer: Tokenizer | None = None) -> SearchIndex:
    """Tokenize every utterance of `archive` and build its search index.

    `base_path` is the site's URL path prefix, "/" or "/minutes/"; hit URLs are
    `base_path + meeting.path + "/#sN"`. `tokenizer` defaults to a new JapaneseTokenizer.
    """
    with collector_paused():
        return _build(archive, base_path, tokenizer or JapaneseTokenizer())


def _build(archive: Archive, base_path: str, tokenizer: Tokenizer) -> SearchIndex:
    builder = _PretokenizedBuilder()
    stats = _TermStats()
    meetings: list[MeetingEntry] = []
    documents: list[DocumentEntry] = []
    for body in archive.bodies:
        for meeting in body.meetings:
            items = [block for block in meeting.record if isinstance(block, AgendaItem)]
            item_position = {item.id: position for position, item in enumerate(items)}
            meetings.append(
                MeetingEntry(
                    title=meeting.title, date=meeting.date.isoformat(), body=body.title,
                    body_slug=body.slug, fiscal_year=fiscal_year(meeting.date),
                    url=f"{base_path}{meeting.path}/", items=[item.title for item in items],
                )  # fmt: skip
            )
            for utterance in meeting.utterances:
                text = utterance.text
                tokens = tokenizer.tokenize(text)
                for token in tokens:
                    stats.add(token)
                builder.add_terms(str(len(documents)), document_terms(tokens))
                documents.append(
                    DocumentEntry(
                        meeting=len(meetings) - 1, number=utterance.number,
                        speaker=utterance.speaker.label,
                        item=item_position.get(utterance.item_id) if utterance.item_id else None,
                        text=text,
                    )  # fmt: skip
                )
    return SearchIndex(
        lunr=_serialize(builder),
        meetings=meetings,
        documents=documents,
        normalized=stats.normalized_map(),
        units=stats.units_map(),
        readings=stats.readings_map(set(builder.inverted_index)),
    )


def _serialize(builder: _PretokenizedBuilder) -> dict:
    """The lunr.js 2.3.9 serialization, with the inverted index in UTF-16 order."""
    if builder.document_count:
        index = builder.build()
        vectors = [[ref, vector.serialize()] for ref, vector in index.field_vectors.items()]
    else:
        # lunr.py divides by the number of documents; an empty archive gets an empty index.
        vectors = []
    inverted = [[term, builder.inverted_index[term]] for term in sorted(builder.inverted_index, key=utf16_order)]
    return {
        "version": LUNR_VERSION,
        "fields": [FIELD],
        "fieldVectors": vectors,
        "invertedIndex": inverted,
        "pipeline": [],
    }


def write_search_index(index: SearchIndex, out_dir: Path) -> None:
    """Write the search files of `index` into `out_dir/search/` (see shards.py for what they are)."""
    from .shards import write_search_files  # shards.py reads this module's models: import it late

    with collector_paused():
        write_search_files(index, out_dir / SEARCH_DIR)
