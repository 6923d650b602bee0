"""Search benchmark: our Sudachi + lunr search side by side with Pagefind, on the same pages.

One run measures, for each content set — the bundled archive (content/) and the whole
../shared/corpus brought into the format (603 meetings; see corpus.py) — and then for growing
subsets of the corpus (100, 200, 400 and 600 meetings; see subsets.py):

1. build time. Ours: a full, cold `minutes build` of the content (pages and search index), wall
   clock, in a fresh empty working folder with no token or content-hash cache (see
   cold_build.py, which says exactly how). Pagefind's: its CLI indexing a copy of the pages our
   build just wrote (pagefind_peer.py). The ratio ours / Pagefind is printed with them. With
   --repeat N, each is run N times, in turn, and the median is shown.
2. peak memory of each: the build's own report when its summary line gives one, else the
   kernel's peak RSS of the build process (process.py); Pagefind's is the kernel's figure.
3. index size, raw and gzipped (each file gzipped at level 6, summed). Ours: every file under
   site/search/ (whatever the search engine writes there, and the search page) plus the code the
   search page loads, assets/lunr.min.js and assets/search*.js. Pagefind's: its whole pagefind/
   folder (its index, fragments, wasm and JS).
4. for each timed query (all eight of TIMED_QUERIES by default), in headless Chromium, each load
   in a fresh browser context (cold cache): the time until the first results are shown, and the
   bytes fetched until then, raw and gzipped, counted by the local server whoever fetched them
   (the page or a Web Worker; see browser.py), the time in the page's own clock from navigation
   start. Ours opens /search/?q=… and waits for `#search-results[data-first-results="shown"]`
   (the first five meetings with their snippets; the rest of the page follows); Pagefind's page
   loads pagefind.js, awaits `pagefind.search(q)` and the data of its first five results. One untimed load of each engine
   comes first, so that Chromium's own warm-up is charged to neither. The medians over the
   queries are what the tables show; each query's figures follow them.
5. mean recall and precision on the development set (tests/search_devset.json), bundled and
   corpus sets only. A query's expected utterances E are those whose folded speech (NFKC +
   lowercase) matches every pattern the set gives it; R is every utterance the engine returns,
   no limit. Per query, recall = |R ∩ E| / |E| (1 when E is empty) and precision = |R ∩ E| / |R|
   (1 when R is empty: nothing wrong shown; a miss counts in recall); the means are plain
   averages over all queries (see quality.py). Ours through `Searcher.open(site).search(q,
   limit=0)`, the code behind `minutes search --json --limit 0`; Pagefind's in Chromium, each
   query in a fresh page, its page results mapped onto utterances through the `#sN` anchors and
   match positions (see pagefind_peer.py, which also says why a fresh page).

Growth: the same build, memory, index and first-result figures on the subsets of 100, 200, 400
and 600 meetings of the corpus, the first N of a fixed order that mixes the bodies (subsets.py),
each written to benchmarks/out/subset-N-content/ and built to benchmarks/out/subset-N-site/. A
size at or above the corpus's 603 meetings is the whole corpus: its row repeats the corpus set's
figures when that set ran, instead of building it again.

It prints, in this order: the table of both sets (one row per engine), each set's per-query
table, the growth table, then the development queries where either engine fell short. Every
figure goes to benchmarks/out/search-bench.json. It talks to nothing but servers on 127.0.0.1,
and bounds its runtime: each build and each indexing has a timeout (--timeout, 600 s), each page
load or Pagefind query in Chromium one of --page-timeout (120 s); a timeout is reported as an
error, not waited for. Timings are wall clock on whatever else the machine is doing: compare
figures from one run, not across runs.

Usage:
    make bench                                    (runs benchmarks/run.py, which runs this)
    .venv/bin/python benchmarks/search_bench.py [options]

    --sets bundled,corpus   content sets of the main table ('' for none)
    --sizes 100,200,400,600 growth subsets, in meetings ('' for none)
    --timed N               time the first N of the eight queries (default: all)
    --no-quality            skip recall and precision on the development set
    --repeat N              build and index each set N times, ours and Pagefind's in turn, and
                            show the median time and the largest peak (default 1)
    --timeout S             seconds allowed for each build and each indexing (default 600)
    --page-timeout S        seconds allowed for each page load in Chromium (default 120)

    e.g. a quick run: --sets bundled --sizes 100 --no-quality
"""

from __future__ import annotations

import argparse
import gzip
import json
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
from benchmarks.browser import FirstResult, ServedSite, chromium, serve, time_first_result  # noqa: E402
from benchmarks.cold_build import build_ours  # noqa: E402
from benchmarks.corpus import OUT, ContentSet, bundled, whole_corpus  # noqa: E402
from benchmarks.quality import (  # noqa: E402
    DevQuery,
    QualitySummary,
    StoredUtterance,
    content_utterances,
    expected_urls,
    load_devset,
    score,
)
from benchmarks.scratch import quiet_runs  # noqa: E402
from benchmarks.subsets import meeting_files, write_subset  # noqa: E402
from benchmarks.tables import fraction, kilobytes, median, megabytes, ratio, seconds, text_table, times  # noqa: E402

SETS = ("bundled", "corpus")
SIZES = (100, 200, 400, 600)
TIMED_QUERIES = ["GIGAスクール", "子ども", "東日本大震災 復興", "京都", "オリンピック", "ｉＰａｄ", "LGWAN-ASP", "築地"]
"""Queries whose first result is timed, in this order (the first --timed of them)."""
OUR_CODE = ["assets/lunr.min.js", "assets/search*.js"]
"""The search code our page loads, counted with the index as Pagefind's folder holds its own code."""
OUR_DONE = '#search-results[data-first-results="shown"]'
"""Our first results: the first five meetings with their snippets, as Pagefind's UI shows five results."""
PAGEFIND_DONE = 'body[data-state="done"]'
PAGE_TIMEOUT_S = 120
"""Seconds allowed for one page load or one Pagefind query in Chromium (--page-timeout)."""
OURS = "ours (Sudachi + lunr)"
PAGEFIND = "Pagefind 1.5.2 extended"


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


def our_index_files(site: Path) -> tuple[list[Path], list[Path]]:
    """Our search files: everything under site/search/, and the search code under assets/."""
    index = sorted(p for p in (site / "search").rglob("*") if p.is_file())
    code = sorted({p for pattern in OUR_CODE for p in site.glob(pattern) if p.is_file()})
    return index, code


@dataclass
class EngineFigures:
    """What one engine measured on one content set."""

    engine: str
    build_s: float | None = None
    """Median of build_samples."""
    build_samples: list[float] = field(default_factory=list)
    """Seconds of each build or indexing (one per --repeat)."""
    peak_bytes: int | None = None
    """The peak memory quoted: the build's own report, else the kernel's peak RSS."""
    peak_rss: int | None = None
    index: Size | None = None
    code: Size | None = None
    """Of `index`, the search code (ours only; Pagefind's is inside its folder)."""
    first_results: list[FirstResult] = field(default_factory=list)
    timed: list[str] = field(default_factory=list)
    """The query of each first result, in the same order."""
    quality: QualitySummary | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def first_result_s(self) -> float | None:
        """Median time to first results over the timed queries."""
        return median(r.seconds for r in self.first_results)

    @property
    def first_query_gzip(self) -> float | None:
        """Median gzipped bytes fetched until the first results were shown."""
        return median(r.gzip_bytes for r in self.first_results)

    def result_for(self, query: str) -> FirstResult | None:
        """The first-result figures of `query`, if it was timed without error."""
        return next((r for q, r in zip(self.timed, self.first_results) if q == query), None)


@dataclass
class SetFigures:
    """Both engines on one content set."""

    name: str
    meetings: int
    utterances: int
    characters: int
    ours: EngineFigures
    pagefind: EngineFigures
    cache: str = ""
    """How our build was kept cold."""
    our_summary: str = ""
    """The closing line of our build."""
    notes: list[str] = field(default_factory=list)

    @property
    def build_ratio(self) -> float | None:
        """Our build time over Pagefind's indexing time."""
        return ratio(self.ours.build_s, self.pagefind.build_s)


def our_quality(site: Path, devset: list[DevQuery], utterances: list[StoredUtterance]) -> QualitySummary:
    """Our search, in Python (`minutes search --limit 0`), scored on the development set."""
    from generator.search.query import Searcher

    searcher = Searcher.open(site)
    summary = QualitySummary()
    for query in devset:
        returned = {hit.url for hit in searcher.search(query.query, limit=0).hits}
        summary.scores.append(score(query, expected_urls(query, utterances), returned))
    return summary


def pagefind_quality(
    browser: object, base: str, devset: list[DevQuery], utterances: list[StoredUtterance], timeout_s: float
) -> QualitySummary:
    """Pagefind in Chromium, each query in a fresh page, its results mapped onto utterances and scored."""
    summary = QualitySummary()
    for query in devset:
        returned = pagefind_peer.search_utterances(browser, base, query.query, timeout_s)
        summary.scores.append(score(query, expected_urls(query, utterances), returned))
    return summary


def time_queries(
    browser: object, ours: tuple[EngineFigures, ServedSite], peer: tuple[EngineFigures, ServedSite], timed: list[str],
    page_timeout_s: float, log,
) -> None:
    """Time each query's first results on both engines, after one untimed load of each."""

    def url(site: ServedSite, page: str, query: str) -> str:
        return f"{site.base}/{page}?q={urllib.parse.quote(query)}"

    engines = [(*ours, "search/", OUR_DONE), (*peer, pagefind_peer.BENCH_PAGE, PAGEFIND_DONE)]
    for _, site, page, done in engines:
        try:  # Chromium's first page pays for starting its renderer: charge it to no query.
            time_first_result(browser, site, url(site, page, timed[0]), done, "data-total", page_timeout_s)
        except Exception:  # noqa: BLE001, S110 - the timed loads below report any error
            pass
    for query in timed:
        log(f"  first results: {query}")
        for engine, site, page, done in engines:
            try:
                engine.first_results.append(time_first_result(browser, site, url(site, page, query), done, "data-total", page_timeout_s))
                engine.timed.append(query)
            except Exception as exc:  # noqa: BLE001 - a timeout is a figure to report, not a crash
                engine.errors.append(f"{query}: {type(exc).__name__}: {str(exc).splitlines()[0]}")


@dataclass(frozen=True)
class RunOptions:
    """How the sets are measured, from the command line."""

    timed: list[str]
    """The queries whose first results are timed."""
    timeout_s: float
    """Seconds allowed for each build and each Pagefind indexing."""
    page_timeout_s: float
    """Seconds allowed for each page load in Chromium."""
    repeat: int = 1
    """Builds and indexings per set, alternating ours and Pagefind's; the tables show the medians."""


def run_set(content: ContentSet, slug: str, devset: list[DevQuery] | None, options: RunOptions, log) -> SetFigures:
    """Build, index and time both engines on one content set; score them when `devset` is given."""
    site = OUT / f"{slug}-site"
    ours = EngineFigures(OURS)
    peer = EngineFigures(PAGEFIND)
    utterances = content_utterances(content.path)
    figures = SetFigures(
        content.name, len(meeting_files(content.path)), len(utterances), sum(len(u.text) for u in utterances),
        ours, peer, notes=list(content.notes),
    )  # fmt: skip
    # Ours and Pagefind's in turn, so that a busy spell of the machine weighs on both.
    for turn in range(1, options.repeat + 1):
        log(f"[{content.name}] cold minutes build --content {content.path} --out {site} ({turn}/{options.repeat})")
        build = build_ours(content, site, options.timeout_s)
        ours.build_samples.append(build.seconds)
        ours.peak_bytes, ours.peak_rss = max(ours.peak_bytes or 0, build.peak), max(ours.peak_rss or 0, build.peak_rss)
        figures.notes.extend(note for note in build.notes if note not in figures.notes)
        log(f"[{content.name}] pagefind over a copy of {site} ({turn}/{options.repeat})")
        run = pagefind_peer.index_site(site, OUT / f"{slug}-pagefind", options.timeout_s)
        peer.build_samples.append(run.seconds)
        peer.peak_bytes = peer.peak_rss = max(peer.peak_rss or 0, run.peak_rss)
    ours.build_s, peer.build_s = median(ours.build_samples), median(peer.build_samples)
    figures.cache, figures.our_summary = build.cache, build.summary
    index, code = our_index_files(site)
    ours.index, ours.code = measure_size(index + code), measure_size(code)
    peer.index = measure_size(sorted(p for p in run.bundle.rglob("*") if p.is_file()))
    pages = pagefind_peer.indexed_pages(run)
    spoken = len({u.url.split("#", 1)[0] for u in utterances})
    if pages != spoken:
        figures.notes.append(f"Pagefind indexed {pages} pages for {spoken} meetings with utterances")
    if spoken != figures.meetings:
        figures.notes.append(f"{figures.meetings - spoken} meeting(s) without any utterance (Pagefind skips an empty page)")
    if devset:
        log(f"[{content.name}] our search on {len(devset)} development queries")
        ours.quality = our_quality(site, devset, utterances)
    with chromium() as browser, serve(site) as our_site, serve(run.site) as peer_site:
        if devset:
            log(f"[{content.name}] Pagefind on {len(devset)} development queries in Chromium")
            peer.quality = pagefind_quality(browser, peer_site.base, devset, utterances, options.page_timeout_s)
        log(f"[{content.name}] first results of {len(options.timed)} queries in Chromium")
        time_queries(browser, (ours, our_site), (peer, peer_site), options.timed, options.page_timeout_s, log)
    return figures


def _engines(r: SetFigures) -> list[tuple[EngineFigures, str]]:
    """Both engines of a set, each with the ratio cell of its row (ours / Pagefind on ours)."""
    return [(r.ours, times(r.build_ratio)), (r.pagefind, "")]


def table(results: list[SetFigures]) -> str:
    """The content sets as a plain-text table, one row per engine."""
    header = ["set", "engine", "build/index", "ratio", "peak mem", "index raw", "index gzip",
              "1st-query gzip", "1st results", "recall", "precision"]  # fmt: skip
    rows = [
        [f"{r.name} ({r.meetings} mtg, {r.utterances} utt)", e.engine, seconds(e.build_s), ratio_cell,
         megabytes(e.peak_bytes), megabytes(e.index.raw if e.index else None), megabytes(e.index.gzip if e.index else None),
         kilobytes(e.first_query_gzip), seconds(e.first_result_s),
         fraction(e.quality.recall if e.quality else None), fraction(e.quality.precision if e.quality else None)]
        for r in results
        for e, ratio_cell in _engines(r)
    ]  # fmt: skip
    return text_table(header, rows, [False, False] + [True] * (len(header) - 2))


def query_table(r: SetFigures) -> str:
    """One set's timed queries: time to first results and gzip bytes fetched, both engines, and medians."""
    header = ["query", "ours time", "ours gzip", "ours hits", "Pagefind time", "Pagefind gzip", "Pagefind pages"]
    queries = list(dict.fromkeys(r.ours.timed + r.pagefind.timed))
    rows = []
    for query in queries:
        cells = [query]
        for engine in (r.ours, r.pagefind):
            fr = engine.result_for(query)
            cells += [seconds(fr.seconds if fr else None), kilobytes(fr.gzip_bytes if fr else None),
                      "-" if fr is None or fr.total is None else str(fr.total)]  # fmt: skip
        rows.append(cells)
    rows.append(["median", seconds(r.ours.first_result_s), kilobytes(r.ours.first_query_gzip), "",
                 seconds(r.pagefind.first_result_s), kilobytes(r.pagefind.first_query_gzip), ""])  # fmt: skip
    return text_table(header, rows, [False] + [True] * (len(header) - 1))


def growth_table(points: list[SetFigures]) -> str:
    """How the figures grow with the number of meetings, ours and Pagefind on alternate rows."""
    header = ["meetings", "utterances", "characters", "engine", "build/index", "ratio", "peak mem",
              "index raw", "index gzip", "1st-query gzip", "1st results"]  # fmt: skip
    rows = [
        [str(p.meetings), str(p.utterances), f"{p.characters:,}", e.engine, seconds(e.build_s), ratio_cell,
         megabytes(e.peak_bytes), megabytes(e.index.raw if e.index else None), megabytes(e.index.gzip if e.index else None),
         kilobytes(e.first_query_gzip), seconds(e.first_result_s)]
        for p in points
        for e, ratio_cell in _engines(p)
    ]  # fmt: skip
    return text_table(header, rows, [True, True, True, False] + [True] * (len(header) - 4))


def details(results: list[SetFigures]) -> str:
    """How each build ran, per-kind quality, errors, and the queries where an engine fell short."""
    lines: list[str] = []
    for r in results:
        lines.append(f"\n[{r.name}] {r.meetings} meetings, {r.utterances} utterances, {r.characters:,} characters of speech")
        lines.append(f"  our build: {r.our_summary or '(no summary line)'}; cache: {r.cache}")
        lines.append(f"  peak RSS of the build process {megabytes(r.ours.peak_rss)}; of Pagefind's CLI {megabytes(r.pagefind.peak_rss)}")
        if len(r.ours.build_samples) > 1:
            turns = "; ".join(f"{e.engine} {', '.join(f'{t:.2f}' for t in e.build_samples)}" for e in (r.ours, r.pagefind))
            lines.append(f"  seconds of each build/indexing (the tables show the median): {turns}")
        if r.ours.code:
            lines.append(f"  our index counts the search code too: {megabytes(r.ours.code.raw)} raw, {megabytes(r.ours.code.gzip)} gzip")
        for note in r.notes:
            lines.append(f"  note: {note}")
        for e in (r.ours, r.pagefind):
            if e.quality:
                kinds = ", ".join(f"{k} {rc:.2f}/{pr:.2f}" for k, (rc, pr) in e.quality.by_kind().items())
                lines.append(f"  {e.engine}: recall/precision by kind: {kinds}")
            for error in e.errors:
                lines.append(f"  {e.engine}: error: {error}")
        if r.ours.quality and r.pagefind.quality:
            for ours, peer in zip(r.ours.quality.scores, r.pagefind.quality.scores):
                if min(ours.recall, ours.precision, peer.recall, peer.precision) < 1:
                    lines.append(
                        f"  {ours.query.kind:9} {ours.query.query!r:22} expected {ours.expected:4}  "
                        f"ours {ours.returned:4} (R {ours.recall:.2f} P {ours.precision:.2f})  "
                        f"Pagefind {peer.returned:4} (R {peer.recall:.2f} P {peer.precision:.2f})"
                    )
    return "\n".join(lines)


def _engine_json(e: EngineFigures) -> dict:
    return {
        "engine": e.engine, "build_s": e.build_s, "build_samples": e.build_samples, "peak_bytes": e.peak_bytes, "peak_rss": e.peak_rss,
        "index": asdict(e.index) if e.index else None, "code": asdict(e.code) if e.code else None,
        "first_result_s": e.first_result_s, "first_query_gzip": e.first_query_gzip,
        "first_results": [{"query": q, **asdict(r)} for q, r in zip(e.timed, e.first_results)],
        "recall": e.quality.recall if e.quality else None, "precision": e.quality.precision if e.quality else None,
        "queries": [
            {"kind": s.query.kind, "query": s.query.query, "expected": s.expected, "returned": s.returned,
             "correct": s.correct, "missed": s.missed, "wrong": s.wrong}
            for s in (e.quality.scores if e.quality else [])
        ],
        "errors": e.errors,
    }  # fmt: skip


def _set_json(r: SetFigures) -> dict:
    return {
        "name": r.name, "meetings": r.meetings, "utterances": r.utterances, "characters": r.characters,
        "build_ratio": r.build_ratio, "cache": r.cache, "our_summary": r.our_summary, "notes": r.notes,
        "ours": _engine_json(r.ours), "pagefind": _engine_json(r.pagefind),
    }  # fmt: skip


def to_json(results: list[SetFigures], growth: list[SetFigures], timed: list[str]) -> dict:
    """Every figure, for later comparison (benchmarks/out/search-bench.json)."""
    return {"timed_queries": timed, "sets": [_set_json(r) for r in results], "growth": [_set_json(p) for p in growth]}


def parse_sizes(text: str) -> list[int]:
    """`100,200,400` as sorted distinct positive sizes; an empty string means none."""
    sizes = {int(part) for part in text.split(",") if part.strip()}
    if any(size <= 0 for size in sizes):
        raise ValueError("sizes must be positive numbers of meetings")
    return sorted(sizes)


def parser() -> argparse.ArgumentParser:
    """The benchmark's options (benchmarks/run.py hands it those it knows)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="content sets, comma-separated: bundled, corpus ('' for none)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="growth subsets of the corpus, in meetings ('' for none)")
    parser.add_argument("--timed", type=int, default=len(TIMED_QUERIES), help=f"queries whose first results are timed (of {len(TIMED_QUERIES)})")
    parser.add_argument("--no-quality", action="store_true", help="skip recall and precision on the development set")
    parser.add_argument("--repeat", type=int, default=1, help="builds and indexings per set, the median shown (default 1)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for each build and each Pagefind indexing")
    parser.add_argument("--page-timeout", type=float, default=PAGE_TIMEOUT_S, help="seconds allowed for each page load in Chromium")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with the options on the command line."""
    return run_benchmark(parser().parse_args(argv))


def run_benchmark(args: argparse.Namespace) -> int:
    """Run the benchmark on the content sets and growth sizes of `args`; print the tables."""
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(names) - set(SETS)
    if unknown:
        parser().error(f"unknown content set(s): {', '.join(sorted(unknown))}")
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        parser().error(f"--sizes: {exc}")
    timed = TIMED_QUERIES[: max(1, min(args.timed, len(TIMED_QUERIES)))]
    options = RunOptions(timed, args.timeout, args.page_timeout, max(1, args.repeat))

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    devset = None if args.no_quality else load_devset()
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with quiet_runs(log):
        corpus = whole_corpus() if "corpus" in names or sizes else None
        results: list[SetFigures] = []
        for name in names:
            content = bundled() if name == "bundled" else corpus
            results.append(run_set(content, name, devset, options, log))
        growth: list[SetFigures] = []
        if sizes:
            total = len(meeting_files(corpus.path))
            whole = next((r for r in results if r.name == "corpus"), None)
            for size in sizes:
                if size >= total and whole is not None:
                    growth.append(whole)
                elif size >= total:
                    growth.append(run_set(corpus, "corpus", None, options, log))
                else:
                    growth.append(run_set(write_subset(corpus.path, size), f"subset-{size}", None, options, log))
                if size >= total:
                    break  # every larger size is the whole corpus again
    if results:
        print(table(results))
        for r in results:
            print(f"\n[{r.name}] first results per query (time, gzip bytes fetched until shown, results)")
            print(query_table(r))
    if growth:
        print("\ngrowth with the number of meetings (subsets of the corpus; medians over the timed queries)")
        print(growth_table(growth))
    print(details(results + [p for p in growth if p not in results]))
    (OUT / "search-bench.json").write_text(json.dumps(to_json(results, growth, timed), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{len(devset) if devset else 0} development queries; first results timed on: {', '.join(timed)}; "
          f"ran in {time.perf_counter() - start:.0f} s; figures in {OUT / 'search-bench.json'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
