"""A large build: the same site with any number of tokenizing workers, a second build that
tokenizes only what changed, and a closing line that names the peak memory."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import PeakMemory, build_site
from generator.cli import main
from generator.search.analysis import Analyses, worker_count
from generator.search.tokenizer import JapaneseTokenizer, Words
from tests.conftest import REPO

TEMPLATES = REPO / "templates"
SPEECHES = [
    "ただいまより第一回の委員会を開会いたします。",
    "東日本大震災の復興について伺います。こどもの安全はどうなっていますか。",
    "〇東日本大震災復興特別委員長から報告があります。",
    "公園での講演会を予定しております。ＧＩＧＡスクール構想の端末についてご説明します。",
    "",
    "異議なしと認めます。よって、本件は原案のとおり可決されました。",
]


def meeting_file(day: int) -> str:
    speeches = "\n\n".join(f"○議長（山田太郎君）　{text or '（発言なし）'}{day}日目" for text in SPEECHES)
    return f"---\ntitle: 第{day}回 定例会\ndate: 2024-05-{day:02d}\n---\n\n{speeches}\n"


@pytest.fixture
def content(make_site) -> Path:
    return make_site({f"gikai/2024-05-{day:02d}.md": meeting_file(day) for day in range(1, 9)}, body="gikai")


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_workers_build_the_same_site_as_one_process(content: Path, tmp_path: Path) -> None:
    one = build_site(content, TEMPLATES, tmp_path / "one", jobs=1)
    two = build_site(content, TEMPLATES, tmp_path / "two", jobs=2)
    assert (one.memory.workers, two.memory.workers) == (0, 2)
    files = site_files(tmp_path / "one")
    assert any(name.startswith("search/") for name in files)
    assert site_files(tmp_path / "two") == files


class CountingTokenizer(JapaneseTokenizer):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def words(self, text: str) -> Words:
        self.texts.append(text)
        return super().words(text)


def test_a_second_build_tokenizes_only_the_edited_meeting(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / ".cache"
    # The token cache of earlier versions: the kept index made it redundant, and a build removes it.
    stale = [cache / "tokens-0123456789abcdef.sqlite3", cache / "tokens-0123456789abcdef.sqlite3-wal"]
    cache.mkdir()
    for path in stale:
        path.write_bytes(b"old")
    first = build_site(content, TEMPLATES, tmp_path / "first", cache_dir=cache)
    assert first.tokenized == first.utterances
    assert not any(path.exists() for path in stale)
    edited = content / "gikai" / "2024-05-03.md"
    edited.write_text(meeting_file(3).replace("異議なしと認めます", "異議ありと認めます"), encoding="utf-8")
    second = build_site(content, TEMPLATES, tmp_path / "second", cache_dir=cache)
    assert second.tokenized == len(SPEECHES)
    assert f"{len(SPEECHES)} utterances tokenized, {first.utterances - len(SPEECHES)} from the cache" in str(second)
    # The kept index updated gives the same site as building afresh.
    build_site(content, TEMPLATES, tmp_path / "fresh")
    assert site_files(tmp_path / "second") == site_files(tmp_path / "fresh")


def test_workers_give_what_one_process_gives() -> None:
    texts = [f"{text}（{n}）" for n in range(3) for text in SPEECHES]
    keys = [f"m{n}.{number}" for n in range(3) for number in range(1, len(SPEECHES) + 1)]
    counting = CountingTokenizer()
    with Analyses(texts, keys, [len(SPEECHES)] * 3, 0, counting) as analyses:
        here = list(analyses)
    assert counting.texts == texts
    with Analyses(texts, keys, [len(SPEECHES)] * 3, 2) as analyses:
        workers = list(analyses)
    assert analyses.tokenized == len(texts)
    # Pickled sets keep their process's order (string hashes differ from process to process).
    assert [(a.postings, a.lengths, list(map(pickle.loads, a.stats))) for a in workers] == [
        (a.postings, a.lengths, list(map(pickle.loads, a.stats))) for a in here
    ]
    assert sum(len(a.postings) for a in here) == 3 and all(meeting for a in here for meeting in a.postings)


def test_workers_start_only_for_a_large_archive_by_default() -> None:
    assert worker_count(["議会"] * 10, None) == 0
    assert worker_count(["議会"] * 10, 1) == 0
    assert worker_count(["議会"] * 10, 3) == 3


def test_the_closing_line_names_the_peak_memory_with_the_workers(content: Path, monkeypatch) -> None:
    monkeypatch.chdir(content.parent)
    monkeypatch.setenv("CI", "true")
    result = CliRunner().invoke(main, ["build", "--templates", str(TEMPLATES), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    # With two jobs a forked process may write half of the shards: its own memory is named last.
    found = re.search(
        r"; peak memory ([\d,]+) MB \(this process ([\d,]+) MB, each of 2 workers at most ([\d,]+) MB( \(Pss: pages the workers share counted once\))?(, the shard writer [\d,]+ MB of its own)?\)$", line
    )
    assert found, line
    total, process, worker = (int(value.replace(",", "")) for value in found.groups()[:3])
    # A worker holds Sudachi's dictionary: tens of megabytes at least.
    assert worker >= 30 and total >= max(process, worker)
    assert "48 utterances tokenized, 0 from the cache" in line
    assert (content.parent / ".cache").is_dir()
    rebuilt = CliRunner().invoke(main, ["build", "--templates", str(TEMPLATES), "--jobs", "2"])
    assert "0 utterances tokenized, 48 from the cache" in rebuilt.stdout
    uncached = CliRunner().invoke(main, ["build", "--templates", str(TEMPLATES), "--no-cache"])
    assert "48 utterances tokenized, 0 from the cache; peak memory" in uncached.stdout


def test_the_peak_memory_counts_the_shard_writer_with_this_process() -> None:
    """The forked shard writer runs after the workers, beside this process: its own pages add to this process's peak."""
    mb = 1_000_000
    memory = PeakMemory(process=500 * mb, process_with_workers=400 * mb, worker=250 * mb, workers=2, shard_writer=150 * mb)
    assert memory.total == 900 * mb  # the workers' phase (400 + 2 × 250) is the larger
    later = PeakMemory(process=800 * mb, process_with_workers=400 * mb, worker=100 * mb, workers=2, shard_writer=150 * mb)
    assert later.total == 950 * mb
    assert str(later) == (
        "peak memory 950 MB (this process 800 MB, each of 2 workers at most 100 MB, the shard writer 150 MB of its own)"
    )


def test_the_peak_memory_counts_the_workers_shared_pages_once_when_their_pss_is_known() -> None:
    """With each worker's Pss the workers' memory is their sum, where resident sets would count the dictionary once per worker."""
    mb = 1_000_000
    memory = PeakMemory(process=500 * mb, process_with_workers=400 * mb, worker=200 * mb, workers=2, workers_total=350 * mb)
    assert memory.total == 750 * mb
    assert str(memory) == (
        "peak memory 750 MB (this process 500 MB, each of 2 workers at most 200 MB (Pss: pages the workers share counted once))"
    )


_GROWING_WORKER = """
from generator.forking import proportional_memory
from generator.search import analysis
reads = []
measure = analysis.proportional_memory
analysis.proportional_memory = lambda: reads.append(1) or measure()
held = []
figures = []
for step in range(12):
    held.append(b"x" * (4 << 20))  # a worker's heap grows by 4 MiB a run
    figures.append((analysis._memory_now(), proportional_memory()))
print(len(reads), *(f"{said},{actual}" for said, actual in figures))
"""


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Pss is read from /proc (Linux)")
def test_a_worker_reports_no_less_memory_than_it_holds_while_reading_its_pss_less_often() -> None:
    done = subprocess.run([sys.executable, "-c", _GROWING_WORKER], capture_output=True, text=True, check=True, cwd=REPO)
    reads, *figures = done.stdout.split()
    pairs = [tuple(map(int, pair.split(","))) for pair in figures]
    # 48 MiB grown in 4 MiB steps: measured on the first run, then about every other run.
    assert 3 <= int(reads) <= 8
    mib = 2**20
    for said, actual in pairs:
        assert actual - mib <= said <= actual + 12 * mib, pairs
