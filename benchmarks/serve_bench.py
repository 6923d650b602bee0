"""The dev server on the whole corpus: full build, save → page served updated, search index current again.

Prints three figures for issue 5, on all of ../shared/corpus in the Markdown format (about 600
meetings, made by benchmarks/corpus.py into benchmarks/out/serve/corpus-content/):

1. full build, cold cache: `build_site` as `minutes build` runs it, and `minutes serve`'s own
   start (pages served) with an empty token cache, until its first search index is served;
2. save → served updated: a meeting file is rewritten with a new sentence, and its page is fetched
   over HTTP until the sentence is in it (a median-sized meeting and the largest one);
3. save → search index current: from the same save until the server serves an index built from
   the saved content (checked by the new sentence being in search/docs.json).

Usage: `python benchmarks/serve_bench.py [--content DIR] [--edits N] [--skip-build]`. The content
folder is edited by the benchmark, so it defaults to a fresh copy of the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import OUT, whole_corpus  # noqa: E402
from generator.build import build_site  # noqa: E402
from generator.content import load_archive  # noqa: E402
from generator.serve.dev_server import DevServer, ServeOptions  # noqa: E402
from generator.serve.jobs import JobKind  # noqa: E402

SERVE_OUT = OUT / "serve"
TEMPLATES = REPO / "templates"
POLL = 0.01
SEARCH_TIMEOUT = 1800.0


@dataclass
class Edit:
    """One save of one meeting and how long until each part of the site showed it."""

    meeting: str
    characters: int
    served_seconds: float
    search_seconds: float | None = None


@dataclass
class Results:
    """Everything the benchmark measured, for the JSON file and the printed summary."""

    meetings: int
    utterances: int
    characters: int
    load_average: tuple[float, float, float]
    build_seconds: float | None = None
    serve_start_seconds: float = 0.0
    first_index_seconds: float | None = None
    edits: list[Edit] = field(default_factory=list)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait(check, timeout: float, what: str) -> float:
    """Seconds until `check()` is true, polling; raises after `timeout`."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(POLL)
    return time.perf_counter() - started


def pick_meetings(content: Path) -> list[tuple[str, int]]:
    """A median-sized meeting and the largest, as (source path, characters)."""
    archive, _ = load_archive(content)
    assert archive is not None, "the corpus must load (minutes check passes on it)"
    sizes = sorted((sum(len(u.text) for u in m.utterances), str(m.source)) for m in archive.meetings if m.utterances)
    median, largest = sizes[len(sizes) // 2], sizes[-1]
    return [(median[1], median[0]), (largest[1], largest[0])]


def save_with_sentence(path: Path, sentence: str) -> None:
    """Rewrite the meeting with `sentence` added to its first utterance, as an editor saves."""
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("○"))
    lines[first] += sentence
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.replace(temporary, path)


def run(content: Path, edits: int, skip_build: bool, log) -> Results:
    archive, _ = load_archive(content)
    assert archive is not None
    results = Results(
        meetings=len(archive.meetings),
        utterances=sum(len(m.utterances) for m in archive.meetings),
        characters=sum(len(u.text) for m in archive.meetings for u in m.utterances),
        load_average=os.getloadavg(),
    )
    del archive
    if not skip_build:
        started = time.perf_counter()
        build_site(content, TEMPLATES, SERVE_OUT / "site-build")
        results.build_seconds = time.perf_counter() - started
        log(f"full build (minutes build): {results.build_seconds:.1f} s")

    cache = SERVE_OUT / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(SERVE_OUT / "site", ignore_errors=True)
    options = ServeOptions(content, TEMPLATES, SERVE_OUT / "site", port=0, cache_dir=cache)
    started = time.perf_counter()
    server = DevServer(options, echo=lambda line: log(f"  serve: {line}"))
    server.start()
    try:
        results.serve_start_seconds = time.perf_counter() - started
        log(f"minutes serve, pages served after {results.serve_start_seconds:.1f} s")
        version = server.site.content_version
        wait(lambda: server.job_versions.get(JobKind.SEARCH, -1) >= version, SEARCH_TIMEOUT, "first search index")
        results.first_index_seconds = time.perf_counter() - started
        log(f"first search index (cold token cache) served after {results.first_index_seconds:.1f} s")

        targets = pick_meetings(content)
        for number in range(edits):
            source, characters = targets[number % len(targets)]
            marker = f"ベンチマーク用の追記{time.time_ns()}です。"
            url = server.url + source.removesuffix(".md") + "/"
            saved = time.perf_counter()
            save_with_sentence(content / source, marker)
            served = wait(lambda: marker in fetch(url), 60, f"{source} served")
            after = server.site.content_version
            edit = Edit(source, characters, served)
            log(f"edit {number + 1}: {source} ({characters:,} characters) served updated after {served:.2f} s")
            wait(lambda: server.job_versions.get(JobKind.SEARCH, -1) >= after, SEARCH_TIMEOUT, "search index")
            edit.search_seconds = time.perf_counter() - saved
            assert marker in fetch(server.url + "search/docs.json"), "the new index must hold the edit"
            log(f"        search index current after {edit.search_seconds:.1f} s")
            results.edits.append(edit)
    finally:
        server.stop()
    return results


def main(argv: list[str]) -> int:
    """Run the benchmark and print (and save) its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, help="content folder to edit (default: a fresh copy of the corpus)")
    parser.add_argument("--edits", type=int, default=4, help="saves to time (alternating median and largest meeting)")
    parser.add_argument("--skip-build", action="store_true", help="skip the `minutes build` timing")
    args = parser.parse_args(argv)
    SERVE_OUT.mkdir(parents=True, exist_ok=True)
    content = args.content
    if content is None:
        corpus = whole_corpus(out=SERVE_OUT)
        content = corpus.path
        for note in corpus.notes:
            print(f"note: {note}", file=sys.stderr)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run(content, args.edits, args.skip_build, log)
    (SERVE_OUT / "results.json").write_text(json.dumps(asdict(results), ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"corpus: {results.meetings} meetings, {results.utterances:,} utterances, {results.characters:,} characters")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in results.load_average)} ({os.cpu_count()} CPUs)")
    if results.build_seconds is not None:
        print(f"full build, minutes build:                      {results.build_seconds:8.1f} s")
    print(f"minutes serve start, pages served:              {results.serve_start_seconds:8.1f} s")
    print(f"minutes serve start, search index (cold cache): {results.first_index_seconds:8.1f} s")
    for edit in results.edits:
        print(f"save → served updated, {edit.meeting} ({edit.characters:,} chars): {edit.served_seconds:.2f} s; search index current: {edit.search_seconds:.1f} s")
    worst = max(edit.served_seconds for edit in results.edits) if results.edits else 0.0
    print(f"worst save → served updated: {worst:.2f} s (goal: under 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
