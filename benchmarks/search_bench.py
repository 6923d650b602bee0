"""Search benchmark: our Sudachi + lunr search side by side with Pagefind, on the same pages.

For each content set (the bundled archive, content/, and the whole ../shared/corpus brought into
the format, about 600 meetings; see corpus.py), in one run:

1. build time: `minutes build` of the content (pages and search index), wall clock;
   Pagefind's indexing time: its CLI over a copy of the pages just built (pagefind_peer.py);
2. index size, raw and gzipped (each file gzipped at level 6, summed): ours is site/search/*.json
   plus assets/lunr.js and assets/search-engine.js; Pagefind's is its whole pagefind/ folder;
3. time to first result in headless Chromium, each load in a fresh context (cold cache), median
   over the timed queries: ours opens /search/?q=… and waits for
   `#search-results[data-state="done"]`; Pagefind's page loads pagefind.js, awaits
   `pagefind.search(q)` and the data of its first five results. Also the bytes those loads
   fetched (raw and gzipped), the page itself included;
4. mean recall and precision on the development set (tests/search_devset.json). A query's
   expected utterances E are those whose folded speech (NFKC + lowercase) matches every pattern
   the set gives it; R is every utterance the engine returns, no limit. Per query, recall =
   |R ∩ E| / |E| (1 when E is empty) and precision = |R ∩ E| / |R| (1 when R is empty: nothing
   wrong shown; a miss counts in recall); the means are plain averages over all queries (see
   quality.py). Ours through `Searcher.open(site).search(q, limit=0)`, the code behind
   `minutes search --json --limit 0`; Pagefind's in Chromium, each query in a fresh page, its
   page results mapped onto utterances through the `#sN` anchors and match positions (see
   pagefind_peer.py, which also says why a fresh page).

It prints a plain table, then the queries where either engine fell short, and writes every figure
to benchmarks/out/search-bench.json. It talks to nothing but a server on 127.0.0.1, and bounds its
runtime: each build and indexing has a timeout (--timeout, 600 s), each page load in Chromium
one of PAGE_TIMEOUT_S (120 s); a page that times out is reported as an error, not waited for.

Usage:
    .venv/bin/python benchmarks/search_bench.py [--sets bundled,corpus] [--timed N] [--timeout S]
    make bench        (runs benchmarks/run.py, which runs this)

A whole run takes about 3.5 minutes of CPU time, most of it the corpus build (`minutes build`
is single-threaded today); on 2 shared cores it took 6.5 minutes of wall-clock time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import pagefind_peer  # noqa: E402
from benchmarks.browser import FirstResult, chromium, serve, time_first_result  # noqa: E402
from benchmarks.corpus import OUT, ContentSet, bundled, minutes_command, whole_corpus  # noqa: E402
from benchmarks.quality import (  # noqa: E402
    DevQuery,
    QualitySummary,
    expected_urls,
    load_devset,
    score,
    site_utterances,
)

SETS = ("bundled", "corpus")
TIMED_QUERIES = ["GIGAスクール", "子ども", "東日本大震災 復興", "京都", "オリンピック", "ｉＰａｄ", "LGWAN-ASP", "築地"]
"""Queries whose first result is timed, in this order (the first --timed of them)."""
OUR_ASSETS = ["assets/lunr.js", "assets/search-engine.js"]
PAGE_TIMEOUT_S = 120
"""Seconds allowed for one page load or one Pagefind query in Chromium."""


@dataclass(frozen=True)
class Size:
    """Bytes of a set of files, as stored and gzipped."""

    files: int
    raw: int
    gzip: int


def measure_size(paths: list[Path]) -> Size:
    """Sum the sizes of `paths`, raw and each gzipped at level 6."""
    raw = packed = 0
    for path in paths:
        data = path.read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 6))
    return Size(len(paths), raw, packed)


@dataclass
class EngineFigures:
    """What one engine measured on one content set."""

    engine: str
    build_s: float | None = None
    index: Size | None = None
    first_results: list[FirstResult] = field(default_factory=list)
    timed: list[str] = field(default_factory=list)
    """The query of each first result, in the same order."""
    quality: QualitySummary | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def first_result_s(self) -> float | None:
        """Median time to first result over the timed queries."""
        return statistics.median(r.seconds for r in self.first_results) if self.first_results else None

    @property
    def first_query_gzip(self) -> int | None:
        """Median gzipped bytes fetched until the first results were shown."""
        return int(statistics.median(r.gzip_bytes for r in self.first_results)) if self.first_results else None


@dataclass
class SetFigures:
    """Both engines on one content set."""

    name: str
    meetings: int
    utterances: int
    characters: int
    ours: EngineFigures
    pagefind: EngineFigures
    notes: list[str] = field(default_factory=list)


def build_ours(content: ContentSet, site: Path, timeout_s: float) -> float:
    """Run `minutes build` on the content set into `site`; returns its wall-clock seconds."""
    command = minutes_command("build", "--content", str(content.path), "--out", str(site))
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout_s)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"minutes build failed: {done.stderr.strip()[-2000:]}")
    return seconds


def our_quality(site: Path, devset: list[DevQuery], utterances: list) -> QualitySummary:
    """Our search, in Python (`minutes search --limit 0`), scored on the development set."""
    from generator.search.query import Searcher

    searcher = Searcher.open(site)
    summary = QualitySummary()
    for query in devset:
        returned = {hit.url for hit in searcher.search(query.query, limit=0).hits}
        summary.scores.append(score(query, expected_urls(query, utterances), returned))
    return summary


def pagefind_quality(browser: object, base: str, devset: list[DevQuery], utterances: list, timeout_s: float) -> QualitySummary:
    """Pagefind in Chromium, each query in a fresh page, its results mapped onto utterances and scored."""
    summary = QualitySummary()
    for query in devset:
        returned = pagefind_peer.search_utterances(browser, base, query.query, timeout_s)
        summary.scores.append(score(query, expected_urls(query, utterances), returned))
    return summary


def run_set(content: ContentSet, devset: list[DevQuery], timed: list[str], timeout_s: float, log) -> SetFigures:
    """Build, index, time and score both engines on one content set."""
    site = OUT / f"{content.name}-site"
    ours = EngineFigures("ours (Sudachi + lunr)")
    peer = EngineFigures("Pagefind 1.5.2 extended")
    log(f"[{content.name}] minutes build --content {content.path} --out {site}")
    ours.build_s = build_ours(content, site, timeout_s)
    ours.index = measure_size(sorted((site / "search").glob("*.json")) + [site / a for a in OUR_ASSETS if (site / a).exists()])
    utterances = site_utterances(site)
    store = json.loads((site / "search" / "docs.json").read_text(encoding="utf-8"))
    figures = SetFigures(
        content.name, len(store["meetings"]), len(utterances), sum(len(u.text) for u in utterances), ours, peer, list(content.notes)
    )
    log(f"[{content.name}] pagefind over a copy of {site}")
    run = pagefind_peer.index_site(site, OUT / f"{content.name}-pagefind", timeout_s)
    peer.build_s = run.seconds
    peer.index = measure_size(sorted(p for p in run.bundle.rglob("*") if p.is_file()))
    pages = pagefind_peer.indexed_pages(run)
    spoken = len({doc[0] for doc in store["docs"]})
    if pages != spoken:
        figures.notes.append(f"Pagefind indexed {pages} pages for {spoken} meetings with utterances")
    if spoken != figures.meetings:
        figures.notes.append(f"{figures.meetings - spoken} meeting(s) without any utterance (Pagefind skips an empty page)")
    log(f"[{content.name}] our search on {len(devset)} queries")
    ours.quality = our_quality(site, devset, utterances)
    with chromium() as browser:
        with serve(site) as our_base, serve(run.site) as peer_base:
            log(f"[{content.name}] Pagefind on {len(devset)} queries in Chromium")
            peer.quality = pagefind_quality(browser, peer_base, devset, utterances, PAGE_TIMEOUT_S)
            for query in timed:
                q = urllib.parse.quote(query)
                log(f"[{content.name}] first result: {query}")
                for engine, root, base, url, done in (
                    (ours, site, our_base, f"{our_base}/search/?q={q}", '#search-results[data-state="done"]'),
                    (peer, run.site, peer_base, f"{peer_base}/{pagefind_peer.BENCH_PAGE}?q={q}", 'body[data-state="done"]'),
                ):
                    try:
                        engine.first_results.append(time_first_result(browser, root, base, url, done, "data-total", PAGE_TIMEOUT_S))
                        engine.timed.append(query)
                    except Exception as exc:  # noqa: BLE001 - a timeout is a figure to report, not a crash
                        engine.errors.append(f"{query}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    return figures


def _mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.2f} MB"


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(results: list[SetFigures]) -> str:
    """The figures as a plain-text table, one row per content set and engine."""
    header = ["set", "engine", "build/index", "index raw", "index gzip", "1st result", "1st-query gzip", "recall", "precision"]
    rows = [header]
    for r in results:
        for e in (r.ours, r.pagefind):
            rows.append([
                f"{r.name} ({r.meetings} mtg, {r.utterances} utt)", e.engine, _s(e.build_s),
                _mb(e.index.raw if e.index else None), _mb(e.index.gzip if e.index else None),
                _s(e.first_result_s), _mb(e.first_query_gzip),
                _f(e.quality.recall if e.quality else None), _f(e.quality.precision if e.quality else None),
            ])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def details(results: list[SetFigures]) -> str:
    """Per-kind means and the queries where an engine fell short, for reading the table."""
    lines: list[str] = []
    for r in results:
        lines.append(f"\n[{r.name}] {r.meetings} meetings, {r.utterances} utterances, {r.characters:,} characters of speech")
        for note in r.notes:
            lines.append(f"  note: {note}")
        for e in (r.ours, r.pagefind):
            if e.quality:
                kinds = ", ".join(f"{k} {rc:.2f}/{pr:.2f}" for k, (rc, pr) in e.quality.by_kind().items())
                lines.append(f"  {e.engine}: recall/precision by kind: {kinds}")
            if e.first_results:
                per_query = ", ".join(f"{q} {fr.seconds:.2f}s {fr.gzip_bytes / 1e3:.0f}kB" for q, fr in zip(e.timed, e.first_results))
                lines.append(f"  {e.engine}: first result (time, gzip bytes fetched): {per_query}")
            for error in e.errors:
                lines.append(f"  {e.engine}: error: {error}")
        for ours, peer in zip(r.ours.quality.scores, r.pagefind.quality.scores):
            if min(ours.recall, ours.precision, peer.recall, peer.precision) < 1:
                lines.append(
                    f"  {ours.query.kind:9} {ours.query.query!r:22} expected {ours.expected:4}  "
                    f"ours {ours.returned:4} (R {ours.recall:.2f} P {ours.precision:.2f})  "
                    f"Pagefind {peer.returned:4} (R {peer.recall:.2f} P {peer.precision:.2f})"
                )
    return "\n".join(lines)


def to_json(results: list[SetFigures]) -> dict:
    """Every figure, for later comparison (benchmarks/out/search-bench.json)."""

    def engine(e: EngineFigures) -> dict:
        return {
            "engine": e.engine, "build_s": e.build_s, "index": asdict(e.index) if e.index else None,
            "first_result_s": e.first_result_s, "first_results": [{"query": q, **asdict(r)} for q, r in zip(e.timed, e.first_results)],
            "recall": e.quality.recall if e.quality else None, "precision": e.quality.precision if e.quality else None,
            "queries": [
                {"kind": s.query.kind, "query": s.query.query, "expected": s.expected, "returned": s.returned,
                 "correct": s.correct, "missed": s.missed, "wrong": s.wrong}
                for s in (e.quality.scores if e.quality else [])
            ],
            "errors": e.errors,
        }  # fmt: skip

    return {
        "timed_queries": TIMED_QUERIES,
        "sets": [
            {"name": r.name, "meetings": r.meetings, "utterances": r.utterances, "characters": r.characters,
             "notes": r.notes, "ours": engine(r.ours), "pagefind": engine(r.pagefind)}
            for r in results
        ],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the content sets named on the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="content sets, comma-separated: bundled, corpus")
    parser.add_argument("--timed", type=int, default=3, help="queries whose first result is timed (of %s)" % len(TIMED_QUERIES))
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for each build and each Pagefind indexing")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(names) - set(SETS)
    if unknown:
        parser.error(f"unknown content set(s): {', '.join(sorted(unknown))}")
    timed = TIMED_QUERIES[: max(1, min(args.timed, len(TIMED_QUERIES)))]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    devset = load_devset()
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results: list[SetFigures] = []
    for name in names:
        content = bundled() if name == "bundled" else whole_corpus()
        results.append(run_set(content, devset, timed, args.timeout, log))
    print(table(results))
    print(details(results))
    (OUT / "search-bench.json").write_text(json.dumps(to_json(results), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{len(devset)} development queries; first result timed on: {', '.join(timed)}; "
          f"ran in {time.perf_counter() - start:.0f} s; figures in {OUT / 'search-bench.json'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
