"""`minutes serve` under a careless user and a burst of requests: stale problems go, site/ catches up, nothing piles up."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

import pytest

from generator.serve.dev_server import DevServer
from generator.serve.server import WORKERS, respond
from generator.serve.snapshot import Snapshot
from tests.conftest import meeting
from tests.serve_support import MEETING, get, no_leftover_threads, start_server, wait_until


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., DevServer]]:
    """Start dev servers on free ports; each is stopped, and checked for leftover threads, after the test."""
    with no_leftover_threads(), start_server(tmp_path) as start:
        yield start


def _overlay(url: str) -> str | None:
    html = get(url)[1]
    return html if "minutes-problems" in html else None


def test_deleting_a_broken_new_meeting_removes_its_overlay(make_site, serve) -> None:
    content = make_site({MEETING: meeting()})
    server = serve(content)
    broken = content / "test" / "2022-03-01.md"
    broken.write_text("○会長", encoding="utf-8")
    html = wait_until(lambda: _overlay(server.url), what="the overlay")
    assert f"{broken.as_posix()}:1: error:" in html  # type: ignore[operator]
    broken.unlink()
    wait_until(lambda: not _overlay(server.url), what="the overlay to go")
    assert "minutes-problems" not in get(server.url + "test/2022-02-14/")[1]


def test_a_file_site_cannot_take_is_shown_and_written_once_fixed(make_site, serve, tmp_path: Path) -> None:
    content = make_site({MEETING: meeting(body="○会長　最初の版です。\n")})
    server = serve(content)
    out = server.options.out_dir
    (content / MEETING).write_text(meeting(body="○会長　別名を付けた版です。\n", extra="aliases: [assets/lunr.min.js]\n"), encoding="utf-8")
    # `check` and `build` refuse an alias onto a file the site itself writes; serve shows the same error.
    html = wait_until(lambda: _overlay(server.url), what="the overlay")
    assert "assets/lunr.min.js" in html and "would write a redirect over the site" in html  # type: ignore[operator]
    page = out / "test" / "2022-02-14" / "index.html"
    (content / MEETING).write_text(meeting(body="○会長　直した版です。\n"), encoding="utf-8")
    wait_until(lambda: not _overlay(server.url), what="the overlay to go")
    wait_until(lambda: "直した版です。" in page.read_text("utf-8"), what="site/ written again")
    assert (out / "assets" / "lunr.min.js").is_file()


def test_two_hundred_parallel_requests_are_all_answered_by_a_bounded_pool(make_site, serve) -> None:
    server = serve(make_site({MEETING: meeting()}))
    urls = [server.url + ("test/2022-02-14/" if n % 2 else "") for n in range(200)]
    busiest = 0
    stop = threading.Event()

    def count_threads() -> None:
        nonlocal busiest
        while not stop.is_set():
            busiest = max(busiest, sum(t.name.startswith("minutes-http") for t in threading.enumerate()))
            stop.wait(0.005)

    def fetch(url: str) -> int:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status

    counter = threading.Thread(target=count_threads)
    counter.start()
    try:
        with ThreadPoolExecutor(200) as clients:
            statuses = list(clients.map(fetch, urls))
    finally:
        stop.set()
        counter.join()
    assert statuses == [200] * 200
    # The pool's threads and the accept loop's own thread (also named minutes-http).
    assert 1 <= busiest <= WORKERS + 1


def test_a_folder_without_its_slash_keeps_the_query() -> None:
    snapshot = Snapshot(1, {"search/index.html": b"<html><body></body></html>"})
    response = respond(snapshot, "/search?q=%E4%BA%AC%E9%83%BD&fy=2022")
    assert (response.status, response.location) == (HTTPStatus.MOVED_PERMANENTLY, "/search/?q=%E4%BA%AC%E9%83%BD&fy=2022")
    assert respond(snapshot, "/search").location == "/search/"
    below = Snapshot(1, {"index.html": b"<html></html>"}, base_path="/minutes/")
    assert respond(below, "/minutes?q=1").location == "/minutes/?q=1"


def test_renaming_a_body_folder_leaves_no_empty_folders(make_site, serve) -> None:
    content = make_site({MEETING: meeting()})
    server = serve(content)
    out = server.options.out_dir
    assert (out / "test" / "2022-02-14" / "index.html").is_file()
    (content / "test").rename(content / "renamed")
    wait_until(lambda: (out / "renamed" / "2022-02-14" / "index.html").is_file(), what="the renamed body in site/")
    wait_until(lambda: not (out / "test").exists(), what="the old body folder to go")
    empty = [path for path in out.rglob("*") if path.is_dir() and not any(path.iterdir())]
    assert empty == []
