"""Every benchmark of the project, one after the other: what `make bench` runs.

- `search` (search_bench.py): our search side by side with Pagefind on the bundled archive, the
  whole corpus and subsets of 100 to 600 meetings;
- `warm` (warm_build.py): the cold build and builds with a warm cache (nothing changed, one
  meeting added, one utterance edited) on the corpus, beside Pagefind's indexing of the same site;
- `serve` (serve_bench.py): `minutes serve` on the corpus, from a save to the page served
  updated and to search finding a word the save added.

Their docstrings and docs/benchmarks.md say what each figure is. `--only warm,serve` runs some
of them. Every other option goes to the benchmarks that know it (an option none of them knows is
an error), e.g. `python benchmarks/run.py --sets bundled --sizes 100 --no-quality --runs 1
--saves 1` for a quick run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import search_bench, serve_bench, warm_build  # noqa: E402
from benchmarks.scratch import quiet_runs  # noqa: E402

BENCHMARKS = {"search": search_bench, "warm": warm_build, "serve": serve_bench}
"""Each benchmark module has `parser()` for its options and `run_benchmark(args)`, in the order they run."""


def split_options(argv: list[str], names: list[str]) -> tuple[dict[str, argparse.Namespace], list[str]]:
    """Each named benchmark's options parsed from `argv`, and the options none of them knows."""
    parsed: dict[str, argparse.Namespace] = {}
    unknown: set[str] | None = None
    for name in names:
        args, rest = BENCHMARKS[name].parser().parse_known_args(argv)
        parsed[name] = args
        flags = {item.split("=", 1)[0] for item in rest if item.startswith("-")}
        unknown = flags if unknown is None else unknown & flags
    return parsed, sorted(unknown or ())


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks with their options; the exit status is the first non-zero one, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog="Other options go to the benchmarks that know them.")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"benchmarks to run, comma-separated: {', '.join(BENCHMARKS)}")
    own, rest = parser.parse_known_args(argv)
    names = [name.strip() for name in own.only.split(",") if name.strip()]
    wrong = [name for name in names if name not in BENCHMARKS]
    if wrong or not names:
        parser.error(f"--only: choose among {', '.join(BENCHMARKS)}")
    parsed, unknown = split_options(rest, names)
    if unknown:
        parser.error(f"no benchmark of {', '.join(names)} knows {', '.join(unknown)}")
    status = 0
    # Old output is removed once, after the last benchmark (scratch.py).
    with quiet_runs(lambda line: print(line, file=sys.stderr, flush=True)):
        for name in names:
            result = BENCHMARKS[name].run_benchmark(parsed[name])
            status = status or result
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
