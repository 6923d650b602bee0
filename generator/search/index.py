"""The search index of a site: a lunr index of utterances, a document store, and the term maps.

`build_search_index` tokenizes every utterance with Sudachi (analysis.py, in worker processes for
a large archive) and makes one lunr document per utterance (no pipeline: the terms go in as they
are), written as lunr.py would (lunr_writer.py): a `SearchIndex`, whose `lunr` is the lunr.js
2.3.9 serialization of the whole index (and `parts` its pieces, from which the shards are cut). One field, `text`; refs are utterance
numbers across the archive, "0", "1", …, and the site's files name an utterance by a key that does
not move when other meetings come or go: `<meeting id>.<number>`, the id a short hash of the
meeting's path (chunking.py). Every posting carries the metadata `p`: where the term
stands in the speech, as a flat list `[start, length, start, length, …]` in code points
(JavaScript must convert to UTF-16 units). The inverted index is in UTF-16 order, as lunr.js
requires.

`write_search_index` writes it into `<site>/search/` cut into small files (shards.py), so that
the browser fetches only what a query needs.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from ..models import AgendaItem, Archive
from ..speakers import speaker_key
from ..wareki import fiscal_year
from .analysis import Analyses, TermStats, Tokenizer, worker_count
from .chunking import unique_names
from .lunr_writer import FIELD, POSITIONS, LunrParts, LunrWriter, utf16_order  # noqa: F401 - FIELD, POSITIONS and utf16_order are read from here too


SEARCH_DIR = "search"
MEETING_ID_DIGITS = 4
"""Base-36 digits of a meeting id (more where two meetings' hashes share them)."""


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
    id: str = ""
    """A short hash of the meeting's path: the search files name its utterances `<id>.<number>`."""


@dataclass(frozen=True)
class DocumentEntry:
    """One utterance in the document store; its position in the store is its lunr ref."""

    meeting: int
    number: int
    speaker: str
    item: int | None
    text: str
    who: str | None = None
    """The named speaker's speaker_key, or None where the minutes give only a label (会長, 区側)."""


@dataclass
class SearchIndex:
    """A built search index: the lunr index (in the parts the shards are cut from), the document store and the term maps."""

    parts: LunrParts
    meetings: list[MeetingEntry]
    documents: list[DocumentEntry]
    normalized: dict[str, str]
    units: dict[str, list[str]]
    readings: dict[str, str] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)
    """By ref: how many term places each utterance has (BM25's field length)."""

    @property
    def lunr(self) -> dict:
        """The whole index as one lunr.js 2.3.9 serialization (made on each call: the site ships shards)."""
        return self.parts.serialization()


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


def build_search_index(
    archive: Archive,
    base_path: str,
    tokenizer: Tokenizer | None = None,
    jobs: int | None = 1,
    cache_dir: Path | None = None,
) -> SearchIndex:
    """Tokenize every utterance of `archive` and build its search index.

    `base_path` is the site's URL path prefix, "/" or "/minutes/"; hit URLs are
    `base_path + meeting.path + "/#sN"`. `tokenizer` defaults to a new JapaneseTokenizer; `jobs`
    and `cache_dir` are as for `PendingSearchIndex`.
    """
    with PendingSearchIndex(archive, base_path, tokenizer, jobs, cache_dir) as pending:
        return pending.result()


class PendingSearchIndex:
    """A search index under way: its texts are tokenized in worker processes from the start.

    `jobs` is the number of worker processes (1: none, tokenize here; None: one per core when
    the archive is large enough); with `cache_dir`, tokens are read from and added to the token
    cache there. A given `tokenizer` is used in this process, without workers. The index is the
    same whatever `jobs` is. Use it with `with` so that the workers stop whatever happens.
    """

    def __init__(
        self,
        archive: Archive,
        base_path: str,
        tokenizer: Tokenizer | None = None,
        jobs: int | None = 1,
        cache_dir: Path | None = None,
    ):
        self.meetings, self.documents = _store(archive, base_path)
        texts = [document.text for document in self.documents]
        self._keys = [document_key(self.meetings, document) for document in self.documents]
        workers = 0 if tokenizer is not None else worker_count(texts, jobs)
        self._analyses = Analyses(texts, self._keys, workers, cache_dir, tokenizer)

    @property
    def workers(self) -> int:
        """How many worker processes tokenize (0: this process does)."""
        return self._analyses.workers

    @property
    def tokenized(self) -> int:
        """How many utterances Sudachi tokenized (the others came from the cache)."""
        return self._analyses.tokenized

    def result(self) -> SearchIndex:
        """The index, once every text is analysed; the workers are stopped."""
        with collector_paused():
            writer = LunrWriter()
            stats = TermStats()
            keys = iter(self._keys)
            for analysis in self._analyses:
                stats.update(analysis.stats)
                for entries in analysis.entries:
                    writer.add(entries, next(keys))
                del analysis
            self.close()
            return SearchIndex(
                parts=writer.parts(),
                meetings=self.meetings,
                documents=self.documents,
                normalized=stats.normalized_map(),
                units=stats.units_map(),
                readings=stats.readings_map(writer.inverted),
                lengths=writer.lengths,
            )

    def close(self) -> None:
        """Stop the worker processes."""
        self._analyses.close()

    def __enter__(self) -> PendingSearchIndex:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


def document_key(meetings: list[MeetingEntry], document: DocumentEntry) -> str:
    """The key the search files name an utterance by: `<meeting id>.<number>`."""
    return f"{meetings[document.meeting].id}.{document.number}"


def _store(archive: Archive, base_path: str) -> tuple[list[MeetingEntry], list[DocumentEntry]]:
    """The document store: every meeting, and every utterance in order (its position is its ref)."""
    meetings: list[MeetingEntry] = []
    documents: list[DocumentEntry] = []
    ids = unique_names((meeting.path for meeting in archive.meetings), MEETING_ID_DIGITS)
    for body in archive.bodies:
        for meeting in body.meetings:
            items = [block for block in meeting.record if isinstance(block, AgendaItem)]
            item_position = {item.id: position for position, item in enumerate(items)}
            meetings.append(
                MeetingEntry(
                    title=meeting.title, date=meeting.date.isoformat(), body=body.title,
                    body_slug=body.slug, fiscal_year=fiscal_year(meeting.date),
                    url=f"{base_path}{meeting.path}/", items=[item.title for item in items], id=ids[meeting.path],
                )  # fmt: skip
            )
            for utterance in meeting.utterances:
                documents.append(
                    DocumentEntry(
                        meeting=len(meetings) - 1, number=utterance.number,
                        speaker=utterance.speaker.label,
                        item=item_position.get(utterance.item_id) if utterance.item_id else None,
                        text=utterance.text,
                        who=speaker_key(utterance.speaker.name) if utterance.speaker.name else None,
                    )  # fmt: skip
                )
    return meetings, documents


def write_search_index(index: SearchIndex, out_dir: Path, jobs: int | None = None) -> int:
    """Write the search files of `index` into `out_dir/search/` (see shards.py for what they are).

    `jobs` as for `shards.write_search_files`; returns the memory its helper process held alone, in bytes.
    """
    from .shards import write_search_files  # shards.py reads this module's models: import it late

    with collector_paused():
        return write_search_files(index, out_dir / SEARCH_DIR, jobs=jobs)
