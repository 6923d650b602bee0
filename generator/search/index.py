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
import itertools
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..models import AgendaItem, Archive
from ..output import OutputTree
from ..speakers import speaker_key
from ..wareki import fiscal_year
from .analysis import Analyses, TermStats, Tokenizer, worker_count
from .chunking import unique_names
from .incremental import IndexState, MeetingState, load_state, meeting_digest, save_state
from .incremental import version as incremental_version
from .lunr_writer import FIELD, POSITIONS, LunrParts, LunrWriter, utf16_order  # noqa: F401 - FIELD, POSITIONS and utf16_order are read from here too

if TYPE_CHECKING:
    from .shards import FilesMemo


SEARCH_DIR = "search"
INCREMENTAL_MIN_CHANGES = 8
"""An archive of any size may change this many meetings and still be updated rather than rebuilt."""
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
    """A built search index: its postings, the document store and the term maps (and, from scratch, the lunr index)."""

    postings: list[tuple[str, str, int]]
    """(term, its posting entries joined by commas in archive order, how many utterances hold it), in UTF-16 order."""
    meetings: list[MeetingEntry]
    documents: list[DocumentEntry]
    normalized: dict[str, str]
    units: dict[str, list[str]]
    readings: dict[str, str] = field(default_factory=dict)
    length: int = 0
    """Every utterance's BM25 field length (its term places), summed."""
    parts: LunrParts | None = None
    """The lunr index the postings come from, when it was built from scratch and asked for (build_search_index)."""
    kept: IndexState | None = None
    """The kept index these postings are (with a cache folder): writing the shards reads and
    records in it which shard files it wrote, so that the next build links those it would
    write again without making them (shards.py)."""

    @property
    def lunr(self) -> dict:
        """The whole index as one lunr.js 2.3.9 serialization (made on each call: the site ships shards)."""
        if self.parts is None:
            raise ValueError("this index was not built with its lunr index (build_search_index keeps it)")
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
    with PendingSearchIndex(archive, base_path, tokenizer, jobs, cache_dir, keep_lunr=True) as pending:
        return pending.result()


class PendingSearchIndex:
    """A search index under way: its texts are tokenized in worker processes from the start.

    `jobs` is the number of worker processes (1: none, tokenize here; None: one per core when
    the archive is large enough); with `cache_dir`, the index is kept there for the next build
    (incremental.py), which then analyses only the meetings that came or changed (when they are
    few: past max(INCREMENTAL_MIN_CHANGES, a tenth of the archive) it starts afresh). A given `tokenizer` is used in this
    process, without workers. The index is the same whatever `jobs` is, and whatever the cache
    holds. Use it with `with` so that the workers stop whatever happens. `keep_lunr` keeps the
    lunr index of a build from scratch in the result's `parts` (tests compare with it).

    A process that makes index after index (the `minutes serve` search worker) passes the
    `kept` index of its last `result()` instead of reading the cache's again, and `save=False`
    to write it to the cache itself, after its answer: `result()` updates `kept` in place, so
    after a failure it must be dropped. An index with a cache takes its word maps from the kept
    index, which keeps them up to date as meetings come and go (IndexState.term_maps).
    """

    def __init__(
        self,
        archive: Archive,
        base_path: str,
        tokenizer: Tokenizer | None = None,
        jobs: int | None = 1,
        cache_dir: Path | None = None,
        keep_lunr: bool = False,
        kept: IndexState | None = None,
        save: bool = True,
    ):
        self.meetings, self.documents = _store(archive, base_path)
        self._paths = [meeting.path for body in archive.bodies for meeting in body.meetings]
        self._cache_dir = cache_dir
        self._keep_lunr = keep_lunr
        texts = [document.text for document in self.documents]
        self._keys = [document_key(self.meetings, document) for document in self.documents]
        self._sizes = [0] * len(self.meetings)
        for document in self.documents:
            self._sizes[document.meeting] += 1
        firsts = list(itertools.accumulate(self._sizes, initial=0))
        self._digests = [meeting_digest(meeting.id, texts[firsts[k] : firsts[k + 1]]) for k, meeting in enumerate(self.meetings)]
        self._save = save
        self._unsaved = False
        """Whether the kept index differs from the cache's (with save=False, `save` keeps it)."""
        self.kept: IndexState | None = None
        """The index to keep for the next build, once `result()` made it (with `cache_dir`)."""
        self._state = self._reusable_state(kept) if cache_dir is not None else None
        self._files_read = (self._state.shards, self._state.texts) if self._state is not None else ({}, {})
        """The kept index's record of the files written from it, as read: `save` keeps a changed one."""
        self._changed = list(range(len(self.meetings)))
        """The meetings analysed: all, or those that came or changed since the kept index."""
        if self._state is not None:
            self._changed = [k for k, path in enumerate(self._paths) if self._kept_digest(path) != self._digests[k]]
        chosen = [(texts[firsts[k] : firsts[k + 1]], self._keys[firsts[k] : firsts[k + 1]]) for k in self._changed]
        run_texts = [text for meeting_texts, _ in chosen for text in meeting_texts]
        run_keys = [key for _, meeting_keys in chosen for key in meeting_keys]
        workers = 0 if tokenizer is not None else worker_count(run_texts, jobs)
        self._analyses = Analyses(run_texts, run_keys, [self._sizes[k] for k in self._changed], workers, tokenizer, per_text=keep_lunr)

    def _kept_digest(self, path: str) -> bytes | None:
        kept = self._state.meetings.get(path) if self._state is not None else None
        return kept.digest if kept is not None else None

    def _reusable_state(self, kept: IndexState | None) -> IndexState | None:
        """The index kept by the last build (`kept`, else the cache's), when updating it is worth it (a few meetings changed)."""
        assert self._cache_dir is not None
        state = kept if kept is not None and kept.version == incremental_version() else load_state(self._cache_dir, incremental_version())
        if state is None:
            return None
        current = dict(zip(self._paths, self._digests))
        changes = sum(1 for path, meeting in state.meetings.items() if current.get(path) != meeting.digest)
        changes += sum(1 for path in current if path not in state.meetings)
        # Each meeting cut out or put in rewrites the postings of its terms: past a tenth of the
        # archive, building afresh costs less.
        return state if changes <= max(INCREMENTAL_MIN_CHANGES, len(current) // 10) else None

    @property
    def workers(self) -> int:
        """How many worker processes tokenize (0: this process does)."""
        return self._analyses.workers

    @property
    def peak_with_workers(self) -> int | None:
        """Bytes: this process's peak resident set up to when the workers ended (None without workers)."""
        return self._analyses.peak_with_workers

    @property
    def worker_memory(self) -> dict[int, int]:
        """Worker process id → its peak proportional set size in bytes, as far as read (empty without workers, or off Linux)."""
        return self._analyses.worker_memory

    @property
    def tokenized(self) -> int:
        """How many utterances Sudachi tokenized (the others' postings came from the kept index)."""
        return self._analyses.tokenized

    @property
    def analysed(self) -> int:
        """How many meetings were analysed (the others' postings came from the kept index)."""
        return len(self._changed)

    @property
    def incremental(self) -> bool:
        """Whether the index is the kept one updated (else it is built from scratch)."""
        return self._state is not None

    def result(self) -> SearchIndex:
        """The index, once every text is analysed; the workers are stopped."""
        with collector_paused():
            index = self._updated() if self._state is not None else self._from_scratch()
            self.close()
            return index

    def _from_scratch(self) -> SearchIndex:
        # lunr's own index (`parts`) is made only when asked for: from each text's entries, while
        # the postings are put together from the meetings' joined parts either way.
        writer = LunrWriter() if self._keep_lunr else None
        segments: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        stats = TermStats()
        kept = IndexState(incremental_version()) if self._cache_dir is not None else None
        keys = iter(self._keys)
        length = 0
        meeting = 0
        for analysis in self._analyses:
            for meeting_postings, meeting_length, meeting_stats in analysis.meetings():
                if kept is not None:
                    self._keep_meeting(kept, meeting, meeting_length, meeting_stats)
                else:
                    stats.update(pickle.loads(meeting_stats))
                for term, (text, count) in meeting_postings.items():
                    segment = segments.get(term)
                    if segment is None:
                        segments[term] = [text]
                        counts[term] = count
                    else:
                        segment.append(text)
                        counts[term] += count
                length += meeting_length
                meeting += 1
            if writer is not None:
                for entries in analysis.entries:
                    writer.add(entries, next(keys))
            del analysis
        postings = []
        for term in sorted(segments, key=utf16_order):
            postings.append((term, ",".join(segments[term]), counts[term]))
            del segments[term]  # joined now: let the parts go while the next are joined
        if kept is not None:
            kept.postings = {term: text for term, text, _ in postings}
            kept.counts = {term: counts[term] for term, _, _ in postings}
            # The kept index counts the same shapes: its word maps are made from them, and kept.
            normalized, units, readings = kept.term_maps()
            self.kept = kept
            self._unsaved = True
            if self._save:
                save_state(self._cache_dir, kept)  # type: ignore[arg-type]
        else:
            # The shapes united here make the maps; the readings leave out the index's terms.
            normalized, units, readings = stats.normalized_map(), stats.units_map(), stats.readings_map(counts)
        parts = writer.parts() if writer is not None else None
        return self._index(postings, normalized, units, readings, length, parts)

    def _updated(self) -> SearchIndex:
        state = self._state
        assert state is not None and self._cache_dir is not None
        current = dict(zip(self._paths, self._digests))
        gone = [path for path, meeting in state.meetings.items() if current.get(path) != meeting.digest]
        state.generation += 1  # the postings this update changes are marked with it (shard_key)
        for path in gone:
            state.remove_meeting(path)
        ranks = {meeting.id: position for position, meeting in enumerate(self.meetings)}
        changed = iter(self._changed)
        for analysis in self._analyses:
            for meeting_postings, meeting_length, meeting_stats in analysis.meetings():
                position = next(changed)
                for term, (text, count) in meeting_postings.items():
                    state.insert(term, text, count, position, ranks)
                self._keep_meeting(state, position, meeting_length, meeting_stats)
        state.settle()
        postings = [(term, state.postings[term], state.counts[term]) for term in sorted(state.postings, key=utf16_order)]
        self.kept = state
        self._unsaved = bool(gone or self._changed)  # else the kept index is this one already
        if self._save and self._unsaved:
            save_state(self._cache_dir, state)
        normalized, units, readings = state.term_maps()
        return self._index(postings, normalized, units, readings, state.length)

    def _index(
        self, postings: list[tuple[str, str, int]], normalized: dict[str, str], units: dict[str, list[str]], readings: dict[str, str], length: int, parts: LunrParts | None = None
    ) -> SearchIndex:
        return SearchIndex(
            postings=postings,
            meetings=self.meetings,
            documents=self.documents,
            normalized=normalized,
            units=units,
            readings=readings,
            length=length,
            parts=parts,
            kept=self.kept,
        )

    def _keep_meeting(self, state: IndexState, position: int, length: int, stats: bytes) -> None:
        """Count the analysed meeting at `position` into the kept index, with its length and word shapes (a pickled TermStats)."""
        meeting = self.meetings[position]
        kept = MeetingState(meeting.id, self._digests[position], length, stats)
        state.add_meeting(self._paths[position], kept, pickle.loads(stats))

    def save(self) -> None:
        """Keep the index in the cache, with its record of the files written from it, if either differs from the cache's (call after writing its files)."""
        kept = self.kept
        if kept is None or self._cache_dir is None:
            return
        if self._unsaved or (kept.shards, kept.texts) != self._files_read:
            save_state(self._cache_dir, kept)
            self._unsaved = False
            self._files_read = (kept.shards, kept.texts)

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


def write_search_index(
    index: SearchIndex,
    out_dir: Path,
    jobs: int | None = None,
    tree: OutputTree | None = None,
    memo: FilesMemo | None = None,
    sources: list[str] | None = None,
) -> int:
    """Write the search files of `index` into `out_dir/search/` (see shards.py for what they are).

    `jobs`, `tree` (the build's output, rooted at `out_dir`), `memo` and `sources` as for
    `shards.write_search_files`; returns the memory its helper process held alone, in bytes.
    """
    from .shards import write_search_files  # shards.py reads this module's models: import it late

    with collector_paused():
        return write_search_files(index, out_dir / SEARCH_DIR, jobs=jobs, tree=tree, memo=memo, sources=sources)
