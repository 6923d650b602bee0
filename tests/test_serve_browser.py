"""`minutes serve` in a browser: an open page reloads on its own, and shows and clears the problem overlay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.serve.dev_server import DevServer
from tests.conftest import meeting
from tests.serve_support import MEETING, get, no_leftover_threads, start_server, wait_until

TIMEOUT_MS = 10_000


@pytest.fixture
def serve(page, tmp_path: Path) -> Iterator[Callable[..., DevServer]]:
    """Dev servers for one test; the browser page is opened first, so its threads are not counted."""
    with no_leftover_threads(), start_server(tmp_path) as start:
        yield start


def test_an_open_page_shows_a_saved_edit_without_being_touched(page, serve, make_site) -> None:
    content = make_site({MEETING: meeting(body="○会長　開会前の発言。\n")})
    server = serve(content)
    page.goto(server.url + "test/2022-02-14/")
    assert page.locator(".record").inner_text().strip().endswith("開会前の発言。")
    page.evaluate("window.stillTheSamePage = true")
    (content / MEETING).write_text(meeting(body="○会長　保存すると表示される発言。\n"), encoding="utf-8")
    page.wait_for_selector("text=保存すると表示される発言。", timeout=TIMEOUT_MS)
    # The text came with a reload of the page, not by anything the test did.
    assert page.evaluate("window.stillTheSamePage") is None


def test_the_overlay_appears_over_the_open_page_and_goes_when_fixed(page, serve, make_site) -> None:
    content = make_site({MEETING: meeting(body="○会長　正しい版。\n")})
    server = serve(content)
    page.goto(server.url + "test/2022-02-14/")
    (content / MEETING).write_text("---\ntitle: 壊れた会議\ndate: 2022-02-14\nvenue: [\n---\n\n○会長　壊れた版。\n", encoding="utf-8")
    overlay = page.locator("#minutes-problems")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert f"{content.as_posix()}/{MEETING}:4: error: front matter is not valid YAML" in overlay.inner_text()
    assert page.get_by_text("正しい版。").is_visible()  # the last good page, under the overlay
    (content / MEETING).write_text(meeting(body="○会長　直した版。\n"), encoding="utf-8")
    page.wait_for_selector("text=直した版。", timeout=TIMEOUT_MS)
    assert overlay.count() == 0


def test_a_page_that_did_not_change_is_left_alone(page, serve, make_site) -> None:
    content = make_site({MEETING: meeting(), "test/2021-05-10.md": meeting(date="2021-05-10", body="○会長　別の会議。\n")})
    server = serve(content)
    page.goto(server.url + "test/2021-05-10/")
    page.evaluate("window.stillTheSamePage = true")
    # A speech of another meeting shows on no other page: this one stays as the reader left it.
    (content / MEETING).write_text(meeting(body="○会長　こちらだけ変えた。\n"), encoding="utf-8")
    wait_until(lambda: "こちらだけ変えた。" in get(server.url + "test/2022-02-14/")[1], what="the edit")
    page.wait_for_timeout(1500)  # reload events arrive within milliseconds of a publish
    assert page.evaluate("window.stillTheSamePage") is True
