"""The dev server on the whole corpus: how long after a save the page, and search, show the change.

Prints, on all of ../shared/corpus in the Markdown format (about 600 meetings, made by
benchmarks/corpus.py into benchmarks/out/serve/corpus-content/), for issues 5 and 16:

1. `minutes serve`'s own start with an empty cache: pages served, then its first search
   index served (with --build, also a full `build_site` in this process first);
2. save → page served updated: a meeting file is rewritten with a new sentence added to its first
   utterance, as an editor saves, and its page is fetched over HTTP until the sentence is in it
   (target: 0.5 s);
3. save → search finds the new word: the sentence holds a word made up for this save (katakana
   no meeting has), and from the same save until `minutes search`'s code (`Searcher.open` on
   the output folder the server keeps equal to what it serves) returns an utterance of the saved
   meeting for that word (target: 2 s). Until the server says a search index of the saved
   content is served (its job's content version), only that cheap number is polled; then the
   search itself, opened afresh each time, as a `minutes search` run would.

Two meetings are saved in turn, a median-sized one and the largest, each --saves times (3); the
table shows each one's median and the worst save. Each save waits until search has caught up
before the next, so every save starts from a quiet server.

Usage: `python benchmarks/serve_bench.py [--content DIR] [--saves N] [--build]`. The content
folder is edited by the benchmark, so it defaults to a fresh copy of the corpus. benchmarks/run.py
(`make bench`) runs it too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
from benchmarks.scratch import quiet_runs, retire  # noqa: E402
from benchmarks.tables import median, seconds, text_table  # noqa: E402
from generator.build import build_site  # noqa: E402
from generator.content import load_archive  # noqa: E402
from generator.search.integrity import DamagedIndexError  # noqa: E402
from generator.search.query import Searcher  # noqa: E402
from generator.serve.dev_server import DevServer, ServeOptions  # noqa: E402
from generator.serve.jobs import JobKind  # noqa: E402

SERVE_OUT = OUT / "serve"
TEMPLATES = REPO / "templates"
POLL = 0.01
SEARCH_TIMEOUT = 1800.0
SAVES = 3
PAGE_TARGET = 0.5
SEARCH_TARGET = 2.0
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


@dataclass
class Edit:
    """One save of one meeting and how long until each part of the site showed it."""

    meeting: str
    characters: int
    served_seconds: float
    word: str = ""
    """The made-up word the save added, searched for."""
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
    """The body of `url` as text."""
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
    middle, largest = sizes[len(sizes) // 2], sizes[-1]
    return [(middle[1], middle[0]), (largest[1], largest[0])]


def made_up_word(rng: random.Random, length: int = 7) -> str:
    """A katakana word no meeting holds (seven letters drawn at random), so search finds only the save."""
    return "".join(rng.choice(KATAKANA) for _ in range(length))


def save_with_sentence(path: Path, sentence: str) -> None:
    """Rewrite the meeting with `sentence` added to its first utterance, as an editor saves."""
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("○"))
    lines[first] += sentence
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.replace(temporary, path)


def search_finds(site: Path, word: str, meeting_path: str) -> bool:
    """Whether `minutes search`'s code, on the site in `site`, returns an utterance of the meeting at `meeting_path` for `word`."""
    try:
        hits = Searcher.open(site).search(word, limit=0).hits
    except (OSError, DamagedIndexError, KeyError):
        # Read while the server was replacing the output folder's index, file by file: a
        # manifest or lexicon of the new index with a shard of the old one. Not current yet.
        return False
    return any(hit.url.split("#", 1)[0].endswith(f"/{meeting_path}/") for hit in hits)


def run(content: Path, saves: int, with_build: bool, log) -> Results:
    """Start `minutes serve` on `content` and time each save of the two chosen meetings."""
    archive, _ = load_archive(content)
    assert archive is not None
    results = Results(
        meetings=len(archive.meetings),
        utterances=sum(len(m.utterances) for m in archive.meetings),
        characters=sum(len(u.text) for m in archive.meetings for u in m.utterances),
        load_average=os.getloadavg(),
    )
    paths = {str(m.source): m.path for m in archive.meetings}
    del archive
    if with_build:
        started = time.perf_counter()
        build_site(content, TEMPLATES, SERVE_OUT / "site-build")
        results.build_seconds = time.perf_counter() - started
        log(f"full build (build_site, no cache): {results.build_seconds:.1f} s")

    cache = SERVE_OUT / "cache"
    site = SERVE_OUT / "site"
    retire(cache)
    retire(site)
    options = ServeOptions(content, TEMPLATES, site, port=0, cache_dir=cache)
    started = time.perf_counter()
    server = DevServer(options, echo=lambda line: log(f"  serve: {line}"))
    server.start()
    rng = random.Random(16)
    try:
        results.serve_start_seconds = time.perf_counter() - started
        log(f"minutes serve, pages served after {results.serve_start_seconds:.1f} s")
        version = server.site.content_version
        wait(lambda: server.job_versions.get(JobKind.SEARCH, -1) >= version, SEARCH_TIMEOUT, "first search index")
        results.first_index_seconds = time.perf_counter() - started
        log(f"first search index (cold cache) served after {results.first_index_seconds:.1f} s")

        targets = pick_meetings(content)
        for number in range(saves * len(targets)):
            source, characters = targets[number % len(targets)]
            word = made_up_word(rng)
            marker = f"ここで{word}という言葉を書き足しました。"
            page = server.url + source.removesuffix(".md") + "/"
            saved = time.perf_counter()
            save_with_sentence(content / source, marker)
            served = wait(lambda: marker in fetch(page), 60, f"{source} served")
            edit = Edit(source, characters, served, word)
            log(f"save {number + 1}: {source} ({characters:,} characters) served updated after {served:.2f} s")
            after = server.site.content_version
            wait(lambda: server.job_versions.get(JobKind.SEARCH, -1) >= after, SEARCH_TIMEOUT, "search index")
            wait(lambda: search_finds(site, word, paths[source]), 60, f"search for {word}")
            edit.search_seconds = time.perf_counter() - saved
            log(f"        search finds {word} after {edit.search_seconds:.2f} s")
            results.edits.append(edit)
    finally:
        server.stop()
    return results


def freshness_table(results: Results) -> str:
    """Per saved meeting: median and worst seconds from save to page served and to search finding the word."""
    header = ["meeting saved", "characters", "saves", "page served", "worst", "search finds", "worst"]
    rows = []
    for meeting in dict.fromkeys(edit.meeting for edit in results.edits):
        edits = [edit for edit in results.edits if edit.meeting == meeting]
        searched = [edit.search_seconds for edit in edits if edit.search_seconds is not None]
        rows.append([
            meeting, f"{edits[0].characters:,}", str(len(edits)),
            seconds(median(edit.served_seconds for edit in edits)), seconds(max(edit.served_seconds for edit in edits)),
            seconds(median(searched)), seconds(max(searched, default=None)),
        ])  # fmt: skip
    rows.append(["target", "", "", f"≤ {PAGE_TARGET:g} s", "", f"≤ {SEARCH_TARGET:g} s", ""])
    return text_table(header, rows, [False, True, True, True, True, True, True])


def parser() -> argparse.ArgumentParser:
    """The benchmark's options (benchmarks/run.py hands it those it knows)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, help="content folder to edit (default: a fresh copy of the corpus)")
    parser.add_argument("--saves", type=int, default=SAVES, help=f"saves of each of the two meetings, the median shown (default {SAVES})")
    parser.add_argument("--build", action="store_true", help="also time a full build_site in this process first")
    return parser


def run_benchmark(args: argparse.Namespace) -> int:
    """Run the benchmark and print (and save) its figures."""
    SERVE_OUT.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with quiet_runs(log):
        content = args.content
        if content is None:
            corpus = whole_corpus(out=SERVE_OUT)
            content = corpus.path
            for note in corpus.notes:
                print(f"note: {note}", file=sys.stderr)
        results = run(content, max(1, args.saves), args.build, log)
    (SERVE_OUT / "results.json").write_text(json.dumps(asdict(results), ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nminutes serve on the corpus: {results.meetings} meetings, {results.utterances:,} utterances, {results.characters:,} characters")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in results.load_average)} ({os.cpu_count()} CPUs)")
    if results.build_seconds is not None:
        print(f"full build, build_site (no cache):              {results.build_seconds:8.1f} s")
    print(f"minutes serve start, pages served:              {results.serve_start_seconds:8.1f} s")
    print(f"minutes serve start, search index (cold cache): {results.first_index_seconds:8.1f} s")
    print("save → page served updated, save → search finds a word the save added (median of the saves of each meeting)")
    print(freshness_table(results))
    print(f"figures in {SERVE_OUT / 'results.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with the options on the command line."""
    return run_benchmark(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
