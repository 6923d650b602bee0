"""Pagefind, the peer: index our built pages with `pagefind[extended]` and search them in Chromium.

Indexing. Pagefind runs (its own CLI, `python -m pagefind`) over a copy of the built site, so
our site stays as the build wrote it. We cannot add `data-pagefind-*` attributes to the
templates, so the CLI is told what to index instead, to match what our index holds (the speech
of every utterance, nothing else):

- `--glob '*/[0-9]*/index.html'`: the meeting pages only (not the home, body or search pages);
- `--root-selector .record`: the record of a meeting (not the header, table of contents or preamble);
- `--exclude-selectors` for the speaker labels, the `#N` permalinks, agenda headings, and the
  notes and stage directions that stand between utterances.

Searching. A small page (`pagefind-bench.html`, written into the copy) loads Pagefind's own JS
API `pagefind/pagefind.js`, runs `await pagefind.search(q)` and loads the data of the first
results (`FIRST_RESULTS`, as Pagefind's UI shows five), then marks `<body data-state="done">`.

Mapping Pagefind's page results onto utterances. Pagefind indexes pages, and its sub-results
exist only for headings with ids; our utterances are `<section id="sN">` elements. But every
result's data lists all elements with an id as `anchors`, each with the word position where it
starts, and `locations`, the word positions of every match on the page, in the same word
numbering. A match at position L belongs to the utterance whose `sN` section anchor is the last
one at or before L (everything indexed lies inside some section, given the exclusions above).
The utterances Pagefind returns for a query are those holding at least one match. Pagefind
requires every query word on the same page, not in the same utterance, so an utterance holding
one word of a two-word query is returned too: that is what a reader following its results sees.

Every query runs in a fresh browser context. Pagefind 1.5.2's answer to a query depends on the
index chunks earlier searches in the same page happened to load: on the whole corpus,
東日本大震災 finds no page when searched first, and 162 pages after the development set's earlier
queries. A fresh page per query gives the answer a reader gets who opens the page and searches,
the same on every run.
"""

from __future__ import annotations

import bisect
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.process import run_measured
from benchmarks.scratch import retire

GLOB = "*/[0-9]*/index.html"
ROOT_SELECTOR = ".record"
EXCLUDE_SELECTORS = [".speaker", ".permalink", ".agenda-item", ".record-note", ".record > .stage-direction"]
BUNDLE = "pagefind"
BENCH_PAGE = "pagefind-bench.html"
FIRST_RESULTS = 5
_UTTERANCE_ID = re.compile(r"s[0-9]+")

_PAGE = f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>Pagefind benchmark</title></head>
<body data-state="loading">
<script type="module">
const query = new URLSearchParams(location.search).get("q") || "";
if (!query) {{
  document.body.dataset.state = "idle";  // opened by the quality run, which searches itself
}} else try {{
  const pagefind = await import("./{BUNDLE}/pagefind.js");
  const search = await pagefind.search(query);
  const results = (search && search.results) || [];
  await Promise.all(results.slice(0, {FIRST_RESULTS}).map((result) => result.data()));
  document.body.dataset.total = String(results.length);
  document.body.dataset.state = "done";
}} catch (error) {{
  document.body.dataset.error = String(error);
  document.body.dataset.state = "error";
}}
</script>
</body></html>
"""

# Every result of a query, each with its matches and its utterance anchors, for the quality run.
SEARCH_ALL = f"""async (query) => {{
  const pagefind = await import("/{BUNDLE}/pagefind.js");
  const search = await pagefind.search(query);
  const results = (search && search.results) || [];
  const data = await Promise.all(results.map((result) => result.data()));
  return data.map((d) => ({{
    url: d.url,
    locations: d.locations,
    anchors: d.anchors.filter((a) => /^s[0-9]+$/.test(a.id)).map((a) => [a.id, a.location]),
  }}));
}}"""


@dataclass(frozen=True)
class PagefindRun:
    """Pagefind's indexing of a site copy: where the copy is and how long the CLI ran."""

    site: Path
    seconds: float
    log: str
    peak_rss: int = 0
    """Bytes: the kernel's peak RSS of the Pagefind CLI (benchmarks/process.py)."""

    @property
    def bundle(self) -> Path:
        """The folder Pagefind wrote: its index, fragments, wasm and JS."""
        return self.site / BUNDLE


def index_site(site: Path, copy: Path, timeout_s: float) -> PagefindRun:
    """Copy the built `site` to `copy` and index it with the Pagefind CLI; time the CLI alone.

    The wall-clock time includes starting the CLI (`python -m pagefind` runs its binary), as
    ours includes starting `minutes build`.
    """
    retire(copy)
    shutil.copytree(site, copy)
    command = [sys.executable, "-m", "pagefind", "--site", str(copy), "--glob", GLOB, "--root-selector", ROOT_SELECTOR]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    done = run_measured(command, copy, timeout_s)
    if done.timed_out:
        raise RuntimeError(f"pagefind timed out after {timeout_s:.0f} s")
    if done.returncode != 0:
        raise RuntimeError(f"pagefind failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    (copy / BENCH_PAGE).write_text(_PAGE, encoding="utf-8")
    return PagefindRun(copy, done.seconds, done.stdout, done.peak_rss)


def indexed_pages(run: PagefindRun) -> int | None:
    """How many pages Pagefind says it indexed (from its log)."""
    match = re.search(r"Indexed ([0-9,]+) pages?", run.log)
    return int(match[1].replace(",", "")) if match else None


def result_utterances(results: list[dict]) -> set[str]:
    """The utterance URLs (`/body/date/#sN`) that hold a match, from Pagefind's result data."""
    found: set[str] = set()
    for result in results:
        anchors = sorted((location, anchor_id) for anchor_id, location in result["anchors"])
        starts = [location for location, _ in anchors]
        for location in result["locations"]:
            at = bisect.bisect_right(starts, location) - 1
            if at >= 0:
                found.add(f"{result['url']}#{anchors[at][1]}")
    return found


def search_utterances(browser: object, base: str, query: str, timeout_s: float) -> set[str]:
    """Run `query` through Pagefind's JS API in a fresh page and map every result onto utterances."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        page.goto(f"{base}/{BENCH_PAGE}")
        return result_utterances(page.evaluate(SEARCH_ALL, query))
    finally:
        context.close()
