"""The benchmarks' own arithmetic: growth subsets, medians, tables, peaks, the warm builds' changes.

Nothing here builds a site or times anything: the figures themselves are never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import os

from benchmarks import scratch
from benchmarks.cold_build import reported_peak
from benchmarks.process import run_measured
from benchmarks.run import split_options
from benchmarks.search_bench import parse_sizes
from benchmarks.subsets import choose, meeting_files, write_subset
from benchmarks.tables import median, ratio, text_table
from benchmarks.warm_build import (
    EDIT,
    add_meeting,
    differing_files,
    edit_meeting,
    edit_one_utterance,
    edited_meeting,
    held_back_meeting,
)

MEETINGS = [f"body-{b}/2020-01-{d:02d}.md" for b in "abc" for d in range(1, 21)]


def test_subsets_are_nested_and_the_same_on_every_call() -> None:
    small, large = choose(MEETINGS, 10), choose(MEETINGS, 30)
    assert small == choose(list(reversed(MEETINGS)), 10)
    assert large[:10] == small
    assert len(set(large)) == 30
    assert choose(MEETINGS, 1000) == choose(MEETINGS, 60)


def test_subsets_mix_the_bodies_instead_of_taking_the_first_body() -> None:
    bodies = {name.split("/")[0] for name in choose(MEETINGS, 15)}
    assert bodies == {"body-a", "body-b", "body-c"}


def test_a_written_subset_is_a_content_folder_with_only_the_bodies_it_uses(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for body, count in (("one", 3), ("two", 1)):
        (content / body).mkdir(parents=True)
        (content / body / "_index.md").write_text(f"---\ntitle: {body}\n---\n", encoding="utf-8")
        for day in range(1, count + 1):
            (content / body / f"2021-05-0{day}.md").write_text(f"{body} {day}", encoding="utf-8")
    (content / "_index.md").write_text("---\ntitle: site\n---\n", encoding="utf-8")
    subset = write_subset(content, 2, tmp_path / "out")
    chosen = choose(meeting_files(content), 2)
    assert meeting_files(subset.path) == sorted(chosen)
    assert subset.name == "2 meetings"
    assert (subset.path / "_index.md").read_text(encoding="utf-8") == "---\ntitle: site\n---\n"
    assert {p.parent.name for p in subset.path.glob("*/_index.md")} == {name.split("/")[0] for name in chosen}


def test_medians_skip_missing_figures_and_ratios_need_both() -> None:
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([4, 1, 3, 2]) == 2.5
    assert median([None]) is None
    assert ratio(6.0, 2.0) == 3.0
    assert ratio(6.0, None) is None and ratio(None, 2.0) is None and ratio(1.0, 0.0) is None


def test_tables_align_columns_under_their_header_counting_wide_characters_twice() -> None:
    lines = text_table(["query", "time"], [["京都", "0.25 s"], ["GIGAスクール", "12.00 s"]], [False, True]).splitlines()
    # GIGAスクール takes 4 + 4 × 2 = 12 columns in a terminal, 京都 four.
    assert lines[1].split() == ["-" * 12, "-" * len("12.00 s")]
    assert lines[0] == "query" + " " * 7 + "  " + "   time"
    assert lines[2] == "京都" + " " * 8 + "  " + " 0.25 s"
    assert lines[3] == "GIGAスクール" + "  " + "12.00 s"


def test_sizes_are_sorted_and_distinct() -> None:
    assert parse_sizes("600,100,200,100") == [100, 200, 600]
    assert parse_sizes("") == []
    with pytest.raises(ValueError):
        parse_sizes("0,100")


def test_peak_memory_is_read_from_a_build_summary_line() -> None:
    assert reported_peak("built 603 meetings, 24237 utterances, 700 pages in 80.1 s, peak memory 1,234 MB") == 1_234_000_000
    assert reported_peak("built 1 meetings in 0.3 s; peak RSS: 1.5 GiB") == int(1.5 * 2**30)
    assert reported_peak("built 1 meetings, 248 utterances, 7 pages in 0.39 s") is None


def test_a_child_process_peak_is_its_own_not_the_largest_so_far_nor_its_parents() -> None:
    allocate = "x = bytearray({} * 2**20); x[::4096] = b'1' * len(x[::4096])"
    large = run_measured([sys.executable, "-c", allocate.format(200)], Path.cwd(), 30)
    parent = bytearray(300 * 2**20)
    parent[::4096] = b"1" * len(parent[::4096])  # the benchmark process is large when it starts a build
    small = run_measured([sys.executable, "-c", allocate.format(1)], Path.cwd(), 30)
    del parent
    assert large.returncode == small.returncode == 0
    assert large.peak_rss > 200 * 2**20 > 100 * 2**20 > small.peak_rss


MEETING = "---\ntitle: 本会議\ndate: {date}\n---\n\n\\○議事日程\n\n○議長（甲君）　開会します。\n○乙君　質問します。\n○丙君　答えます。\n"


def write_content(root: Path, meetings: dict[str, str]) -> Path:
    for name, date in meetings.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(MEETING.format(date=date), encoding="utf-8")
    return root


def test_the_meeting_held_back_is_the_newest_diet_sitting_of_a_body_that_keeps_others(tmp_path: Path) -> None:
    content = write_content(tmp_path, {
        "kokkai-1/2024-11-28.md": "2024-11-28", "kokkai-1/2024-11-29.md": "2024-11-29",
        "kokkai-2/2024-12-01.md": "2024-12-01",  # newest, but alone in its body
        "kokkai-3/2024-11-29.md": "2024-11-29", "kokkai-3/2024-01-01.md": "2024-01-01",
        "tokyo/2025-01-01.md": "2025-01-01",
    })  # fmt: skip
    assert held_back_meeting(content) == "kokkai-3/2024-11-29.md"


def test_an_edit_adds_a_sentence_to_the_middle_utterance_only() -> None:
    edited = edit_one_utterance(MEETING.format(date="2024-01-01"))
    assert edited.count(EDIT) == 1
    assert f"○乙君　質問します。{EDIT}\n" in edited
    assert edited.replace(EDIT, "") == MEETING.format(date="2024-01-01")
    with pytest.raises(ValueError):
        edit_one_utterance("---\ntitle: x\n---\n\\○議事日程\n")


def test_the_edited_meeting_is_the_median_sized_one_with_an_utterance(tmp_path: Path) -> None:
    content = write_content(tmp_path, {"a/2024-01-01.md": "2024-01-01", "a/2024-01-02.md": "2024-01-02", "b/2024-01-03.md": "2024-01-03"})
    (content / "a" / "2024-01-02.md").write_text(MEETING.format(date="2024-01-02") * 3, encoding="utf-8")
    (content / "b" / "2024-01-03.md").write_text(MEETING.format(date="2024-01-03") * 2, encoding="utf-8")
    (content / "b" / "2024-02-01.md").write_text("---\ntitle: x\ndate: 2024-02-01\n---\n" + "長い前文。" * 500, encoding="utf-8")
    (content / "c").mkdir()
    (content / "c" / "2024-03-01.md").write_text(MEETING.format(date="2024-03-01") * 9, encoding="utf-8")
    # With utterances, by size: a/2024-01-01, b/2024-01-03, a/2024-01-02 (c/2024-03-01 is held back).
    assert edited_meeting(content, exclude="c/2024-03-01.md") == "b/2024-01-03.md"


def test_each_change_is_undone_to_the_same_bytes_and_times(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", {"a/2024-01-01.md": "2024-01-01"})
    kept = tmp_path / "kept.md"
    kept.write_text(MEETING.format(date="2024-02-01"), encoding="utf-8")
    original = tmp_path / "original.md"
    original.write_bytes((content / "a" / "2024-01-01.md").read_bytes())
    os.utime(content / "a" / "2024-01-01.md", ns=(10**18, 10**18))
    os.utime(original, ns=(10**18, 10**18))
    os.utime(content / "a", ns=(10**18, 10**18))

    def state() -> dict[str, tuple[bytes, int]]:
        return {p.relative_to(content).as_posix(): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns) for p in content.rglob("*")}

    before = state()
    for change, changed in ((add_meeting("a/2024-02-01.md", kept), "a/2024-02-01.md"), (edit_meeting("a/2024-01-01.md", original), "a/2024-01-01.md")):
        change.apply(content)
        assert state()[changed] != before.get(changed)
        change.undo(content)
        assert state() == before


def test_sites_differ_in_files_missing_on_either_side_and_in_any_byte(tmp_path: Path) -> None:
    for side, files in (("a", {"index.html": "x", "s/1.json": "{}", "only-a.txt": ""}), ("b", {"index.html": "x", "s/1.json": "{ }", "c/only-b.txt": ""})):
        for name, text in files.items():
            (tmp_path / side / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / side / name).write_text(text, encoding="utf-8")
    assert differing_files(tmp_path / "a", tmp_path / "b") == ["c/only-b.txt", "only-a.txt", "s/1.json"]
    assert differing_files(tmp_path / "a", tmp_path / "a") == []


def test_make_bench_hands_each_benchmark_the_options_it_knows_and_refuses_the_rest() -> None:
    argv = ["--sets", "bundled", "--no-quality", "--runs", "1", "--saves", "2", "--timeout", "30"]
    parsed, unknown = split_options(argv, ["search", "warm", "serve"])
    assert unknown == []
    assert (parsed["search"].sets, parsed["search"].no_quality, parsed["search"].timeout) == ("bundled", True, 30)
    assert (parsed["warm"].runs, parsed["warm"].timeout) == (1, 30)
    assert parsed["serve"].saves == 2
    assert split_options(["--runs", "1", "--bogus", "--saves=2"], ["warm", "serve"])[1] == ["--bogus"]
    assert split_options(["--saves", "2"], ["warm"])[1] == ["--saves"]


def test_bytes_fetched_by_a_web_worker_count_toward_the_first_results(browser, tmp_path: Path) -> None:
    from benchmarks.browser import serve, time_first_result

    files = {
        "index.html": '<!DOCTYPE html><ol id="search-results"></ol><script>\n'
        'const worker = new Worker("worker.js");\n'
        "worker.onmessage = (event) => {\n"
        '  const list = document.getElementById("search-results");\n'
        "  list.dataset.total = event.data;\n"
        '  list.dataset.state = "done";\n'
        "};\n</script>\n",
        "worker.js": 'fetch("shard.json").then((r) => r.json()).then((d) => postMessage(String(d.hits.length)));\n',
        "shard.json": '{"hits": [' + ", ".join(['"s1"'] * 500) + "]}",
        "unused.json": "{}" * 1000,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with serve(tmp_path) as site:
        first = time_first_result(browser, site, f"{site.base}/", '#search-results[data-state="done"]', "data-total", 30)
    fetched = ("index.html", "worker.js", "shard.json")
    assert first.total == 500
    assert first.raw_bytes == sum(len(files[name].encode("utf-8")) for name in fetched)
    assert 0 < first.gzip_bytes < first.raw_bytes


def test_a_retired_folder_is_moved_aside_and_removed_only_when_the_timed_runs_are_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch, "RETIRED", tmp_path / ".retired")
    monkeypatch.setattr(scratch, "REMOVED", tmp_path / ".removed")
    waits: list[float] = []
    monkeypatch.setattr(scratch.time, "sleep", waits.append)
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("old", encoding="utf-8")
    inode = (site / "a" / "index.html").stat().st_ino
    with pytest.raises(RuntimeError), scratch.quiet_runs(lambda line: None):
        assert waits == []  # nothing was removed before: no wait
        with scratch.quiet_runs(lambda line: None):  # one benchmark of benchmarks/run.py's several
            scratch.retire(site)
            scratch.retire(tmp_path / "never-made")
        assert not site.exists()
        # Nothing freed while a clock may run, until the last benchmark ends: the same file, under another name.
        assert [p.stat().st_ino for p in (tmp_path / ".retired").rglob("index.html")] == [inode]
        raise RuntimeError("a benchmark failed")
    assert not (tmp_path / ".retired").exists() and waits == []
    # The next benchmark waits until ext4 reuses the freed inodes again.
    with scratch.quiet_runs(lambda line: None):
        pass
    assert len(waits) == 1 and scratch.QUIET_S - 5 < waits[0] <= scratch.QUIET_S
