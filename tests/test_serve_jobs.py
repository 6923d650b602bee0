"""The search job of `minutes serve`: it writes what `minutes build` writes, and links what the job before wrote."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from generator import output
from generator.build import build_site
from generator.content import load_archive
from generator.pages import SiteUrls
from generator.serve import jobs
from tests.conftest import REPO, TEMPLATES


def job_folder(tmp_path: Path, name: str, content: Path) -> Path:
    """A job's folder with the archive of `content` as the server hands it over."""
    archive, _ = load_archive(content)
    assert archive is not None
    folder = tmp_path / name
    folder.mkdir()
    copy = jobs.ArchivePickles().copy(archive, SiteUrls.from_base_url(None), content)
    (folder / jobs.PAYLOAD).write_bytes(pickle.dumps(copy))
    return folder


def search_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "search").rglob("*.json"))}


def test_a_search_job_after_an_edit_links_the_unchanged_files_and_writes_what_a_build_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    cache = tmp_path / "cache"
    first = job_folder(tmp_path, "search-1", content)
    assert jobs.main(["jobs", "search", str(first), str(cache)]) == 0
    # A folder sharing the files goes (the server removes old job folders): their ctimes move.
    shutil.copytree(first, tmp_path / "kept", copy_function=os.link)
    shutil.rmtree(tmp_path / "kept")
    meeting = next((content / "joho-kokai").glob("2*.md"))
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("。", "。追記します。", 1), encoding="utf-8")
    second = job_folder(tmp_path, "search-2", content)
    # The job before's files are known by their record: none is read again to be trusted.
    verified: list[str] = []
    monkeypatch.setattr(output, "_read", lambda path: verified.append(path) or Path(path).read_bytes())
    assert jobs.main(["jobs", "search", str(second), str(cache), str(first)]) == 0

    build_site(content, TEMPLATES, tmp_path / "built", jobs=1)
    written = second / jobs.OUTPUT
    assert search_files(written) == search_files(tmp_path / "built")
    shared = [p for p in (written / "search").rglob("*.json") if p.stat().st_nlink > 1]
    assert shared, "no file was linked from the job before"
    assert (written / "search" / "manifest.json").stat().st_nlink == 1
    assert verified == []


def test_a_search_job_after_a_speaker_is_renamed_writes_the_text_files_a_build_writes(tmp_path: Path) -> None:
    """Only a label changes, not a word of speech: the worker still tells the meeting's text files changed (they name the speaker)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    cache = tmp_path / "cache"
    first = job_folder(tmp_path, "search-1", content)
    assert jobs.main(["jobs", "search", str(first), str(cache)]) == 0
    meeting = content / "joho-kokai" / "2022-02-14.md"
    text = meeting.read_text(encoding="utf-8")
    assert "\n○区側　" in text
    meeting.write_text(text.replace("\n○区側　", "\n○事務局　", 1), encoding="utf-8")
    second = job_folder(tmp_path, "search-2", content)
    assert jobs.main(["jobs", "search", str(second), str(cache), str(first)]) == 0

    build_site(content, TEMPLATES, tmp_path / "built", jobs=1)
    written = search_files(second / jobs.OUTPUT)
    assert written == search_files(tmp_path / "built")
    assert written != search_files(first / jobs.OUTPUT)


def test_one_worker_runs_job_after_job_and_one_that_died_is_started_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    finished = threading.Event()
    messages: list[str] = []
    search = jobs.ArchiveJobs(jobs.JobKind.SEARCH, tmp_path / "work", jobs.ArchivePickles(), tmp_path / "cache", messages.append, finished.set)
    urls = SiteUrls.from_base_url(None)

    def job(version: int) -> jobs.FinishedJob:
        archive, _ = load_archive(content)
        finished.clear()
        search.request(archive, urls, content, version)
        assert finished.wait(120), "the job did not finish"
        done = search.take_finished()
        assert done is not None, messages
        return done

    try:
        job(1)
        pid = search.worker_pid
        assert pid is not None
        meeting = next((content / "joho-kokai").glob("2*.md"))
        meeting.write_text(meeting.read_text(encoding="utf-8").replace("。", "。追記します。", 1), encoding="utf-8")
        second = job(2)
        assert search.worker_pid == pid, "each job started a process of its own"
        build_site(content, TEMPLATES, tmp_path / "built", jobs=1)
        served = {rel: path.read_bytes() for rel, path in second.files.items() if rel.endswith(".json")}
        assert served == search_files(tmp_path / "built")

        os.kill(pid, signal.SIGKILL)
        # A killed process takes a moment to end; a request within it goes to the dying worker.
        deadline = time.monotonic() + 30
        while search.worker_pid is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        meeting.write_text(meeting.read_text(encoding="utf-8").replace("追記します。", "", 1), encoding="utf-8")
        third = job(3)
        assert search.worker_pid not in (None, pid)
        assert {rel: path.read_bytes() for rel, path in third.files.items() if rel.endswith(".json")} != served
        assert messages == []
    finally:
        search.stop()
    assert search.worker_pid is None
