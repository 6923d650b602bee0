"""What a build keeps of the search index for the next one, so that a changed meeting re-indexes only itself.

The shards hold postings without weights (shards.py), so a posting changes only where a
meeting that holds the term comes, goes or changes. A build with a cache folder keeps, in
`<cache>/search-index.pickle`:

- every term's posting as the shards write it: its entries joined by commas, in archive order,
  and how many utterances hold it;
- per meeting (by path): its id, a digest of its id and texts, its utterances' total length,
  and the word shapes of its texts (pickled), whose union makes the lexicon's word maps and
  whose forms are the terms whose postings hold its entries;
- how many meetings have each word shape, and the lexicon's word maps made from them
  (term_maps.py), which each meeting that comes or goes updates.

The next build compares each meeting's digest with the kept one. A meeting that went or
changed has its entries cut out of the postings (they are contiguous and named
`"<id>.<number>"`) and its shapes counted out; a meeting that came or changed is analysed alone
and its entries put in at the place of its meeting in archive order, found by bisecting the
posting. The result is the index a cold build of the same content makes, byte for byte
(tests/test_incremental_index.py); whatever cannot be read or was kept by other code is
ignored and the index is built from scratch.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import analysis, chunking, folding, lunr_writer, term_maps, tokenizer
from .analysis import TermStats
from .term_maps import TermMaps

STATE_FILE = "search-index.pickle"
STALE_TOKEN_CACHE = "tokens-"
"""The name start of the token cache files earlier versions kept in the cache folder (save_state removes them)."""
FORMAT = 1


@dataclass
class MeetingState:
    """What the state keeps of one meeting."""

    id: str
    digest: bytes
    """Of its id and its utterances' texts: its posting entries depend on nothing else."""
    length: int
    """Its utterances' BM25 field lengths, summed."""
    stats: bytes
    """Its texts' word shapes, a pickled TermStats (read only when the meeting goes or changes)."""


@dataclass
class IndexState:
    """The search index of a build, kept for the next build (see the module's docstring)."""

    version: str
    meetings: dict[str, MeetingState] = field(default_factory=dict)
    postings: dict[str, str] = field(default_factory=dict)
    """Term → its entries joined by commas, in archive order."""
    counts: dict[str, int] = field(default_factory=dict)
    """Term → how many utterances hold it."""
    words: Counter = field(default_factory=Counter)
    """Word shape (TermStats.words) → how many meetings have it."""
    splits: Counter = field(default_factory=Counter)
    """Split (TermStats.splits) → how many meetings have it."""
    generation: int = 0
    """How many times this index was updated since it was built (each update is the next)."""
    changed: dict[str, int] = field(default_factory=dict)
    """Term → the generation whose update last changed its posting (absent: none since the build)."""
    shards: dict[str, tuple[tuple[str, str, int, int], str]] = field(default_factory=dict)
    """Shard file (`shards/<name>.json`) → what it was written from (`shard_key`) and its content
    digest, as the last build wrote it: a shard of the same key has the same bytes (shards.py)."""
    texts: dict[str, tuple[tuple[str, int], list[str], list[int]]] = field(default_factory=dict)
    """Meeting id → what its text files were written from (the build's output key of the meeting,
    else a digest of its utterances' items, texts and speakers; and the target size), their
    content digests and how many utterances each holds, as the last build wrote them."""
    touched: dict[str, tuple[str | None, int | None]] = field(default_factory=dict, repr=False, compare=False)
    """During an update: term → its posting and its `changed` entry before the update first
    touched it (`settle` keeps the mark only where the posting ends up different); never pickled."""
    maps: TermMaps | None = field(default=None, repr=False, compare=False)
    """The word maps, once `term_maps` made them, kept up to date by each meeting that comes or
    goes, and pickled with the rest: reading them back takes a warm build about a third of the
    time making them from every shape again takes (0.11 s against 0.3 s on the corpus)."""

    def __getstate__(self) -> dict:
        return {**self.__dict__, "touched": {}}

    def _touch(self, term: str) -> None:
        """Mark `term`'s posting changed in this generation, remembering how it was before."""
        if term not in self.touched:
            self.touched[term] = (self.postings.get(term), self.changed.get(term))
        self.changed[term] = self.generation

    def settle(self) -> None:
        """End an update: a posting that ends up as it was (a meeting cut out and put back with
        most of its entries the same) keeps the generation that last changed it."""
        for term, (before, generation) in self.touched.items():
            if self.postings.get(term) != before:
                continue
            if generation is None:
                self.changed.pop(term, None)
            else:
                self.changed[term] = generation
        self.touched = {}

    def term_maps(self) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
        """The word maps of the kept shapes (normalized forms, sub-units, readings), as TermStats makes them; kept from now on."""
        if self.maps is None:
            self.maps = TermMaps(self.words, self.splits)
        return self.maps.normalized, self.maps.units, self.maps.readings(self.postings)

    @property
    def length(self) -> int:
        """Every utterance's length, summed."""
        return sum(meeting.length for meeting in self.meetings.values())

    def add_meeting(self, path: str, meeting: MeetingState, stats: TermStats) -> None:
        """Count in a meeting's shapes and keep what is kept of it (its postings are added apart)."""
        self.meetings[path] = meeting
        if self.maps is not None:
            self.maps.change([w for w in stats.words if w not in self.words], (), [s for s in stats.splits if s not in self.splits], ())
        self.words.update(stats.words)
        self.splits.update(stats.splits)

    def remove_meeting(self, path: str) -> None:
        """Cut a meeting's entries out of the postings and count its shapes out."""
        meeting = self.meetings.pop(path)
        stats: TermStats = pickle.loads(meeting.stats)
        gone: list[list] = [[], []]
        for counter, shapes, lost in ((self.words, stats.words, gone[0]), (self.splits, stats.splits, gone[1])):
            counter.subtract(shapes)
            for shape in shapes:
                if counter[shape] <= 0:
                    del counter[shape]
                    lost.append(shape)
        if self.maps is not None:
            self.maps.change((), gone[0], (), gone[1])
        marker = f'"{meeting.id}.'
        postings, counts = self.postings, self.counts
        # Its terms are the surfaces and normalized forms of its words (analysis.document_terms
        # and TermStats.add see the same tokens): only their postings can hold its entries.
        for term in {form for surface, normalized, _ in stats.words for form in (surface, normalized)}:
            text = postings.get(term)
            if text is None:
                continue
            start = text.find(marker)
            if start < 0:
                continue
            # A meeting's entries stand together; each ends at its metadata's only closing brace.
            end = text.index("}", text.rfind(marker)) + 1
            remaining = counts[term] - text.count(marker, start, end)
            self._touch(term)
            if not remaining:
                del postings[term], counts[term]
                continue
            postings[term] = text[end + 1 :] if start == 0 else text[: start - 1] + text[end:]
            counts[term] = remaining

    def insert(self, term: str, segment: str, count: int, rank: int, ranks: dict[str, int]) -> None:
        """Put a meeting's entries for `term` (`count` of them, joined) at the place of its rank in archive order."""
        self._touch(term)
        text = self.postings.get(term)
        if text is None:
            self.postings[term] = segment
            self.counts[term] = count
            return
        at = _insertion_point(text, rank, ranks)
        if at == len(text):
            self.postings[term] = f"{text},{segment}"
        else:
            self.postings[term] = f"{text[:at]}{segment},{text[at:]}"
        self.counts[term] += count


def shard_key(terms: list[tuple[str, str, int]], changed: dict[str, int]) -> tuple[str, str, int, int]:
    """What a shard of consecutive `terms` ((term, entries, count)) is made from, told without its postings.

    Its first and last term, how many terms, and the latest generation that changed one of
    their postings (`IndexState.changed`). Two shards of one key hold the same terms with the
    same postings: a term that came or went between the first and the last changes the count,
    unless another came too, whose posting changed in a later generation than any before.
    """
    return terms[0][0], terms[-1][0], len(terms), max(changed.get(term, 0) for term, _, _ in terms)


def _entry_at_or_after(text: str, offset: int) -> int:
    """The first entry of a joined posting that starts at or after `offset` (len(text) if none).

    Entries are `"key":{metadata}` with no brace inside the metadata, so `},"` is always the
    end of one entry and the start of the next.
    """
    if offset == 0:
        return 0
    found = text.find('},"', max(offset - 2, 0))
    return found + 2 if found >= 0 else len(text)


def _rank_at(text: str, start: int, ranks: dict[str, int]) -> int:
    return ranks[text[start + 1 : text.index(".", start)]]


def _insertion_point(text: str, rank: int, ranks: dict[str, int]) -> int:
    """The start of the first entry of a meeting after `rank` in archive order, by bisection (len(text) if none)."""
    # Entries before `low` rank lower; `high` is an entry that ranks higher, or the end.
    low, high = 0, len(text)
    while low < high:
        start = _entry_at_or_after(text, (low + high) // 2)
        if start >= high:  # no entry starts in the upper half: look at the first one from `low`
            start = _entry_at_or_after(text, low)
            if start >= high:
                return high
        if _rank_at(text, start, ranks) > rank:
            high = start
        else:
            low = start + 1
    return high


def version() -> str:
    """A hash of everything that decides the kept postings: SudachiPy, its dictionary, Python and this code."""
    digest = hashlib.blake2b(digest_size=8)
    for package in ("sudachipy", "sudachidict_core"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]};".encode())
    # term_maps.py too: the kept index holds its TermMaps, pickled by their layout.
    for module in (analysis, chunking, folding, lunr_writer, term_maps, tokenizer):
        digest.update(Path(module.__file__).read_bytes())
    # index.py names the entries and updates the kept index (it imports this module: read by path).
    digest.update(Path(__file__).with_name("index.py").read_bytes())
    digest.update(Path(__file__).read_bytes() + f";{FORMAT}".encode())
    return digest.hexdigest()


def meeting_digest(meeting_id: str, texts: Iterable[str]) -> bytes:
    """A digest of what a meeting's posting entries depend on: its id and its texts."""
    digest = hashlib.blake2b(meeting_id.encode(), digest_size=16)
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.digest()


def load_state(cache_dir: Path, expected: str) -> IndexState | None:
    """The state kept in `cache_dir`, or None when there is none, it cannot be read, or other code kept it."""
    try:
        with open(cache_dir / STATE_FILE, "rb") as file:
            state = pickle.load(file)
    except Exception:  # noqa: BLE001 - a damaged or foreign file is only a cache miss
        return None
    if not isinstance(state, IndexState) or state.version != expected:
        return None
    return state


def save_state(cache_dir: Path, state: IndexState) -> None:
    """Keep `state` in `cache_dir`, replacing the previous one whole (never half-written)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Earlier versions kept every text's tokens beside it (tokens-<fingerprint>.sqlite3, about
    # 150 MB for 600 meetings); the kept index spares the tokenizing they spared, at less cost.
    for stale in cache_dir.glob(f"{STALE_TOKEN_CACHE}*"):
        stale.unlink(missing_ok=True)
    partial = cache_dir / f"{STATE_FILE}.{os.getpid()}.partial"
    with open(partial, "wb") as file:
        pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, cache_dir / STATE_FILE)
