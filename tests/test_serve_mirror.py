"""The output folder `minutes serve` keeps: a new search job's unchanged files are not copied again."""

from __future__ import annotations

import os
from pathlib import Path

from generator.serve.mirror import OutputMirror


def job_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def test_a_file_the_next_job_linked_is_left_as_written_and_a_changed_one_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    mirror = OutputMirror(out)
    first = {"search/a.json": job_file(tmp_path / "job1", "a.json", b"[1]"), "search/b.json": job_file(tmp_path / "job1", "b.json", b"[2]")}
    assert mirror.sync(first) == []
    kept = (out / "search" / "a.json").stat().st_ino
    changed = (out / "search" / "b.json").stat().st_ino
    # The second job links a.json from the first (one inode) and writes b.json anew.
    (tmp_path / "job2").mkdir()
    os.link(first["search/a.json"], tmp_path / "job2" / "a.json")
    second = {"search/a.json": tmp_path / "job2" / "a.json", "search/b.json": job_file(tmp_path / "job2", "b.json", b"[3]")}
    assert mirror.sync(second) == []
    assert (out / "search" / "a.json").stat().st_ino == kept
    assert (out / "search" / "b.json").stat().st_ino != changed
    assert (out / "search" / "b.json").stat().st_ino == second["search/b.json"].stat().st_ino, "a job's new file is linked in, not copied"
    assert {p.name: p.read_bytes() for p in (out / "search").iterdir()} == {"a.json": b"[1]", "b.json": b"[3]"}
    # A job file that is another inode with other bytes is written, whatever its name.
    third = {"search/a.json": job_file(tmp_path / "job3", "a.json", b"[4]"), "search/b.json": second["search/b.json"]}
    assert mirror.sync(third) == []
    assert (out / "search" / "a.json").read_bytes() == b"[4]"
