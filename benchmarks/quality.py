"""Search quality on the development set: which utterances each query should find, and scores.

The development set (tests/search_devset.json, written by reading the corpus, never by running a
search) gives each query a list of regular expressions; the expected utterances of a query are
those whose speech, folded (NFKC + lowercase), matches every one of them. The expectations are
therefore computed on whatever content is being measured, from the content folder itself, read
with the generator's reader (not from the search files a build wrote, whose layout is the search
engine's business).

An utterance is named by its URL, `<meeting url>#s<N>`, the same for our hits and for Pagefind's
results mapped onto utterances (see pagefind_peer.py).

Definitions, per query, with E the expected utterances and R the utterances returned (all of
them, no limit):

- recall    = |R ∩ E| / |E|; 1 when E is empty (there was nothing to miss);
- precision = |R ∩ E| / |R|; 1 when R is empty (nothing wrong was shown; a miss counts in recall).

The means are plain averages over all queries of the set, so a trap query (京都, where E holds no
東京都-only utterance) weighs as much as a topic query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.content import load_archive
from generator.diagnostics import has_errors
from generator.pages import SiteUrls
from generator.search.folding import fold

REPO = Path(__file__).resolve().parent.parent
DEVSET = REPO / "tests" / "search_devset.json"


@dataclass(frozen=True)
class DevQuery:
    """One query of the development set and the patterns its expected utterances match."""

    kind: str
    query: str
    expect: tuple[str, ...]
    note: str = ""

    def matches(self, folded_text: str) -> bool:
        """True when the folded speech matches every pattern of the query."""
        return all(re.search(pattern, folded_text) for pattern in self.expect)


def load_devset(path: Path = DEVSET) -> list[DevQuery]:
    """The queries of the development set, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [DevQuery(q["kind"], q["query"], tuple(q["expect"]), q.get("note", "")) for q in data["queries"]]


@dataclass(frozen=True)
class StoredUtterance:
    """An utterance of a built site: its URL (`/body/date/#sN`) and its speech."""

    url: str
    text: str


def content_utterances(content: Path) -> list[StoredUtterance]:
    """Every utterance of the content folder, named by its URL on a site built from it without --base-url."""
    archive, diagnostics = load_archive(content)
    if archive is None or has_errors(diagnostics):
        raise ValueError(f"{content} does not load: {len(diagnostics)} diagnostic(s), first: {diagnostics[:1]}")
    base_path = SiteUrls.from_base_url(archive.config.base_url).base_path
    return [
        StoredUtterance(f"{base_path}{meeting.path}/#s{utterance.number}", utterance.text)
        for meeting in archive.meetings
        for utterance in meeting.utterances
    ]


def expected_urls(query: DevQuery, utterances: Iterable[StoredUtterance]) -> set[str]:
    """The URLs of the utterances `query` should find."""
    return {u.url for u in utterances if query.matches(fold(u.text))}


@dataclass(frozen=True)
class QueryScore:
    """One query's outcome: what was expected, what came back, and its recall and precision."""

    query: DevQuery
    expected: int
    returned: int
    correct: int
    missed: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()

    @property
    def recall(self) -> float:
        """Share of the expected utterances returned; 1 when none were expected."""
        return self.correct / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the returned utterances that were expected; 1 when none were returned."""
        return self.correct / self.returned if self.returned else 1.0


def score(query: DevQuery, expected: set[str], returned: set[str], examples: int = 3) -> QueryScore:
    """Compare returned with expected utterance URLs; keep a few missed and wrong ones to show."""
    correct = expected & returned
    return QueryScore(
        query, len(expected), len(returned), len(correct),
        tuple(sorted(expected - returned)[:examples]), tuple(sorted(returned - expected)[:examples]),
    )  # fmt: skip


@dataclass
class QualitySummary:
    """Mean recall and precision of one search engine over the development set."""

    scores: list[QueryScore] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Mean recall over all queries."""
        return sum(s.recall for s in self.scores) / len(self.scores) if self.scores else float("nan")

    @property
    def precision(self) -> float:
        """Mean precision over all queries."""
        return sum(s.precision for s in self.scores) / len(self.scores) if self.scores else float("nan")

    def by_kind(self) -> dict[str, tuple[float, float]]:
        """Mean (recall, precision) per kind of query, in the order kinds first appear."""
        kinds: dict[str, list[QueryScore]] = {}
        for s in self.scores:
            kinds.setdefault(s.query.kind, []).append(s)
        return {
            kind: (sum(s.recall for s in group) / len(group), sum(s.precision for s in group) / len(group))
            for kind, group in kinds.items()
        }
