"""The meeting page of a long record in Chromium: landmarks, headings, tab order and the way back up."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build_site
from tests.conftest import REPO, TEMPLATES

pytestmark = pytest.mark.browser

MEETING = "joho-kokai/2022-02-14/"
WIDTHS = {"phone": 360, "desktop": 1280}
LANDMARKS = """() => [...document.querySelectorAll(
    'main, nav, aside, body > header, body > footer, section[aria-label], section[aria-labelledby],'
    + ' form[aria-label], form[aria-labelledby], [role=region], [role=search], [role=navigation]')].length"""


@pytest.fixture(params=WIDTHS, ids=WIDTHS)
def meeting_page(request, browser, static_server, bundled_site):
    """The bundled meeting open at 360 or 1280 px, its script run."""
    base = static_server(bundled_site, "/minutes/")
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 800})
    page = context.new_page()
    page.goto(base + MEETING)
    page.wait_for_selector(".utterance-tools")
    yield page
    context.close()


def tab_stops(page) -> list[str]:
    """Press Tab from the top until focus comes back round: a label for every stop, in order."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops: list[str] = []
    for _ in range(2000):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => { const e = document.activeElement;
                if (!e || e === document.body) return null;
                if (!e.dataset.stop) e.dataset.stop = String(document.querySelectorAll('[data-stop]').length);
                return e.dataset.stop + ' ' + (e.getAttribute('aria-label') || e.textContent.trim()); }"""
        )
        if stop is None or stop in stops:
            break
        stops.append(stop)
    return stops


def test_utterances_are_headed_articles_not_landmarks(meeting_page) -> None:
    utterances = meeting_page.locator(".utterance")
    count = utterances.count()
    assert count == 248
    assert meeting_page.locator("article.utterance").count() == count
    assert meeting_page.locator("section.utterance").count() == 0
    # Each is found by its speaker in a screen reader's heading list, below its agenda item.
    first = meeting_page.locator("#s1 .speaker")
    assert first.evaluate("e => /^H[2-6]$/.test(e.tagName)")
    assert meeting_page.evaluate(LANDMARKS) < 10


def test_one_tab_stop_per_utterance_in_the_order_seen(meeting_page) -> None:
    stops = tab_stops(meeting_page)
    # Before: 764 stops (a permalink and two copy buttons for each of 248 utterances).
    assert 248 <= len(stops) < 300
    # Within an utterance the toolbar reads left to right as it is drawn: buttons, then #N.
    tools = meeting_page.locator("#s12 .utterance-tools")
    controls = tools.locator("a, button")
    boxes = [controls.nth(i).bounding_box() for i in range(controls.count())]
    assert max(box["y"] for box in boxes) - min(box["y"] for box in boxes) < boxes[0]["height"]  # one line
    lefts = [box["x"] for box in boxes]
    assert lefts == sorted(lefts)
    assert controls.nth(controls.count() - 1).inner_text() == "#12"


def test_arrow_keys_move_within_an_utterance_toolbar(meeting_page) -> None:
    permalink = meeting_page.locator("#s12 .permalink")
    permalink.focus()
    meeting_page.keyboard.press("Home")
    assert meeting_page.evaluate("document.activeElement.getAttribute('aria-label')") == "ここから（発言12）"
    meeting_page.keyboard.press("ArrowRight")
    assert meeting_page.evaluate("document.activeElement.getAttribute('aria-label')") == "発言12のリンクをコピー"
    meeting_page.keyboard.press("ArrowRight")
    assert meeting_page.evaluate("document.activeElement.getAttribute('aria-label')") == "発言12の引用をコピー"
    meeting_page.keyboard.press("ArrowRight")
    assert meeting_page.evaluate("document.activeElement.textContent") == "#12"
    # The control focused last keeps the toolbar's one tab stop.
    meeting_page.keyboard.press("ArrowLeft")
    assert meeting_page.locator("#s12 [tabindex='0']").get_attribute("aria-label") == "発言12の引用をコピー"


def test_back_to_top_link_returns_to_the_start_of_the_page(meeting_page) -> None:
    links = meeting_page.get_by_role("link", name="ページの先頭へ")
    assert links.count() >= 2  # after each agenda item and at the end of the record
    last = links.nth(links.count() - 1)
    last.scroll_into_view_if_needed()
    assert meeting_page.evaluate("window.scrollY") > 1000
    last.click()
    meeting_page.wait_for_function("window.scrollY < 400")
    # The next Tab goes on from the top, not from where the reader left.
    meeting_page.keyboard.press("Tab")
    assert meeting_page.evaluate("document.activeElement.closest('.breadcrumbs, .meeting-header') !== null")


def test_exchange_links_still_open_their_utterance(meeting_page) -> None:
    meeting_page.goto(meeting_page.url + "#s12-s14")
    marked = meeting_page.eval_on_selector_all("[data-in-range]", "els => els.map(e => e.id)")
    assert marked == ["s12", "s13", "s14"]


def test_contents_by_speaker_pass_axe(browser, static_server, make_site, tmp_path: Path) -> None:
    # A record without agenda headings, as imported from the Diet: its contents list the speakers.
    speeches = "".join(f"○{'委員長（高橋克法君）' if n % 2 else '山田太郎君'}　発言{n}です。\n\n" for n in range(1, 9))
    content = make_site({"test/2024-10-09.md": "---\ntitle: 文教科学委員会 第1号\ndate: 2024-10-09\n---\n\n委員の異動\n\n" + speeches})
    build_site(content, TEMPLATES, tmp_path / "site")
    base = static_server(tmp_path / "site", "/minutes/")
    for width in WIDTHS.values():
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            page.goto(base + "test/2024-10-09/")
            page.get_by_role("link", name="山田太郎君").click()
            assert page.evaluate("location.hash") == "#s2"
            page.add_script_tag(path=str(REPO / "node_modules" / "axe-core" / "axe.min.js"))
            violations = page.evaluate(
                "() => axe.run(document).then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))"
            )
        finally:
            context.close()
        assert violations == [], f"{width} px: {violations}"
