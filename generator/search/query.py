"""The query algorithm over a built site's search index; the browser engine does the same steps.

0. Read the query's syntax as typed (`syntax.py`): clauses that must all match, each one or more
   alternatives (`A OR B`, `A｜B`), and excluded units (`-A`). A unit is a word as typed or a
   phrase (`"A B"`, `「…」`); its terms must stand in a row. Plain words are one clause each.
1. Fold each unit (NFKC + lowercase), drop `*`, split it on spaces into parts.
2. Segment each part over the index's vocabulary by dynamic programming: cover the part with as
   few known terms as possible, skipping punctuation and symbols; among equal covers, take the
   longest first term at each step. A part that cannot be covered is never guessed at by
   dropping characters (京都 does not become 都): its unit then matches nothing, and a clause
   none of whose units can match gives the query no hits.
   The last part of the last unit, when that unit is no phrase, stays one piece when it is a
   known term or only the beginning of one (リオ).
3. Turn each piece into index terms: a compound with mode A sub-units becomes those sub-units
   (大震災 → 大, 震災, found inside 東日本大震災), any other word its normalized form when that
   form is unambiguous (こども → 子供). A piece in kana that is no index term but the reading of
   exactly one indexed word stands for that word (めぐろ → 目黒 where the archive never writes
   めぐろ), and katakana stands for a term in hiragana (コドモ → こども); both count as known
   pieces in step 2. When the last unit is no phrase and its last part is one piece and not
   a compound, its term is matched as a prefix (リオ → リオデジャネイロ, 子供 → 子供達); a
   prefix is never allowed after other pieces of the same part, where it would match across
   word boundaries (分 + 散… inside 十一分散会).
4. A document must hold, for every clause, every term of one of its alternatives; documents are
   scored as lunr.js 2.3.9's `Index.query` scores them with one clause per term of every
   alternative (BM25 weights computed from the postings and the manifest's counts, cosine with the query vector), reimplemented here.
   Excluded terms are looked up but never scored.
5. Within one unit, the terms must stand in a row in the speech (each one starting where the
   previous one ends, or after at most `MAX_GAP` punctuation or space characters): 大震災 must
   not match a speech with 大 in one place and 震災 in another. An alternative counts only where
   its terms do; a document where the terms of an excluded unit stand in a row is no hit.
6. Adjacency reward: with several clauses, a hit whose text has the last term of a clause (of
   any alternative that matched) right before the first term of the next clause scores more:
   `final = lunr_score * (1 + ADJACENCY_BONUS * adjacent_pairs / (clauses - 1))`.
   Hits are ranked by final score, then by ref (archive order).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .analysis import MAX_GAP
from .folding import fold, has_word_char, is_word_char, split_spaces, strip_non_word
from .index import FIELD, POSITIONS, SEARCH_DIR, DocumentEntry, MeetingEntry, SearchIndex, collector_paused, utf16_order
from .integrity import check_lexicon, check_manifest, check_shard, check_speakers, check_texts, reader
from .lexicon import Lexicon, word_map
from .lunr_writer import LENGTH, idf, length_norm, weight
from .shards import LEXICON_DIR, MANIFEST_FILE, MEETING_KEYS, SHARDS_DIR, SPEAKERS_FILE, TEXT_DIR
from .filters import Filters
from .syntax import Unit, parse_query

T = TypeVar("T")

ADJACENCY_BONUS = 0.5
"""Largest relative score increase for a hit whose query parts all stand next to each other."""


@dataclass(frozen=True)
class QueryTerm:
    """One term of a query, from the unit numbered `part`; `prefix` for the last one."""

    text: str
    part: int
    prefix: bool = False


@dataclass(frozen=True)
class QueryPlan:
    """What a query was turned into: its terms, or `covered=False` when a clause can match nothing.

    `terms` are the terms of the units the query asks for; a term's `part` numbers its unit (the
    terms of a unit must stand in a row). `clauses` lists, for each clause that must match, the
    unit numbers of its alternatives. `excluded` holds the terms of each excluded unit.
    """

    terms: list[QueryTerm]
    covered: bool
    clauses: list[list[int]] = field(default_factory=list)
    excluded: list[list[QueryTerm]] = field(default_factory=list)
    problem: str | None = None
    """Why the query was read as plain words (a key of syntax.PROBLEMS), or None."""


def segment(part: str, lexicon: Lexicon, last: bool) -> list[tuple[str, bool]] | None:
    """Cover `part` with the fewest known pieces, skipping non-word characters.

    Returns (piece, exact) pairs; None when some word character cannot be covered. When `last`,
    a part that is one known piece, or the beginning of a term, stays one piece (`exact` False
    for a mere beginning). Only then: a beginning as the last of several pieces would match
    across word boundaries (分 + 散… would find 十一分散会).
    """
    core = strip_non_word(part)
    if last and core and (lexicon.knows(core) or lexicon.has_prefix(core)):
        return [(core, lexicon.knows(core))]
    chars = list(part)
    end = len(chars)
    infinity = end + 1
    cost = [infinity] * (end + 1)
    choice = [0] * (end + 1)
    cost[end] = 0
    for i in range(end - 1, -1, -1):
        if not is_word_char(chars[i]):
            cost[i], choice[i] = cost[i + 1], i + 1
            continue
        # Longest first, replaced only by a strictly cheaper cover: ties keep the longest piece.
        for j in range(min(end, i + lexicon.longest), i, -1):
            if cost[j] + 1 < cost[i] and lexicon.knows("".join(chars[i:j])):
                cost[i], choice[i] = cost[j] + 1, j
    if cost[0] >= infinity:
        return None
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < end:
        if is_word_char(chars[i]):
            pieces.append(("".join(chars[i : choice[i]]), True))
        i = choice[i]
    return pieces


def unit_parts(unit: Unit) -> list[str]:
    """The folded parts of a unit's text between spaces, without `*` (lunr's wildcard)."""
    return split_spaces(fold(unit.text).replace("*", ""))


def _segment_unit(parts: list[str], lexicon: Lexicon, last: bool) -> list[list[tuple[str, bool]]] | None:
    """The pieces of each part of a unit that has any (None when one cannot be covered)."""
    segmented: list[list[tuple[str, bool]]] = []
    for number, part in enumerate(parts):
        pieces = segment(part, lexicon, last=last and number == len(parts) - 1)
        if pieces is None:
            return None
        if pieces:
            segmented.append(pieces)
    return segmented


def _unit_terms(segmented: list[list[tuple[str, bool]]], lexicon: Lexicon, part: int) -> list[QueryTerm]:
    """The terms of a segmented unit: a compound's sub-units, any other piece's normalized form."""
    return [
        QueryTerm(word, part)
        for pieces in segmented
        for piece, exact in pieces
        for word in (lexicon.words(piece) if exact else [piece])
    ]


def plan_query(query: str, lexicon: Lexicon) -> QueryPlan:
    """Turn a typed query into index terms (steps 1–3 of the module's algorithm)."""
    parsed = parse_query(query)
    positive = [unit for clause in parsed.clauses for unit in clause]
    # As the reader types, the last word may be unfinished: only it may be a mere beginning.
    open_ended = bool(positive) and not positive[-1].phrase
    terms: list[QueryTerm] = []
    clauses: list[list[int]] = []
    last_unit: list[list[tuple[str, bool]]] | None = None
    seen = 0
    for clause in parsed.clauses:
        alternatives: list[int] = []
        dead = False
        for unit in clause:
            seen += 1
            segmented = _segment_unit(unit_parts(unit), lexicon, last=open_ended and seen == len(positive))
            if segmented is None:
                dead = True
                continue
            if not segmented:
                continue  # punctuation only: nothing to look for
            alternatives.append(_count(clauses) + len(alternatives))
            terms.extend(_unit_terms(segmented, lexicon, alternatives[-1]))
            last_unit = segmented if not unit.phrase else None
        if alternatives:
            clauses.append(alternatives)
        elif dead:
            return QueryPlan([], covered=False, problem=parsed.problem)
    if last_unit is not None and len(last_unit[-1]) == 1:
        piece, exact = last_unit[-1][0]
        if len(lexicon.words(piece) if exact else [piece]) == 1:
            # A last unit that is one word, not a compound, also finds the words it begins.
            terms[-1] = QueryTerm(terms[-1].text, terms[-1].part, prefix=True)
    excluded: list[list[QueryTerm]] = []
    for unit in parsed.excluded:
        segmented = _segment_unit(unit_parts(unit), lexicon, last=False)
        # A unit that cannot be covered is in no utterance: there is nothing to exclude.
        if segmented:
            excluded.append(_unit_terms(segmented, lexicon, len(excluded)))
    return QueryPlan(terms, True, clauses, excluded, parsed.problem)


def _count(clauses: list[list[int]]) -> int:
    """The number of units in `clauses`."""
    return sum(len(alternatives) for alternatives in clauses)


@dataclass(frozen=True)
class SearchHit:
    """One utterance that matches: where it is, who spoke, what was said, and why it ranks."""

    ref: str
    url: str
    meeting_index: int
    """Which meeting of the index (the manifest's `meetings`) the utterance belongs to."""
    number: int
    """The utterance's number in its meeting: the N of the `#sN` anchor."""
    meeting: str
    body: str
    body_slug: str
    date: str
    fiscal_year: int
    item: str | None
    speaker: str
    text: str
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)
    """Matched spans of `text` as [start, end) in code points."""
    who: str | None = None
    """The named speaker's speaker_key (their page's key), or None where the label stands for the speaker."""

    def to_json(self) -> dict:
        """The hit in the shape `minutes search --json` prints (without the index's own numbers)."""
        return {
            "url": self.url, "meeting": self.meeting, "body": self.body, "date": self.date,
            "speaker": self.speaker, "text": self.text, "score": self.score,
            "number": self.number, "body_slug": self.body_slug,
        }  # fmt: skip


@dataclass(frozen=True)
class SearchResult:
    """The answer to a query: its terms, the number of hits, and the hits up to the limit."""

    query: str
    terms: list[str]
    total: int
    hits: list[SearchHit]
    problem: str | None = None
    """Why the query was read as plain words (a key of syntax.PROBLEMS), or None."""
    excluded: list[str] = field(default_factory=list)
    """The terms of the excluded words and phrases (not part of the JSON shape)."""

    def to_json(self) -> dict:
        """The result in the shape `minutes search --json` prints."""
        hits = [hit.to_json() for hit in self.hits]
        return {"query": self.query, "terms": self.terms, "total": self.total, "hits": hits}


class Searcher:
    """Searches a search index: the one a build wrote into `<site>/search/`, or one in memory."""

    def __init__(
        self,
        postings: dict[str, dict],
        vectors: dict[str, dict[int, float]],
        meetings: list[MeetingEntry],
        docs: Sequence[DocumentEntry | _StoredDocument],
        lexicon: Lexicon,
        shards: _Shards | None = None,
    ) -> None:
        self._postings = postings
        self._vectors = vectors
        """Field ref ("text/12") → term index → BM25 weight."""
        self._meetings = meetings
        self._docs = docs
        self.lexicon = lexicon
        self._shards = shards
        """Where the postings and vectors of a term are read from when a query needs them (None: all here)."""

    @classmethod
    def from_index(cls, index: SearchIndex) -> Searcher:
        """Search `index` as lunr.py built it: one unsharded lunr index."""
        lunr = index.lunr
        postings = {term: posting for term, posting in lunr["invertedIndex"]}
        vectors = {ref: dict(zip(elements[0::2], elements[1::2])) for ref, elements in lunr["fieldVectors"]}
        words = word_map(set(postings), index.normalized, index.units, index.readings)
        return cls(postings, vectors, index.meetings, index.documents, Lexicon(postings, words))

    @classmethod
    def open(cls, site_dir: Path) -> Searcher:
        """Open the search files of the site built in `site_dir`; shards are read as queries need them."""
        load = reader(Path(site_dir) / SEARCH_DIR)

        # The index of a large archive is millions of small objects: the cycle collector would
        # walk them again and again while they are created, doubling the load time.
        with collector_paused():
            manifest = check_manifest(load(MANIFEST_FILE), MANIFEST_FILE)
            terms: list[str] = []
            words: dict[str, list[str]] = {}
            shards: list[tuple[str, str]] = []
            for file in manifest["lexicon_files"]:
                name = f"{LEXICON_DIR}/{file}.json"
                more_terms, more_words, more_shards = check_lexicon(load(name), name)
                terms += more_terms
                words.update(more_words)
                shards += more_shards
            meetings, docs = _documents(manifest, load)
            searcher = cls({}, {}, meetings, docs, Lexicon(terms, words, manifest["longest"]))
            searcher._shards = _Shards(load, manifest, shards, searcher._postings, searcher._vectors)
            return searcher

    @property
    def meetings(self) -> list[MeetingEntry]:
        """The meetings of the index, in manifest order."""
        return self._meetings

    def plan(self, query: str) -> QueryPlan:
        """The terms `query` turns into."""
        return plan_query(query, self.lexicon)

    def search(self, query: str, limit: int = 20, filters: Filters = Filters()) -> SearchResult:
        """Every utterance that matches `query` and passes `filters`, in the filters' order; `limit` 0 returns all hits.

        A query without words, with a filter set, lists every utterance that passes (score 0, newest
        first unless sorted oldest first).
        """
        plan = self.plan(query)
        terms = [term.text for term in plan.terms]
        excluded_terms = [term.text for unit in plan.excluded for term in unit]
        if not plan.terms and not plan.excluded and plan.covered and filters.any:
            refs = [ref for ref in range(len(self._docs)) if self._passes(ref, filters)]
            ranked = _order([(0.0, ref, []) for ref in refs], filters.sort if filters.sort != "relevance" else "newest", self._date)
            shown = ranked if limit == 0 else ranked[:limit]
            return SearchResult(query, terms, len(ranked), [self._hit(r, s, h) for s, r, h in shown], plan.problem, excluded_terms)
        if not plan.covered or not plan.terms:
            return SearchResult(query, terms, 0, [], plan.problem, excluded_terms)
        expansions = [self._expand(term) for term in plan.terms]
        exclusions = [[self._expand(term) for term in unit] for unit in plan.excluded]
        if self._shards is not None:
            self._shards.load([word for words in expansions + sum(exclusions, []) for word in words])
        scores = self._lunr_scores(plan, expansions, self._candidates(plan, expansions))
        located = [self._spans(words, scores) for words in expansions]
        excluded = [[self._spans(words, scores) for words in unit] for unit in exclusions]
        units = _group(plan.terms, range(len(plan.terms)))
        ranked: list[tuple[float, int, list[tuple[int, int]]]] = []
        for ref, score in scores.items():
            if not self._passes(int(ref), filters):
                continue
            text = self._docs[int(ref)].text
            if any(_unit_in_row([where.get(ref) for where in unit], text) is not None for unit in excluded):
                continue
            # Per clause: the spans of its matched alternatives' first terms, last terms and runs.
            matched: list[tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]] = []
            for clause in plan.clauses:
                firsts: list[tuple[int, int]] = []
                lasts: list[tuple[int, int]] = []
                runs: list[tuple[int, int]] | None = None
                for unit in clause:
                    levels = [located[number].get(ref) for number in units[unit]]
                    in_row = _unit_in_row(levels, text)
                    if in_row is None:
                        continue
                    firsts += levels[0] or []
                    lasts += levels[-1] or []
                    runs = (runs or []) + in_row
                if runs is None:
                    break
                matched.append((firsts, lasts, runs))
            else:
                if len(matched) > 1:
                    adjacent = sum(
                        _stand_in_row(matched[c][1], matched[c + 1][0], text) for c in range(len(matched) - 1)
                    )
                    score = score * (1 + ADJACENCY_BONUS * adjacent / (len(matched) - 1))
                ranked.append((score, int(ref), _merge([span for _, _, runs in matched for span in runs])))
        ranked = _order(ranked, filters.sort, self._date)
        shown = ranked if limit == 0 else ranked[:limit]
        hits = [self._hit(ref, score, spans) for score, ref, spans in shown]
        return SearchResult(query, terms, len(ranked), hits, plan.problem, excluded_terms)

    def _candidates(self, plan: QueryPlan, expansions: Sequence[list[str]]) -> set[str]:
        """The refs that hold, for every clause, every term of one of its alternatives (in any order)."""
        holding = [{ref for word in words for ref in self._postings[word][FIELD]} for words in expansions]
        units = _group(plan.terms, holding)
        found: set[str] | None = None
        for clause in plan.clauses:
            either: set[str] = set()
            for unit in clause:
                either |= set.intersection(*units[unit])
            found = either if found is None else found & either
        return found or set()

    def _expand(self, term: QueryTerm) -> list[str]:
        """The index terms a query term matches: itself, or every term it begins when a prefix."""
        if term.prefix:
            return self.lexicon.with_prefix(term.text)
        return [term.text] if self.lexicon.is_term(term.text) else []

    def _lunr_scores(self, plan: QueryPlan, expansions: Sequence[list[str]], refs: Iterable[str]) -> dict[str, float]:
        """ref → score of each of `refs`, as lunr.js 2.3.9 `idx.query` gives it with a clause per term.

        The query vector holds the clause boost (1) at the index of every expanded term, summed
        when a term repeats; a document's score is its field vector's dot product with that
        vector, in term index order, divided by the query vector's magnitude. Over shards, each
        shard is one such index and the scores recombine as search-engine.js recombines them
        (`_sharded_scores`).
        """
        if self._shards is not None:
            return self._sharded_scores(plan, expansions, refs)
        query_vector: dict[int, int] = {}
        for words in expansions:
            for word in words:
                index = self._postings[word]["_index"]
                query_vector[index] = query_vector.get(index, 0) + 1
        indexes = sorted(query_vector)
        magnitude = math.sqrt(sum(query_vector[i] * query_vector[i] for i in indexes))
        scores: dict[str, float] = {}
        for ref in refs:
            weights = self._vectors[f"{FIELD}/{ref}"]
            dot = 0.0
            # Terms in index order, as lunr.Vector.dot adds them: the same sum to the last bit.
            for index in indexes:
                if index in weights:
                    dot += query_vector[index] * weights[index]
            scores[ref] = dot / magnitude if magnitude else 0
        return scores

    def _sharded_scores(self, plan: QueryPlan, expansions: Sequence[list[str]], refs: Iterable[str]) -> dict[str, float]:
        """The scores search-engine.js gives over shards, operation for operation.

        Each shard's lunr.js query gives score_s = dot_s / |q_s| over its own terms; the engine
        adds score_s·|q_s| shard by shard, in the order it asked for the shards (the shards of
        each query term in turn), and divides by √Σ|q_s|². A term's index within a shard follows
        the shard's term order, as do the indexes this searcher gives the terms it reads.
        """
        assert self._shards is not None
        shards: dict[str, dict[int, int]] = {}
        for term, words in zip(plan.terms, expansions):
            for shard in [self._shards.shard_of(word) for word in words] or [self._shards.shard_of(term.text)]:
                shards.setdefault(shard, {})
            for word in words:
                vector = shards[self._shards.shard_of(word)]
                index = self._postings[word]["_index"]
                vector[index] = vector.get(index, 0) + 1
        refs = list(refs)
        dots: dict[str, float] = dict.fromkeys(refs, 0.0)
        squares = 0.0
        for vector in shards.values():
            if not vector:
                continue
            indexes = sorted(vector)
            shard_squares = 0.0
            for index in indexes:
                shard_squares += vector[index] * vector[index]
            squares += shard_squares
            magnitude = math.sqrt(shard_squares)
            for ref in refs:
                weights = self._vectors[f"{FIELD}/{ref}"]
                dot = 0.0
                held = False
                for index in indexes:
                    if index in weights:
                        dot += vector[index] * weights[index]
                        held = True
                if held:
                    dots[ref] += (dot / magnitude) * magnitude
        norm = math.sqrt(squares)
        return {ref: dot / norm if norm else 0 for ref, dot in dots.items()}

    def _spans(self, words: list[str], refs: Container[str]) -> dict[str, list[tuple[int, int]]]:
        """Where any of `words` stands in each document of `refs`: ref → sorted (start, end).

        Offsets count code points. Each posting is read once, not once per document.
        """
        spans: dict[str, set[tuple[int, int]]] = {}
        for word in words:
            for ref, entry in self._postings[word][FIELD].items():
                if ref in refs:
                    flat = entry[POSITIONS]
                    found = spans.setdefault(ref, set())
                    found.update((flat[k], flat[k] + flat[k + 1]) for k in range(0, len(flat), 2))
        return {ref: sorted(found) for ref, found in spans.items()}

    def _passes(self, ref: int, filters: Filters) -> bool:
        doc = self._docs[ref]
        meeting = self._meetings[doc.meeting]
        return filters.keeps_meeting(meeting.body_slug, meeting.date) and filters.keeps_speaker(doc.speaker, doc.who)

    def _date(self, ref: int) -> str:
        return self._meetings[self._docs[ref].meeting].date

    def _hit(self, ref: int, score: float, highlights: list[tuple[int, int]]) -> SearchHit:
        doc = self._docs[ref]
        meeting = self._meetings[doc.meeting]
        return SearchHit(
            ref=str(ref), url=f"{meeting.url}#s{doc.number}", meeting_index=doc.meeting, number=doc.number,
            meeting=meeting.title, body=meeting.body, body_slug=meeting.body_slug, date=meeting.date,
            fiscal_year=meeting.fiscal_year, item=meeting.items[doc.item] if doc.item is not None else None,
            speaker=doc.speaker, text=doc.text, score=score, highlights=highlights, who=doc.who,
        )  # fmt: skip


class _Shards:
    """The shards of a search folder, read into a Searcher's postings and vectors as terms need them.

    A shard holds postings only; each document's BM25 weights are computed here from the
    manifest's counts and lengths as lunr.py's builder would have stored them (see shards.py).
    """

    def __init__(
        self, load: Callable[[str], object], manifest: dict, shards: list[tuple[str, str]], postings: dict[str, dict], vectors: dict[str, dict[int, float]]
    ) -> None:
        """`shards`: in UTF-16 order of their terms, (a term, the name of the shard that holds it and those after it)."""
        self._load = load
        self._starts = [utf16_order(term) for term, _ in shards]
        self._names = [name for _, name in shards]
        self._postings = postings
        self._vectors = vectors
        self._loaded: set[str] = set()
        self._refs: dict[str, str] = {}
        """Key (`<meeting id>.<number>`) → ref."""
        for meeting in manifest["meetings"]:
            for number in range(1, sum(meeting["texts"]) + 1):
                self._refs[f"{meeting['id']}.{number}"] = str(len(self._refs))
        self._documents = manifest["documents"]
        # As lunr_writer.average_length: the integer sum, divided once.
        self._average = manifest["length"] / self._documents if self._documents else 0.0

    def shard_of(self, term: str) -> str:
        """The name of the shard that holds `term`, or would if the index had it ("" without shards)."""
        if not self._starts:
            return ""
        return self._names[max(0, bisect.bisect_right(self._starts, utf16_order(term)) - 1)]

    def load(self, terms: Iterable[str]) -> None:
        """Read the shard of each of `terms` that has not been read yet."""
        if not self._starts:
            return  # an archive without utterances
        for term in terms:
            file = self.shard_of(term)
            if file in self._loaded:
                continue
            self._loaded.add(file)
            with collector_paused():
                name = f"{SHARDS_DIR}/{file}.json"
                self._read(check_shard(self._load(name), name, self._refs))

    def _read(self, shard: list[list]) -> None:
        """Add a shard's postings, its terms numbered after those read before, and its documents' weights."""
        refs, average = self._refs, self._average
        for word, documents in shard:
            index = len(self._postings)
            term_idf = idf(self._documents, len(documents))
            posting = {}
            for key, metadata in documents.items():
                ref = refs[key]
                norm = length_norm(metadata.pop(LENGTH), average)
                posting[ref] = metadata
                self._vectors.setdefault(f"{FIELD}/{ref}", {})[index] = weight(term_idf, len(metadata[POSITIONS]) // 2, norm)
            self._postings[word] = {"_index": index, FIELD: posting}


def _documents(manifest: dict, load: Callable[[str], object]) -> tuple[list[MeetingEntry], list[_StoredDocument]]:
    """The meetings and the document store, from the manifest and speakers.json; each text file is read when first needed.

    Reading every text file took most of the time `minutes search` needs to open a large
    archive's index (0.28 s of 0.43 s on the 603-meeting corpus), while a query reads the texts
    of its candidates only.
    """
    said = check_speakers(load(SPEAKERS_FILE), SPEAKERS_FILE, manifest["meetings"])
    meetings: list[MeetingEntry] = []
    docs: list[_StoredDocument] = []
    for position, (meeting, spoken) in enumerate(zip(manifest["meetings"], said)):
        entry = MeetingEntry(**{key: meeting[key] for key in MEETING_KEYS})
        meetings.append(entry)
        who = spoken.get("who") or [None] * len(spoken["speakers"])
        speakers = iter(spoken["said"])
        number = 0
        for file, count in enumerate(meeting["texts"]):
            text_file = _TextFile(f"{TEXT_DIR}/{meeting['id']}-{file}.json", count, len(entry.items), load)
            for offset in range(count):
                number += 1
                speaker = next(speakers)
                docs.append(_StoredDocument(position, number, spoken["speakers"][speaker], who[speaker], text_file, offset))
    return meetings, docs


@dataclass(slots=True)
class _TextFile:
    """A text file of the search folder, read and checked the first time one of its utterances is asked for."""

    name: str
    count: int
    items: int
    """How many agenda items its meeting has."""
    load: Callable[[str], object]
    entries: list[list] | None = None

    def entry(self, offset: int) -> list:
        """[item, text, speaker, who] of the file's `offset`-th utterance."""
        if self.entries is None:
            self.entries = check_texts(self.load(self.name), self.name, self.count, lambda k: self.items)
        return self.entries[offset]


@dataclass(slots=True)
class _StoredDocument:
    """An utterance of a search folder as DocumentEntry has it; its agenda item and text come from its text file when asked for."""

    meeting: int
    number: int
    speaker: str
    who: str | None
    file: _TextFile
    offset: int

    @property
    def item(self) -> int | None:
        return self.file.entry(self.offset)[0]

    @property
    def text(self) -> str:
        return self.file.entry(self.offset)[1]


def _order(ranked: list[tuple[float, int, list[tuple[int, int]]]], sort: str, date: Callable[[int], str]) -> list[tuple[float, int, list[tuple[int, int]]]]:
    """`ranked` (score, ref, spans) best first, or by meeting date; ties in the order of the minutes."""
    if sort == "relevance":
        return sorted(ranked, key=lambda hit: (-hit[0], hit[1]))
    by_ref = sorted(ranked, key=lambda hit: hit[1])
    # Stable sorts: within one date, utterances keep their order in the archive.
    return sorted(by_ref, key=lambda hit: date(hit[1])) if sort == "oldest" else _newest(by_ref, date)


def _newest(by_ref: list[tuple[float, int, list[tuple[int, int]]]], date: Callable[[int], str]) -> list[tuple[float, int, list[tuple[int, int]]]]:
    """Newest meeting first, each meeting's utterances in their order (a reversed sort would reverse those too)."""
    dates = sorted({date(hit[1]) for hit in by_ref}, reverse=True)
    rank = {day: position for position, day in enumerate(dates)}
    return sorted(by_ref, key=lambda hit: rank[date(hit[1])])


def _group(terms: list[QueryTerm], values: Iterable[T]) -> dict[int, list[T]]:
    """`values`, one per query term, grouped by the unit (`part`) of their term."""
    groups: dict[int, list[T]] = {}
    for term, value in zip(terms, values, strict=True):
        groups.setdefault(term.part, []).append(value)
    return groups


def _unit_in_row(levels: list[list[tuple[int, int]] | None], text: str) -> list[tuple[int, int]] | None:
    """The spans of the complete runs of a unit's terms in `text`; None when a term is missing or none stands in a row."""
    if any(level is None for level in levels):
        return None
    return _spans_in_row(levels, text)  # type: ignore[arg-type]


def _follows(end: int, start: int, text: str) -> bool:
    """True when a term starting at `start` stands in a row after one ending at `end` in `text`.

    In a row: no gap, or a gap of at most MAX_GAP characters that are all punctuation or spaces.
    """
    return end == start or (end < start <= end + MAX_GAP and not has_word_char(text[end:start]))


def _ends_before(start: int, ends: Container[int], text: str) -> list[int]:
    """The offsets among `ends` after which a term starting at `start` stands in a row in `text`."""
    return [end for end in range(start - MAX_GAP, start + 1) if end in ends and _follows(end, start, text)]


def _stand_in_row(before: list[tuple[int, int]], after: list[tuple[int, int]], text: str) -> bool:
    """True when some span of `after` stands in a row after some span of `before`."""
    ends = {end for _, end in before}
    return any(_ends_before(start, ends, text) for start, _ in after)


def _spans_in_row(levels: list[list[tuple[int, int]]], text: str) -> list[tuple[int, int]] | None:
    """The spans that take part in a run of the part's terms standing in a row; None if no run.

    `levels` holds the spans of each term of the part; for a one-term part, every span counts.
    """
    reached = [levels[0]]
    for spans in levels[1:]:
        ends = {end for _, end in reached[-1]}
        reached.append([span for span in spans if _ends_before(span[0], ends, text)])
    if not reached[-1]:
        return None
    # Walk back from the last term: keep only the spans that lead on to a complete run.
    kept = [reached[-1]]
    for spans in reversed(reached[:-1]):
        ends = {end for _, end in spans}
        linked = {end for start, _ in kept[-1] for end in _ends_before(start, ends, text)}
        kept.append([span for span in spans if span[1] in linked])
    return [span for spans in kept for span in spans]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
