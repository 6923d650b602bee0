"""Exchange links in Chromium: #s12-s18 ranges, shift-click selection, copy link and citation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build_site
from tests.conftest import REPO, TEMPLATES, meeting

TITLE = "令和３年度第７回 テスト審議会"
COUNT = 25


def record(count: int) -> str:
    """An agenda of two items and `count` utterances, each saying its own number."""
    lines = ["## １ 開会\n"]
    for n in range(1, count + 1):
        if n == 10:
            lines.append("## ２ 議事\n")
        lines.append(f"○{'会長' if n % 2 else '委員'}　発言{n}の本文です。\n")
    return "\n".join(lines)


def write_exchange_site(root: Path) -> Path:
    """A meeting of 25 utterances and a corrected one once published elsewhere, built into root/site."""
    content = root / "content"
    files = {
        "_index.md": "---\ntitle: テスト会議録\norganization: テスト区\n---\n",
        "test/_index.md": "---\ntitle: テスト審議会\n---\n",
        "test/2022-02-14.md": meeting(title=TITLE, body=record(COUNT)),
        # A corrected meeting: its old s25 was removed (its links go to s24, whose text was
        # corrected), old s26 is now s25; the meeting was once published at test/2022-03-02.
        "test/2022-03-01.md": meeting(
            date="2022-03-01", body=record(COUNT),
            extra="renumbered: {s24: s24, s25: s24, s26: s25}\naliases: [test/2022-03-02]\n",
        ),
    }  # fmt: skip
    for rel, text in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    build_site(content, TEMPLATES, root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_exchange_site(tmp_path_factory.mktemp("exchange"))


@pytest.fixture
def server_root(site: Path, static_server) -> str:
    """The test site served under a sub-path, as on GitHub Pages."""
    return static_server(site, "/minutes/")


def in_range(page) -> list[str]:
    return page.eval_on_selector_all("[data-in-range]", "els => els.map(e => e.id)")


def expected(first: int, last: int) -> list[str]:
    return [f"s{n}" for n in range(first, last + 1)]


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # uncaught exceptions in the page's scripts
    return errors


def open_at(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")


def test_range_fragment_marks_exactly_that_exchange_and_scrolls_to_it(page, server_root: str) -> None:
    errors = watch_errors(page)
    open_at(page, server_root + "test/2022-02-14/#s12-s18")
    assert in_range(page) == expected(12, 18)
    top = page.eval_on_selector("#s12", "e => e.getBoundingClientRect().top")
    assert 0 <= top < 50
    assert errors == []


def test_reversed_range_means_the_same(page, server_root: str) -> None:
    open_at(page, server_root + "test/2022-02-14/#s18-s12")
    assert in_range(page) == expected(12, 18)


def test_range_past_the_end_is_cut_and_a_range_of_nothing_marks_nothing(page, server_root: str) -> None:
    errors = watch_errors(page)
    open_at(page, server_root + "test/2022-02-14/#s20-s40")
    assert in_range(page) == expected(20, COUNT)
    for fragment in ("#s30-s40", "#s0", "#s0-s0", "#sx-s3", "#item-2"):
        page.evaluate("f => { location.hash = f; }", fragment)
        page.wait_for_timeout(50)
        assert in_range(page) == [], fragment
    assert errors == []


def test_hash_change_moves_the_marks(page, server_root: str) -> None:
    open_at(page, server_root + "test/2022-02-14/#s12-s18")
    page.evaluate("() => { location.hash = '#s3-s5'; }")
    page.wait_for_function("() => document.querySelectorAll('[data-in-range]').length === 3")
    assert in_range(page) == expected(3, 5)
    page.evaluate("() => { location.hash = '#s7'; }")
    page.wait_for_function("() => document.querySelectorAll('[data-in-range]').length === 0")
    assert page.evaluate("() => location.hash") == "#s7"


def test_shift_click_on_permalinks_selects_a_range_to_copy(browser, server_root: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        url = server_root + "test/2022-02-14/"
        open_at(page, url)
        page.click("#s3 .permalink")
        page.click("#s6 .permalink", modifiers=["Shift"])
        # New range links land on their first utterance even without the script (docs/theme.md).
        assert page.evaluate("() => location.search + location.hash") == "?range=s3-s6#s3"
        assert in_range(page) == expected(3, 6)
        bar = page.locator(".range-bar")
        assert bar.is_visible()
        assert bar.locator(".range-label").inner_text() == "発言3〜6を選択中"

        bar.locator(".copy-citation").click()
        page.wait_for_function("() => document.querySelector('.copy-status')?.textContent === '引用をコピーしました'")
        citation = page.evaluate("() => navigator.clipboard.readText()")
        assert citation == f"テスト区 テスト審議会 令和3年度第7回 令和4年2月14日（2022年）発言3〜6 <{url}?range=s3-s6#s3>"

        bar.locator(".copy-link").click()
        page.wait_for_function("() => document.querySelector('.copy-status')?.textContent === 'リンクをコピーしました'")
        assert page.evaluate("() => navigator.clipboard.readText()") == url + "?range=s3-s6#s3"

        page.click("#s12 .utterance-tools .copy-citation")
        page.wait_for_timeout(100)
        assert page.evaluate("() => navigator.clipboard.readText()") == (
            f"テスト区 テスト審議会 令和3年度第7回 令和4年2月14日（2022年）発言12 <{url}#s12>"
        )
        page.click("#s12 .utterance-tools .copy-link")
        page.wait_for_timeout(100)
        assert page.evaluate("() => navigator.clipboard.readText()") == url + "#s12"
    finally:
        context.close()


def test_every_utterance_gets_copy_buttons_only_with_javascript(browser, server_root: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        open_at(page, server_root + "test/2022-02-14/#s12")
        assert page.locator(".utterance-tools").count() == 0
        assert page.get_attribute("#s12 .permalink", "href") == "#s12"
        assert page.evaluate("() => document.querySelector(':target')?.id") == "s12"
    finally:
        context.close()
    js_page = browser.new_page()
    try:
        open_at(js_page, server_root + "test/2022-02-14/")
        assert js_page.locator(".utterance-tools").count() == COUNT
        # 「ここから」, リンクをコピー, 引用をコピー.
        assert js_page.locator(".utterance-tools button").count() == 3 * COUNT
    finally:
        js_page.close()


def linked(page) -> list[str]:
    return page.eval_on_selector_all("[data-linked]", "els => els.map(e => e.id)")


def test_old_fragments_of_a_renumbered_meeting_open_the_new_place(browser, server_root: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        url = server_root + "test/2022-03-01/"
        open_at(page, url + "#s26")
        assert linked(page) == ["s25"]
        assert page.evaluate("() => location.hash") == "#s26"  # kept: reopening it must work too
        assert 0 <= page.eval_on_selector("#s25", "e => e.getBoundingClientRect().top") < page.viewport_size["height"]
        page.evaluate("() => { location.hash = '#s25-s26'; }")
        page.wait_for_function("() => document.querySelectorAll('[data-in-range]').length === 2")
        assert in_range(page) == expected(24, 25)
        # Links the page makes to s25 use its published anchor, so that they open s25 again.
        assert page.get_attribute("#s25 .permalink", "href") == "#s26"
        assert page.get_attribute("#s3 .permalink", "href") == "#s3"
        page.click("#s25 .utterance-tools .copy-link")
        page.wait_for_timeout(100)
        assert page.evaluate("() => navigator.clipboard.readText()") == url + "#s26"
        page.click("#s25 .permalink")
        page.wait_for_function("() => location.hash === '#s26'")
        assert linked(page) == ["s25"]
    finally:
        context.close()


def test_alias_forwards_to_the_moved_meeting_keeping_the_fragment(page, server_root: str) -> None:
    open_at(page, server_root + "test/2022-03-02/#s12-s14")
    page.wait_for_url(re.compile(r".*/test/2022-03-01/#s12-s14$"))
    page.wait_for_function("() => document.querySelectorAll('[data-in-range]').length === 3")
    assert in_range(page) == expected(12, 14)


def test_seed_meeting_opens_at_an_exchange(page, static_server, tmp_path: Path) -> None:
    build_site(REPO / "content", TEMPLATES, tmp_path / "site")
    root = static_server(tmp_path / "site")
    open_at(page, root + "joho-kokai/2022-02-14/#s12-s18")
    assert in_range(page) == expected(12, 18)
