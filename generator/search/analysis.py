"""Utterance texts turned into what the search index needs of them, in worker processes.

Tokenizing with Sudachi is most of a build's time, and each text is tokenized on its own: the
texts are cut into runs and analysed by a pool of processes, each of which loads Sudachi's
dictionary once. The runs come back in the order of the texts and the index is put together from
them in that order, so it is the same, byte for byte, whatever the number of workers. A build
with a cache analyses only the meetings that came or changed (incremental.py keeps the rest).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import pickle
import re
import resource
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

from ..forking import max_rss, proportional_memory, resident_memory
from .folding import hiragana, is_kanji, non_word_mask
from .lunr_writer import GAPS, LENGTH, POSITIONS
from .tokenizer import JapaneseTokenizer, Token, Words

RUN_CHARS = 25_000
"""Characters of text per run handed to a worker: small enough to share the work evenly at the
end, large enough that sending runs and results costs little (about 270 runs for 600 meetings)."""
PARALLEL_MIN_CHARS = 300_000
"""Below this much text, starting worker processes costs more than it saves (a few meetings)."""

MAX_GAP = 2
"""Most punctuation or space characters allowed between two terms that stand in a row."""

_KATAKANA = re.compile("[ァ-ヶー]+")


class Tokenizer(Protocol):
    """What the index needs of a tokenizer: JapaneseTokenizer, or a test's stand-in."""

    def words(self, text: str) -> Words:
        """The words of `text` in order, and their places."""


WordTerms = tuple[tuple[str, int, int], ...]
"""The terms a word gives wherever it stands: (term, place from the word's start, length), in order."""


def word_terms(word: Token) -> WordTerms:
    """The terms of a word (made at offset 0): its surface and normalized form, and each sub-unit's.

    Sub-units lie strictly inside their word, so only the two forms of one word or sub-unit can
    name the same term at the same place; a form equal to the surface is not repeated.
    """
    terms = []
    for part in (word, *word.units):
        terms.append((part.surface, part.start, part.end - part.start))
        if part.normalized != part.surface:
            terms.append((part.normalized, part.start, part.end - part.start))
    return tuple(terms)


def document_terms(words: Words, known: dict[int, WordTerms] | None = None, stats: TermStats | None = None) -> dict[str, list[int]]:
    """The terms of one utterance: term → flat [start, length, …], terms in order of first use.

    A term is counted once per place it stands. `known` remembers each word's terms by the word
    object's id across calls (the caller keeps the words it was given alive while it keeps
    `known`); each word not known yet is recorded in `stats`, if given.
    """
    known = {} if known is None else known
    positions: dict[str, list[int]] = {}
    for word, start in zip(words.words, words.starts):
        terms = known.get(id(word))
        if terms is None:
            terms = known[id(word)] = word_terms(word)
            if stats is not None:
                stats.add(word)
        for term, place, length in terms:
            spans = positions.get(term)
            if spans is None:
                positions[term] = [start + place, length]
            else:
                spans.append(start + place)
                spans.append(length)
    return positions


def reading_key(normalized: str, reading: str) -> str | None:
    """The reading in hiragana under which a query finds the word `normalized`, or None: a reading of two kana or more of a word written with kanji."""
    if len(reading) >= 2 and _KATAKANA.fullmatch(reading) and any(map(is_kanji, normalized)):
        return hiragana(reading)
    return None


@dataclass
class TermStats:
    """What the index learns about words while tokenizing, for the query's term maps.

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

    def update(self, other: TermStats) -> None:
        """Add what `other` learnt (from another run of texts)."""
        self.words |= other.words
        self.splits |= other.splits

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

    def readings_map(self, vocabulary: set[str] | dict[str, object]) -> dict[str, str]:
        """Reading in hiragana → normalized form, for readings of one word only (めぐろ → 目黒).

        A query typed in kana finds the word even where the archive never writes it in kana;
        readings that are index terms themselves are left to the index.
        """
        words: dict[str, set[str]] = defaultdict(set)
        for _, normalized, reading in self.words:
            key = reading_key(normalized, reading)
            if key is not None:
                words[key].add(normalized)
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


MeetingPostings = dict[str, tuple[str, int]]
"""A meeting's part of each posting: term → (its texts' entries joined by commas, how many texts)."""


@dataclass
class Analysis:
    """What a run of whole meetings' texts gives the index: per meeting, its part of each posting and its word shapes."""

    postings: list[MeetingPostings]
    """Per meeting of the run: its texts' posting entries (see `posting_entries`), joined per
    term in the order of the texts. Joined here, in the worker processes: the build then puts
    together a few hundred thousand pieces, not millions of entries."""
    lengths: list[int]
    """Per meeting of the run: the places of all terms in its texts (the sum of their BM25 field lengths)."""
    stats: list[bytes]
    """Per meeting of the run: the word shapes of its texts, a pickled TermStats (the index unites
    them all, and keeps each meeting's as it is, pickled, so that an incremental build can take
    them away when the meeting changes: pickled here, not again by the build process)."""
    entries: list[dict[str, tuple[int, str]]] = field(default_factory=list)
    """Only when asked for (`Analyst.analyse`), per text in order: its posting entries, for `LunrWriter.add`."""

    def meetings(self) -> Iterator[tuple[MeetingPostings, int, bytes]]:
        """Per meeting of the run, in order: its part of each posting, its length and its pickled word shapes."""
        return zip(self.postings, self.lengths, self.stats)


class Analyst:
    """Analyses runs of texts with one tokenizer; one per process."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    def analyse(self, texts: list[str], keys: list[str] | None = None, sizes: list[int] | None = None, per_text: bool = False) -> Analysis:
        """The terms of every text in `texts`, and the word shapes of each meeting.

        Their posting entries name the texts by `keys` (by default "0", "1", …); `sizes` are the
        numbers of texts of each meeting, in order (by default, one meeting of them all). With
        `per_text`, each text's entries are kept apart too (`Analysis.entries`).
        """
        keys = keys if keys is not None else [str(number) for number in range(len(texts))]
        analysis = Analysis([], [], [])
        first = 0
        for count in sizes if sizes is not None else [len(texts)]:
            stats = TermStats()
            # The terms of each word object met in this meeting, by its id: a word repeats a
            # great deal. A word met for the first time is recorded in the meeting's word shapes
            # (once is enough). `alive` keeps the words, and so their ids, while `known` is used.
            known: dict[int, WordTerms] = {}
            alive: list[Words] = []
            segments: defaultdict[str, list[str]] = defaultdict(list)
            length = 0
            for ref, text in zip(keys[first : first + count], texts[first : first + count]):
                words = self.tokenizer.words(text)
                alive.append(words)
                positions = document_terms(words, known, stats)
                length += append_entries(text, positions, ref, segments)
                if per_text:
                    analysis.entries.append(_text_entries(positions, segments))
            analysis.postings.append({term: (",".join(segment), len(segment)) for term, segment in segments.items()})
            analysis.lengths.append(length)
            analysis.stats.append(pickle.dumps(stats, pickle.HIGHEST_PROTOCOL))
            first += count
        return analysis


def runs(sizes: list[int], texts: list[str], run_chars: int = RUN_CHARS) -> list[list[int]]:
    """The meetings (of `sizes` texts each, `texts` in order) cut into runs of whole meetings of about `run_chars` characters.

    Returns the sizes of each run's meetings.
    """
    cut: list[list[int]] = []
    run: list[int] = []
    size = 0
    first = 0
    for count in sizes:
        run.append(count)
        size += sum(map(len, texts[first : first + count]))
        first += count
        if size >= run_chars:
            cut.append(run)
            run, size = [], 0
    if run:
        cut.append(run)
    return cut


def available_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(texts: list[str], jobs: int | None) -> int:
    """The number of worker processes for `texts`: `jobs`, or by default one per core when worth it.

    0 or 1 means none: the texts are analysed in the calling process.
    """
    if jobs is not None:
        return max(jobs, 0) if jobs > 1 else 0
    if sum(map(len, texts)) < PARALLEL_MIN_CHARS:
        return 0
    cores = available_cores()
    return cores if cores > 1 else 0


_worker: Analyst | None = None


def _gap_before(mask: str, start: int) -> int:
    """How many non-word characters (at most MAX_GAP) stand right before `start`, by the text's mask."""
    count = 0
    while count < MAX_GAP and start - count > 0 and mask[start - count - 1] == "1":
        count += 1
    return count


def posting_entries(text: str, positions: dict[str, list[int]], ref: int | str) -> dict[str, tuple[int, str]]:
    """Term → (how many places it has in `text`, the text's entry in the term's posting as JSON).

    The entry is `"ref":metadata` (`ref` is the key the site's files name the text by), the metadata lunr's `{"g":[…],"p":[…]}`: `p` the places
    (`document_terms`) and, only where some place follows punctuation or spaces, `g`: flat
    [place number, count, …], the count of those characters (at most MAX_GAP), with which the
    browser can tell whether two terms stand in a row without the text. Written here, in the
    worker processes, an entry is one string where the index would otherwise hold a dict, lists
    and their numbers for every term of every text, and encode them all one after the other at
    the end of the build; a posting is then its entries joined by commas.

    Every entry also carries `l`, the text's BM25 field length (its places of all terms): the
    reader of a shard weighs the postings with it (shards.py). It is not lunr metadata.
    """
    entries: defaultdict[str, list[str]] = defaultdict(list)
    append_entries(text, positions, ref, entries)
    return _text_entries(positions, entries)


def _text_entries(positions: dict[str, list[int]], segments: defaultdict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """`posting_entries` of the text whose entries `append_entries` appended last to `segments`."""
    return {term: (len(spans) // 2, segments[term][-1]) for term, spans in positions.items()}


def append_entries(text: str, positions: dict[str, list[int]], ref: int | str, segments: defaultdict[str, list[str]]) -> int:
    """Append the entry of `text` (see `posting_entries`) to the segment of each of its terms; its BM25 field length."""
    mask = non_word_mask(text)
    length = sum(map(len, positions.values())) // 2
    # The parts every entry of this text shares, made once: a cold build writes millions of entries.
    head = f'"{ref}":{{'
    tail = f'"{LENGTH}":{length},"{POSITIONS}":['
    plain = head + tail
    for term, spans in positions.items():
        if len(spans) == 2:  # most terms stand once in a speech
            start = spans[0]
            if start and mask[start - 1] == "1":
                segments[term].append(f'{head}"{GAPS}":[0,{_gap_before(mask, start)}],{tail}{start},{spans[1]}]}}')
            else:
                segments[term].append(f"{plain}{start},{spans[1]}]}}")
            continue
        gaps: list[int] = []
        for number in range(len(spans) // 2):
            start = spans[2 * number]
            if start and mask[start - 1] == "1":
                gaps += (number, _gap_before(mask, start))
        marks = f'"{GAPS}":[{",".join(map(str, gaps))}],' if gaps else ""
        segments[term].append(f'{head}{marks}{tail}{",".join(map(str, spans))}]}}')
    return length


def _start_worker() -> None:
    """Set up a worker process: its tokenizer, which loads Sudachi's dictionary once."""
    global _worker
    _worker = Analyst(JapaneseTokenizer())
    # What a worker keeps (the words it met) and makes (each run's entries) holds no cycles:
    # reference counting frees it, and the cycle collector would only walk it again and again
    # (gc_collect_main and visit_decref: 2.6 % of a cold build's CPU samples by `perf record`).
    gc.disable()


def _analyse_in_worker(texts: list[str], keys: list[str], sizes: list[int], per_text: bool) -> tuple[bytes, int, int]:
    """The analysis of a run, pickled; with this process's id and its memory (`proportional_memory`) while it holds both."""
    assert _worker is not None, "the worker was not started"
    # Pickled here, unpickled only when the index reads it: results that arrive while the build
    # renders pages wait as bytes, a third of the memory of the dictionaries they hold.
    data = pickle.dumps(_worker.analyse(texts, keys, sizes, per_text), pickle.HIGHEST_PROTOCOL)
    return data, os.getpid(), _memory_now()


MEASURE_STEP = 8 * 2**20
"""Bytes a worker's resident set grows by before its proportional memory is measured again."""

_measured: tuple[int, int] = (0, 0)
"""This worker's resident set when its memory was last measured, and that measure."""


def _memory_now() -> int:
    """`proportional_memory()`, measured again only once this process's resident set grew by MEASURE_STEP.

    Reading smaps_rollup walks the page tables of all that the worker maps, Sudachi's dictionary
    too: measured whenever the worker's peak grew, it was read on 93 of the corpus's 126 runs,
    0.44 s of CPU by `perf record` (the kernel's smaps_account). The resident set is cheap to
    read, and between two measures its growth is added to the last one: the heap a worker grows
    is its own and counts in full in its Pss, a page of the shared dictionary counts half there,
    so the figure can be a little high, never low.
    """
    global _measured
    resident = resident_memory()
    if not _measured[1] or resident > _measured[0] + MEASURE_STEP:
        _measured = (resident, proportional_memory())
    return _measured[1] + max(0, resident - _measured[0]) if _measured[1] else 0


class Analyses:
    """The analyses of `texts`, run by run in order; worker processes start on creation.

    With `workers` 0 the runs are analysed in this process, lazily, with `tokenizer` (by default
    a new JapaneseTokenizer). With `per_text`, each text's posting entries come too
    (`Analysis.entries`). Use it with `with` (or call `close`) so that the workers stop even when
    the build fails.
    """

    def __init__(
        self,
        texts: list[str],
        keys: list[str],
        sizes: list[int],
        workers: int,
        tokenizer: Tokenizer | None = None,
        per_text: bool = False,
    ):
        self.workers = workers
        self._per_text = per_text
        self.tokenized = 0
        """Texts Sudachi tokenized so far."""
        self._sizes = runs(sizes, texts)
        """Per run: how many texts each of its meetings has."""
        firsts = list(itertools.accumulate((sum(run) for run in self._sizes), initial=0))
        self._runs = [texts[first : first + sum(run)] for first, run in zip(firsts, self._sizes)]
        self._keys = [keys[first : first + sum(run)] for first, run in zip(firsts, self._sizes)]
        """The keys of each run's texts."""
        self._tokenizer = tokenizer
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[tuple[bytes, int, int]] | None] = []
        self.peak_with_workers: int | None = None
        """Bytes: this process's peak resident set up to when the workers ended (None while they run, or without any)."""
        self.worker_memory: dict[int, int] = {}
        """Worker process id → the most memory it was seen to hold (`proportional_memory`), once its runs are read."""
        if workers:
            # A fresh interpreter per worker (not fork): safe whatever threads this process has,
            # and small, which keeps the workers' memory to their own.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(workers, context, _start_worker)
            self._futures = [
                self._pool.submit(_analyse_in_worker, run, keys, sizes, per_text) for run, keys, sizes in zip(self._runs, self._keys, self._sizes)
            ]

    def __iter__(self) -> Iterator[Analysis]:
        if self._pool is not None:
            for position, future in enumerate(self._futures):
                data, worker, memory = future.result()
                self.worker_memory[worker] = max(memory, self.worker_memory.get(worker, 0))
                analysis = pickle.loads(data)
                del data
                # Let go of each result once read: its terms become the index's postings, and
                # the per-text dicts around them would otherwise stay until the end.
                self._futures[position] = None
                del future
                self.tokenized += sum(self._sizes[position])
                yield analysis
                del analysis
            # Every run is read: the workers' memory goes now, not after the index is put together.
            self.close()
            return
        analyst = Analyst(self._tokenizer or JapaneseTokenizer())
        for run, keys, sizes in zip(self._runs, self._keys, self._sizes):
            analysis = analyst.analyse(run, keys, sizes, self._per_text)
            self.tokenized += len(run)
            yield analysis
            del analysis

    def close(self) -> None:
        """Stop the workers (at once if the runs are not all done)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self.peak_with_workers = max_rss(resource.RUSAGE_SELF)

    def __enter__(self) -> Analyses:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()
