"""Every benchmark of the project, one after the other: what `make bench` runs.

Today that is the search benchmark (search_bench.py: our search side by side with Pagefind on
the bundled archive, the whole corpus and subsets of 100 to 600 meetings; its docstring and
docs/benchmarks.md say what each figure is). Arguments are passed on to each benchmark, e.g.
`python benchmarks/run.py --sets bundled --sizes 100 --no-quality` for a quick run.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import search_bench  # noqa: E402

BENCHMARKS = [search_bench.main]


def main(argv: list[str]) -> int:
    """Run each benchmark with `argv`; the exit status is the first non-zero one, else 0."""
    status = 0
    for benchmark in BENCHMARKS:
        status = status or benchmark(argv)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
