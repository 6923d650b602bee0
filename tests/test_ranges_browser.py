"""Ranges for everyone in Chromium: 「ここから」「ここまで」 by tap and keyboard, no-JS landing, printing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_exchange_links import COUNT, TITLE, write_exchange_site

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 360, "desktop": 1280}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A meeting of 25 utterances, and a corrected one that was once published elsewhere."""
    return write_exchange_site(tmp_path_factory.mktemp("ranges"))


@pytest.fixture
def url(site: Path, static_server) -> str:
    """The 25-utterance meeting, served under a sub-path as on GitHub Pages."""
    return static_server(site, "/minutes/") + "test/2022-02-14/"


@pytest.fixture(params=WIDTHS, ids=WIDTHS)
def device(request, browser):
    """A phone (360 px, touch, taps) or a desktop (1280 px, mouse): a context and how to press a control."""
    if request.param == "phone":
        context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    press = (lambda selector: page.tap(selector)) if request.param == "phone" else (lambda selector: page.click(selector))
    yield page, press
    context.close()


def in_range(page) -> list[str]:
    return page.eval_on_selector_all("[data-in-range]", "els => els.map(e => e.id)")


def expected(first: int, last: int) -> list[str]:
    return [f"s{n}" for n in range(first, last + 1)]


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(".utterance", "els => els.filter(e => e.getClientRects().length).map(e => e.id)")


def test_here_from_and_here_to_make_a_range_by_tap_or_click(device, url: str) -> None:
    page, press = device
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector(".utterance-tools")
    start = page.locator("#s3 .pick-range")
    assert start.inner_text() == "ここから"
    box = start.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.5.8
    press("#s3 .pick-range")
    bar = page.locator(".range-bar")
    assert bar.is_visible()
    assert "ここまで" in bar.locator(".range-label").inner_text()
    assert page.locator("#s6 .pick-range").inner_text() == "ここまで"
    assert page.locator("#s3 .pick-range").get_attribute("aria-pressed") == "true"
    assert not bar.locator(".copy-link").is_visible()  # nothing to copy before the end is chosen
    page.locator("#s6 .pick-range").scroll_into_view_if_needed()
    press("#s6 .pick-range")
    assert in_range(page) == expected(3, 6)
    assert page.evaluate("() => location.search + location.hash") == "?range=s3-s6#s3"
    assert bar.locator(".range-label").inner_text() == "発言3〜6を選択中"
    # The first utterance is tinted like the rest, though it is also the fragment's :target.
    tint = "e => getComputedStyle(e).backgroundColor"
    assert page.eval_on_selector("#s3", tint) == page.eval_on_selector("#s4", tint)
    for name in ("範囲のリンクをコピー", "範囲の引用をコピー", "この範囲を印刷", "選択を解除"):
        control = bar.get_by_role("button", name=name)
        assert control.is_visible()
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    # Every button is back to 「ここから」 for the next range.
    assert page.locator("#s6 .pick-range").inner_text() == "ここから"
    # Pressed twice on the same utterance, 「ここから」 is taken back.
    press("#s10 .pick-range")
    press("#s10 .pick-range")
    assert page.locator("#s11 .pick-range").inner_text() == "ここから"
    assert in_range(page) == expected(3, 6)
    assert errors == []


def test_a_range_is_chosen_with_the_keyboard_alone(browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector(".utterance-tools")
        # Tab from the top to utterance 3's toolbar: one stop per utterance.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("() => !!document.activeElement.closest('#s3')"):
                break
        assert page.evaluate("() => document.activeElement.closest('.utterance')?.id") == "s3"
        page.keyboard.press("Home")
        assert page.evaluate("() => document.activeElement.textContent") == "ここから"
        # The focus ring is drawn (style.css :focus-visible, 3 px).
        assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
        page.keyboard.press("Enter")
        for _ in range(3):  # s4, s5, s6
            page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('.utterance')?.id") == "s6"
        page.keyboard.press("Home")
        assert page.evaluate("() => document.activeElement.textContent") == "ここまで"
        page.keyboard.press("Enter")
        assert in_range(page) == expected(3, 6)
        # The keyboard is taken to the bar's actions, which follow in the tab order.
        assert page.evaluate("() => document.activeElement.textContent") == "範囲のリンクをコピー"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "範囲の引用をコピー"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "この範囲を印刷"
    finally:
        context.close()


def test_without_javascript_a_range_link_lands_on_its_first_utterance(browser, url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(url + "?range=s12-s18#s12")
        assert page.evaluate("() => document.querySelector(':target')?.id") == "s12"
        top = page.eval_on_selector("#s12", "e => e.getBoundingClientRect().top")
        assert 0 <= top < 100
    finally:
        context.close()


def test_the_new_and_the_old_range_links_mark_the_same_exchange(page, url: str) -> None:
    page.goto(url + "?range=s12-s18#s12")
    page.wait_for_selector(".range-bar:not([hidden])")
    assert in_range(page) == expected(12, 18)
    page.goto(url + "#s12-s18")
    page.wait_for_selector(".range-bar:not([hidden])")
    assert in_range(page) == expected(12, 18)
    # A later fragment replaces the range the query names.
    page.goto(url + "?range=s12-s18#s20")
    assert in_range(page) == []
    assert page.evaluate("() => document.querySelector('[data-linked]')?.id") == "s20"


def test_range_links_survive_an_alias_and_a_renumbering(page, site: Path, static_server) -> None:
    base = static_server(site, "/minutes/")
    page.goto(base + "test/2022-03-02/?range=s25-s26#s25")
    page.wait_for_url(re.compile(r".*/test/2022-03-01/\?range=s25-s26#s25$"))
    page.wait_for_selector(".range-bar:not([hidden])")
    # Published s25 and s26 are now s24 and s25.
    assert in_range(page) == expected(24, 25)


def test_copied_links_never_carry_the_search_words(browser, url: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(url + "?hl=%E7%99%BA%E8%A8%80&range=s3-s6#s3")
        page.wait_for_selector(".range-bar:not([hidden])")
        page.locator(".range-bar .copy-link").click()
        page.wait_for_function("() => document.querySelector('.copy-status')?.textContent === 'リンクをコピーしました'")
        assert page.evaluate("() => navigator.clipboard.readText()") == url + "?range=s3-s6#s3"
    finally:
        context.close()


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_printing_keeps_the_numbers_title_date_and_link(browser, url: str, script: bool) -> None:
    context = browser.new_context(java_script_enabled=script)
    page = context.new_page()
    try:
        page.goto(url)
        page.emulate_media(media="print")
        assert page.locator("h1").inner_text() == TITLE
        assert page.locator(".meeting-facts time").inner_text() == "令和4年2月14日（2022年）"
        numbers = page.locator(".utterance .permalink")
        assert numbers.count() == COUNT
        assert numbers.nth(11).is_visible() and numbers.nth(11).inner_text() == "#12"
        assert page.locator(".utterance button:visible").count() == 0
        if script:  # the address is written by the script when the site has no base URL
            assert page.locator(".print-link").is_visible()
            assert page.locator(".print-link-url").inner_text() == url
        page.emulate_media(media="screen")
        assert not page.locator(".print-link").is_visible()
    finally:
        context.close()


def test_print_this_range_prints_only_the_exchange(device, url: str) -> None:
    page, press = device
    page.goto(url + "?range=s12-s14#s12")
    page.wait_for_selector(".range-bar:not([hidden])")
    # No print dialog in a test: record what the page looks like when it asks for one.
    page.evaluate("() => { window.printed = []; window.print = () => window.printed.push(document.body.className); }")
    press(".range-bar .print-range")
    assert page.evaluate("() => window.printed") == ["print-range"]
    page.emulate_media(media="print")
    assert visible_ids(page) == expected(12, 14)
    assert page.locator(".agenda-item:visible").count() == 0
    assert page.locator("h1").is_visible()
    assert page.locator(".meeting-facts time").is_visible()
    assert page.locator(".print-link-url").inner_text() == url + "?range=s12-s14#s12"
    assert page.locator("#s12 .permalink").inner_text() == "#12"
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert visible_ids(page) == expected(1, COUNT)  # an ordinary printout again
    assert page.locator(".print-link-url").inner_text() == url


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
@pytest.mark.parametrize("state", ["chosen", "picking"])
def test_axe_finds_nothing_with_the_range_bar_shown(browser, static_server, bundled_site, width: int, state: str):
    base = static_server(bundled_site, "/minutes/")
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        if state == "chosen":
            page.goto(base + "joho-kokai/2022-02-14/?range=s12-s18#s12")
        else:
            page.goto(base + "joho-kokai/2022-02-14/")
            page.click("#s12 .pick-range")
        page.wait_for_selector(".range-bar:not([hidden])")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result => result.violations
                .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""",
            AXE_TAGS,
        )
    finally:
        context.close()
    assert violations == [], f"{state} at {width} px: {violations}"
