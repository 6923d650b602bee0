"""Our build with a warm cache, after nothing, one new meeting or one edited utterance; beside Pagefind.

Issue 16's targets, measured on the whole corpus (benchmarks/corpus.py, 603 meetings), all in one
run so the figures can be compared with each other:

- cold build: `minutes build` with an empty `--cache-dir`, its time over Pagefind's time to index
  the same site (target at most 1.5×), and its peak memory (target under 1 GB);
- warm builds: with the cache and the site the cold build left, the time of `minutes build`
  after (a) nothing changed, (b) one meeting added, (c) one utterance edited, over Pagefind's
  full indexing time (target at most 0.25×), its peak memory, and whether the site it wrote is
  byte-identical to a cold build of the same content.

How. Everything happens under `benchmarks/out/warm-build/`, never in the repository's `.cache/`:

1. `content/` is a copy of the corpus content without the held-back meeting: the newest meeting
   of the Diet (by date, then path) in a body that keeps other meetings, so that adding it is a
   new sitting of a known body. `held-back.md` keeps it; `edited-original.md` keeps the meeting
   edited in (c), the median-sized one by bytes.
2. Cold builds of `content/` into `warm/site` with an empty `warm/cache` and no `warm/site` yet
   (as in a fresh checkout; the previous turn's is moved aside before the clock starts, and removed
   when the benchmark ends: scratch.py), each followed by
   Pagefind indexing a copy of that site (pagefind_peer.py), --runs times in turn. What the last
   cold build left in `warm/` is the warm state: its cache and its site.
3. For (b) and (c), the change is made and a cold build of the changed content (an empty cache of
   its own) writes `reference/site`; then the change is undone. For (a) the reference is the cold
   site in `warm/site` itself.
4. Each timed run starts from the same warm state: `warm/cache` and `warm/site` are copied to
   `work/` (a real copy: the build replaces and removes files of its cache in place) and two
   untimed builds of the unchanged content settle them there: the first because the build's
   record of a site is kept per output folder, so a copy elsewhere is rendered again; the second
   because from then on the cache holds the site the last build replaced, which the next build
   writes over (output.adopt_spare), as it does for a publisher from the third build on. The
   scenario "one meeting added, first warm build" settles with one build only: no spare site,
   as in the first build after a cold one. Then the change is made, `minutes build --cache-dir work/cache --out work/site` is timed (benchmarks/process.py:
   wall clock and peak memory, the build's own peak when its summary line reports one), every file
   of `work/site` is compared with the reference site, and the change is undone, restoring the
   edited file's bytes and modification time and its folder's modification time. The build
   sees the content as an editor or `git pull` leaves it: a new file, or a file rewritten in place.

The tables show the median time of the --runs runs and the largest peak; the details list every
run and, where a site differed from the cold build, how many files and the first few paths.
Every figure also goes to benchmarks/out/warm-build.json. Timings are wall clock on whatever else
the machine is doing: compare figures of one run with each other, not across runs.

Usage:
    .venv/bin/python benchmarks/warm_build.py [--runs N] [--timeout S]
    (also run by benchmarks/run.py, i.e. `make bench`)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import pagefind_peer  # noqa: E402
from benchmarks.cold_build import reported_peak  # noqa: E402
from benchmarks.corpus import OUT, ContentSet, minutes_command, whole_corpus  # noqa: E402
from benchmarks.process import run_measured  # noqa: E402
from benchmarks.scratch import quiet_runs, retire  # noqa: E402
from benchmarks.subsets import meeting_files  # noqa: E402
from benchmarks.tables import median, megabytes, ratio, seconds, text_table, times  # noqa: E402

WARM = OUT / "warm-build"
RUNS = 3
TIMEOUT_S = 600.0
HELD_BACK_BODIES = "kokkai"
"""Bodies whose folder starts with this hold the meeting held back and added in scenario (b)."""
EDIT = "この発言は、ベンチマークのために一文を書き足したものです。"
"""The sentence scenario (c) appends to one utterance."""
UTTERANCE_MARK = "○"
"""A line of a meeting file starting with this opens an utterance (`○議長（…君）　…`)."""
COLD_TARGET = 1.5
WARM_TARGET = 0.25
MEMORY_TARGET = 1_000_000_000
"""Bytes: peak memory must stay under 1 GB."""
FIRST_PATHS = 5
"""Paths of differing files shown per run in the details."""


@dataclass(frozen=True)
class BuildRun:
    """One timed `minutes build`: seconds, peak memory, its closing line, and how its site compared."""

    seconds: float
    peak_rss: int
    """Bytes: the kernel's peak RSS of the build process (or its largest waited-for worker)."""
    reported_peak: int | None
    """Bytes: the peak the build reported in its summary line, if any."""
    summary: str
    differing: list[str] = field(default_factory=list)
    """Files (paths relative to the site) missing on one side or with other bytes than the cold build's."""
    files: int = 0
    """Files in the site this build wrote."""

    @property
    def peak(self) -> int:
        """The peak memory to quote: the build's own report, else the kernel's figure."""
        return self.reported_peak if self.reported_peak is not None else self.peak_rss


@dataclass
class ScenarioFigures:
    """A build scenario: what it changed and each of its timed runs."""

    name: str
    change: str
    """What was changed in the content, in words."""
    runs: list[BuildRun] = field(default_factory=list)
    compared: bool = True
    """Whether each run's site was compared with a cold build (not for the cold builds themselves)."""

    @property
    def seconds(self) -> float | None:
        """Median wall-clock time of the runs."""
        return median(run.seconds for run in self.runs)

    @property
    def peak(self) -> int | None:
        """The largest peak memory of the runs."""
        return max((run.peak for run in self.runs), default=None)

    @property
    def differing(self) -> int:
        """The most files any one run's site differed in from the cold build."""
        return max((len(run.differing) for run in self.runs), default=0)


@dataclass
class WarmFigures:
    """Everything one run of the benchmark measured."""

    meetings: int
    held_back: str
    edited: str
    cold: ScenarioFigures
    warm: list[ScenarioFigures]
    pagefind_samples: list[float] = field(default_factory=list)
    pagefind_peak: int = 0
    pagefind_pages: int | None = None
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def pagefind_s(self) -> float | None:
        """Median of Pagefind's indexing times."""
        return median(self.pagefind_samples)


@dataclass(frozen=True)
class Change:
    """A change to the content folder and how to undo it exactly."""

    apply: Callable[[Path], None]
    undo: Callable[[Path], None]


NO_CHANGE = Change(lambda content: None, lambda content: None)


def held_back_meeting(content: Path) -> str:
    """The newest Diet meeting (date, then path) of a body with other meetings, relative to `content`."""
    meetings = [name for name in meeting_files(content) if name.startswith(HELD_BACK_BODIES)]
    per_body: dict[str, int] = {}
    for name in meetings:
        per_body[name.split("/")[0]] = per_body.get(name.split("/")[0], 0) + 1
    candidates = [name for name in meetings if per_body[name.split("/")[0]] > 1]
    if not candidates:
        raise ValueError(f"{content}: no {HELD_BACK_BODIES}* body with two meetings or more to hold one back from")
    return max(candidates, key=lambda name: (Path(name).stem, name))


def edit_one_utterance(text: str, sentence: str = EDIT) -> str:
    """`text` with `sentence` appended to the middle one of its utterance lines; ValueError when it has none."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(UTTERANCE_MARK)]
    if not starts:
        raise ValueError("no utterance line")
    middle = starts[len(starts) // 2]
    lines[middle] += sentence
    return "\n".join(lines)


def edited_meeting(content: Path, exclude: str) -> str:
    """The median-sized meeting file by bytes (then path) that has an utterance line, other than `exclude`."""
    sized = sorted(
        ((content / name).stat().st_size, name) for name in meeting_files(content)
        if name != exclude and f"\n{UTTERANCE_MARK}" in (content / name).read_text(encoding="utf-8")
    )  # fmt: skip
    if not sized:
        raise ValueError(f"{content}: no meeting with an utterance to edit")
    return sized[len(sized) // 2][1]


def differing_files(reference: Path, site: Path) -> list[str]:
    """Every file path, relative to the sites, that only one of them has or whose bytes differ; sorted."""

    def files(root: Path) -> set[str]:
        return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}

    ours, theirs = files(reference), files(site)
    differing = ours ^ theirs
    for name in ours & theirs:
        a, b = reference / name, site / name
        if a.stat().st_size != b.stat().st_size or a.read_bytes() != b.read_bytes():
            differing.add(name)
    return sorted(differing)


def _keep_folder_time(path: Path, change: Callable[[], None]) -> None:
    """Run `change` and give the folder `path` its modification time back (an undo leaves no trace)."""
    stat = path.stat()
    change()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def add_meeting(name: str, kept: Path) -> Change:
    """Scenario (b): the held-back meeting `kept` is written to `name` as a new file, and removed again."""
    folder_times: list[tuple[int, int]] = []

    def apply(content: Path) -> None:
        folder = (content / name).parent
        folder_times[:] = [(folder.stat().st_atime_ns, folder.stat().st_mtime_ns)]
        shutil.copyfile(kept, content / name)

    def undo(content: Path) -> None:
        (content / name).unlink()
        os.utime((content / name).parent, ns=folder_times[0])  # the folder as the warm build saw it

    return Change(apply, undo)


def edit_meeting(name: str, original: Path) -> Change:
    """Scenario (c): one utterance of `name` gets a sentence more, rewritten in place; undone from `original`."""

    def apply(content: Path) -> None:
        path = content / name
        path.write_text(edit_one_utterance(original.read_text(encoding="utf-8")), encoding="utf-8")

    def undo(content: Path) -> None:
        shutil.copy2(original, content / name)

    return Change(apply, undo)


def build(content: Path, site: Path, cache: Path, timeout_s: float, reference: Path | None = None) -> BuildRun:
    """Time `minutes build` of `content` into `site` with the cache folder `cache`; compare with `reference`."""
    args = ["build", "--content", str(content), "--out", str(site), "--templates", str(REPO / "templates"), "--cache-dir", str(cache)]
    run = run_measured(minutes_command(*args), WARM, timeout_s)
    if run.timed_out:
        raise RuntimeError(f"minutes build timed out after {timeout_s:.0f} s")
    if run.returncode != 0:
        raise RuntimeError(f"minutes build failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    summary = next((line for line in reversed(run.stdout.splitlines()) if line.strip()), "")
    differing = differing_files(reference, site) if reference is not None else []
    files = sum(1 for path in site.rglob("*") if path.is_file())
    return BuildRun(run.seconds, run.peak_rss, reported_peak(summary), summary, differing, files)


def _fresh(*folders: Path) -> None:
    for folder in folders:
        retire(folder)


def measure(corpus: ContentSet, runs: int, timeout_s: float, log) -> WarmFigures:
    """Run the cold builds, Pagefind and the three warm scenarios on `corpus`; see the module docstring."""
    _fresh(WARM)
    content = WARM / "content"
    shutil.copytree(corpus.path, content)
    held = held_back_meeting(content)
    kept = WARM / "held-back.md"
    shutil.copy2(content / held, kept)
    _keep_folder_time((content / held).parent, (content / held).unlink)
    edited = edited_meeting(content, held)
    original = WARM / "edited-original.md"
    shutil.copy2(content / edited, original)

    warm_cache, warm_site = WARM / "warm" / "cache", WARM / "warm" / "site"
    figures = WarmFigures(
        meetings=len(meeting_files(corpus.path)), held_back=held, edited=edited,
        cold=ScenarioFigures("cold build", "empty cache", compared=False), warm=[], load_average=os.getloadavg(),
    )  # fmt: skip
    # Ours and Pagefind's in turn, so that a busy spell of the machine weighs on both.
    for turn in range(1, runs + 1):
        log(f"[warm-build] cold minutes build of {figures.meetings - 1} meetings, empty cache ({turn}/{runs})")
        # As in a fresh checkout: no cache and no site (the last turn's site would be removed by
        # the build, with the clock running; Pagefind's copy is moved aside before its clock starts).
        _fresh(warm_cache, warm_site)
        figures.cold.runs.append(build(content, warm_site, warm_cache, timeout_s))
        log(f"[warm-build] pagefind over a copy of {warm_site} ({turn}/{runs})")
        indexed = pagefind_peer.index_site(warm_site, WARM / "pagefind", timeout_s)
        figures.pagefind_samples.append(indexed.seconds)
        figures.pagefind_peak = max(figures.pagefind_peak, indexed.peak_rss)
        figures.pagefind_pages = pagefind_peer.indexed_pages(indexed)
    _fresh(WARM / "pagefind")

    added = add_meeting(held, kept)
    scenarios = [
        (ScenarioFigures("nothing changed", "none"), NO_CHANGE, 2),
        (ScenarioFigures("one meeting added", f"new file {held}"), added, 2),
        (ScenarioFigures("one utterance edited", f"a sentence appended to an utterance of {edited}"), edit_meeting(edited, original), 2),
        (ScenarioFigures("one meeting added, first warm build", f"new file {held}, no spare site"), added, 1),
    ]
    reference_site, work = WARM / "reference" / "site", WARM / "work"
    for scenario, change, settles in scenarios:
        reference = warm_site
        if change is not NO_CHANGE:
            log(f"[warm-build] {scenario.name}: cold build of the changed content, to compare with")
            _fresh(WARM / "reference")
            change.apply(content)
            try:
                build(content, reference_site, WARM / "reference" / "cache", timeout_s)
            finally:
                change.undo(content)
            reference = reference_site
        for turn in range(1, runs + 1):
            log(f"[warm-build] {scenario.name}: warm minutes build ({turn}/{runs})")
            _fresh(work)
            shutil.copytree(warm_cache, work / "cache")
            shutil.copytree(warm_site, work / "site")
            # The build keeps its record of a site by the site's folder: an untimed build of the
            # unchanged content in work/ makes work/site the site the last build left there, and
            # a second one leaves the spare site in the cache, as every build after the second has.
            for _ in range(settles):
                build(content, work / "site", work / "cache", timeout_s)
            change.apply(content)
            try:
                scenario.runs.append(build(content, work / "site", work / "cache", timeout_s, reference))
            finally:
                change.undo(content)
        figures.warm.append(scenario)
    _fresh(work, WARM / "reference")
    return figures


def times2(value: float | None) -> str:
    """A ratio with two decimals (`0.25×`): the warm target is a quarter."""
    return times(value) if value is None else f"{value:.2f}×"


def _verdict(value: float | None, target: float, below: bool = False) -> str:
    if value is None:
        return "-"
    return "met" if (value < target if below else value <= target) else "missed"


def _identical(scenario: ScenarioFigures) -> str:
    if not scenario.compared:
        return "(reference)"
    if not scenario.runs:
        return "-"
    if scenario.differing == 0:
        return f"identical ({scenario.runs[0].files:,} files)"
    return f"{scenario.differing:,} files differ"


def table(figures: WarmFigures) -> str:
    """The cold build, each warm scenario and Pagefind, each time also as a ratio to Pagefind's."""
    header = ["build", "time", "/ Pagefind", "target", "met", "peak mem", "< 1 GB", "site vs cold build"]
    rows = []
    for scenario, target in [(figures.cold, COLD_TARGET)] + [(s, WARM_TARGET) for s in figures.warm]:
        share = ratio(scenario.seconds, figures.pagefind_s)
        rows.append([
            scenario.name, seconds(scenario.seconds), times2(share), f"≤ {target:g}×", _verdict(share, target),
            megabytes(scenario.peak), _verdict(scenario.peak, MEMORY_TARGET, below=True), _identical(scenario),
        ])  # fmt: skip
    rows.append([f"Pagefind, full indexing ({figures.pagefind_pages or '?'} pages)", seconds(figures.pagefind_s), times2(1.0), "", "", megabytes(figures.pagefind_peak), "", ""])
    return text_table(header, rows, [False, True, True, True, False, True, False, False])


def details(figures: WarmFigures) -> str:
    """Each run's time and closing line, what each scenario changed, and the files that differed."""
    lines = [
        f"content: the corpus's {figures.meetings} meetings less {figures.held_back}, which 'one meeting added' adds; "
        f"'one utterance edited' edits {figures.edited}",
        f"load average at start: {', '.join(f'{x:.1f}' for x in figures.load_average)} ({os.cpu_count()} CPUs)",
        f"Pagefind: {', '.join(f'{s:.2f}' for s in figures.pagefind_samples)} s",
    ]
    for scenario in [figures.cold, *figures.warm]:
        lines.append(f"{scenario.name} (change: {scenario.change}): {', '.join(f'{r.seconds:.2f}' for r in scenario.runs)} s")
        for number, run in enumerate(scenario.runs, 1):
            lines.append(f"  run {number}: {run.summary or '(no summary line)'}; peak RSS {megabytes(run.peak_rss)}")
            if run.differing:
                shown = ", ".join(run.differing[:FIRST_PATHS])
                more = f" and {len(run.differing) - FIRST_PATHS:,} more" if len(run.differing) > FIRST_PATHS else ""
                lines.append(f"    {len(run.differing):,} files differ from the cold build's: {shown}{more}")
    return "\n".join(lines)


def _scenario_json(scenario: ScenarioFigures, pagefind_s: float | None) -> dict:
    runs = [{**asdict(run), "differing": run.differing[:100], "differing_count": len(run.differing)} for run in scenario.runs]
    return {
        "name": scenario.name, "change": scenario.change, "seconds": scenario.seconds,
        "ratio": ratio(scenario.seconds, pagefind_s), "peak": scenario.peak, "differing": scenario.differing, "runs": runs,
    }  # fmt: skip


def to_json(figures: WarmFigures) -> dict:
    """Every figure, for later comparison (benchmarks/out/warm-build.json)."""
    return {
        "meetings": figures.meetings, "held_back": figures.held_back, "edited": figures.edited,
        "load_average": figures.load_average, "pagefind_s": figures.pagefind_s, "pagefind_samples": figures.pagefind_samples,
        "pagefind_peak": figures.pagefind_peak, "pagefind_pages": figures.pagefind_pages,
        "cold": _scenario_json(figures.cold, figures.pagefind_s),
        "warm": [_scenario_json(scenario, figures.pagefind_s) for scenario in figures.warm],
    }  # fmt: skip


def parser() -> argparse.ArgumentParser:
    """The benchmark's options (benchmarks/run.py hands it those it knows)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs of each build, the median shown (default {RUNS})")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds allowed for each build and each Pagefind indexing")
    return parser


def run_benchmark(args: argparse.Namespace) -> int:
    """Prepare the corpus, measure, and print the table and the details."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    with quiet_runs(log):
        corpus = whole_corpus()
        figures = measure(corpus, max(1, args.runs), args.timeout, log)
    print(f"\nminutes build on the corpus, {figures.meetings - 1} meetings ({figures.meetings} once one is added), cold and with the "
          f"cache and site the cold build left; median of {max(1, args.runs)} runs each")  # fmt: skip
    print(table(figures))
    print(details(figures))
    (OUT / "warm-build.json").write_text(json.dumps(to_json(figures), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"ran in {time.perf_counter() - started:.0f} s; figures in {OUT / 'warm-build.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with the options on the command line."""
    return run_benchmark(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
