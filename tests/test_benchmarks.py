"""The benchmark's own arithmetic: which meetings a growth subset holds, medians, tables, peaks.

Nothing here builds a site or times anything: the figures themselves are never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.cold_build import reported_peak
from benchmarks.process import run_measured
from benchmarks.search_bench import parse_sizes
from benchmarks.subsets import choose, meeting_files, write_subset
from benchmarks.tables import median, ratio, text_table

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
