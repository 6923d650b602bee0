"""Content folders for the benchmarks: the bundled archive and the whole shared corpus.

- `bundled`: the repository's own content/ (the Meguro meeting), used in place.
- `corpus`: all of ../shared/corpus in the Markdown format, written to
  benchmarks/out/corpus-content/: raw/*.txt and kokkai/*.json through `minutes import` (the
  command itself, in a subprocess), tokyo-assembly/*.json through benchmarks/tokyo_corpus.py.
  About 600 meetings. `minutes check` must pass on it; the benchmark runs it before building.

Usage: `python benchmarks/corpus.py [corpus|bundled]` prepares the folder and prints its path.
The corpus folder is rewritten on every call (it takes seconds), so it always matches the code.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.scratch import retire  # noqa: E402
from benchmarks.tokyo_corpus import CORPUS, write_tokyo  # noqa: E402

OUT = BENCH / "out"
SITE_INDEX = "---\ntitle: 会議録アーカイブ（ベンチマーク）\norganization: ベンチマーク\n---\n"


@dataclass(frozen=True)
class RawSource:
    """A minutes text file of raw/ and the body it is imported into."""

    name: str
    body: str
    body_title: str


RAW_SOURCES = [
    RawSource("meguro-joho-kokai-2022-02-14.txt", "joho-kokai", "情報公開・個人情報保護審議会"),
    RawSource("abira_20242001.txt", "abira", "安平町議会"),
    RawSource("abira_20252007.txt", "abira", "安平町議会"),
]
KOKKAI_BODY = "kokkai"


@dataclass
class ContentSet:
    """A content folder to benchmark, and what went into it."""

    name: str
    path: Path
    notes: list[str] = field(default_factory=list)
    """Warnings from preparing it (skipped meetings, sources an importer refused)."""


def bundled() -> ContentSet:
    """The repository's bundled archive, content/."""
    return ContentSet("bundled", REPO / "content")


def minutes_command(*args: str) -> list[str]:
    """The `minutes` command line with this interpreter (the one of the project's venv)."""
    return [sys.executable, "-m", "generator", *args]


def _import(paths: list[Path], body: str, body_title: str | None, content: Path, notes: list[str]) -> None:
    """Run `minutes import`; a refusal becomes a note, so one bad source does not stop the benchmark."""
    args = ["import", *map(str, paths), "--body", body, "--content", str(content)]
    if body_title:
        args += ["--body-title", body_title]
    done = subprocess.run(minutes_command(*args), cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        notes.append(f"minutes import --body {body} {' '.join(p.name for p in paths)} failed: {' / '.join(tail)}")


def whole_corpus(corpus: Path = CORPUS, out: Path = OUT) -> ContentSet:
    """Write the whole corpus as Markdown minutes into `out/corpus-content/` (replacing it)."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus not found at {corpus}: the benchmark reads ../shared/corpus")
    content = out / "corpus-content"
    retire(content)
    content.mkdir(parents=True)
    (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
    result = ContentSet("corpus", content)
    for source in RAW_SOURCES:
        _import([corpus / "raw" / source.name], source.body, source.body_title, content, result.notes)
    _import(sorted((corpus / "kokkai").glob("*.json")), KOKKAI_BODY, None, content, result.notes)
    _, warnings = write_tokyo(content, corpus)
    result.notes.extend(warnings)
    return result


def main(argv: list[str]) -> int:
    """Prepare the content set named on the command line and print its folder and notes."""
    which = argv[0] if argv else "corpus"
    content = bundled() if which == "bundled" else whole_corpus()
    for note in content.notes:
        print(note, file=sys.stderr)
    print(content.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
