"""Speaker pages in Chromium at 1280 and 360 px: readable without scrolling sideways, and every link lands."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.speaker_site import NAMED, TRICKY, build_speaker_site

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 360, "desktop": 1280}


@pytest.fixture(scope="module")
def speaker_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The named-speaker archive, built once."""
    return build_speaker_site(tmp_path_factory.mktemp("speakers"))


@pytest.fixture(params=WIDTHS, ids=WIDTHS)
def open_page(request, browser, static_server, speaker_site):
    """Open a page of the site (by its site path) at 360 or 1280 px, below /minutes/."""
    base = static_server(speaker_site, "/minutes/")
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 800})

    def go(path: str):
        page = context.new_page()
        response = page.goto(base + quote(path))
        assert response is not None and response.ok, path
        return page

    yield go
    context.close()


def no_sideways_scroll(page) -> bool:
    """Whether the page fits the window's width (WCAG 1.4.10 reflow)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_chart_draws_each_year_as_a_bar_as_long_as_its_count(open_page) -> None:
    page = open_page(f"speakers/{NAMED}/")
    assert page.locator("h1").inner_text() == NAMED
    assert no_sideways_scroll(page)
    rows = page.locator(".year-chart tbody tr")
    assert rows.count() == 3
    widths = [rows.nth(i).locator(".bar").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)") for i in range(3)]
    # 2021 and 2023 had three utterances each, 2022 none: two equal bars and no bar at all.
    assert widths[1] == []
    assert widths[0][0] > 20 and abs(widths[0][0] - widths[2][0]) < 1
    cell = rows.nth(0).locator("td").bounding_box()
    bar = rows.nth(0).locator(".bar").bounding_box()
    assert bar["x"] + bar["width"] <= cell["x"] + cell["width"] + 0.5


def test_an_utterance_link_opens_the_meeting_at_that_utterance(open_page) -> None:
    page = open_page(f"speakers/{NAMED}/")
    link = page.get_by_role("link", name="発言3").first
    box = link.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24, "a touch target of at least 24 × 24 px"
    link.click()
    page.wait_for_url("**/gikai/2023-11-28/#s3")
    target = page.locator(".utterance:target")
    assert target.get_attribute("id") == "s3"
    assert NAMED in target.locator(".speaker").inner_text()
    assert target.is_visible()


def test_a_speaker_name_on_a_meeting_page_leads_to_their_page(open_page) -> None:
    page = open_page("gikai/2023-11-28/")
    assert no_sideways_scroll(page)
    page.locator("#s2 .speaker-label a").click()
    page.wait_for_selector("h1")
    # The name with markup characters reads as text, and its %-encoded link found the page.
    assert page.locator("h1").inner_text() == TRICKY
    assert page.locator("main b").count() == 0
    assert no_sideways_scroll(page)


def test_the_index_reaches_every_speaker_from_the_footer(open_page) -> None:
    page = open_page("")
    page.locator("footer").get_by_role("link", name="発言者一覧").click()
    page.wait_for_selector("h1:text('発言者一覧')")
    assert no_sideways_scroll(page)
    names = page.locator(".speaker-list a").all_inner_texts()
    assert sorted(set(names)) == sorted([NAMED, "三浦恵美子", "及川秀一郎", TRICKY])
    page.get_by_role("link", name="三浦恵美子").click()
    page.wait_for_selector("h1:text('三浦恵美子')")
    assert "会派" in page.locator(".speaker-facts").inner_text() and "新政会" in page.locator(".speaker-facts").inner_text()


def test_the_speaker_page_searches_every_utterance_of_that_person_newest_first(open_page) -> None:
    """No keyword needed: the page's search link lists all their utterances, as many as the page counts."""
    page = open_page(f"speakers/{NAMED}/")
    assert "6件" in page.locator(".speaker-facts").inner_text()
    page.get_by_role("link", name=f"{NAMED}の発言を新しい順に検索する").click()
    page.wait_for_selector("#search-results[data-first-results='shown']")
    assert "sort=newest" in page.url
    assert page.locator("#search-results a.hit-link").count() == 6
    # Spoken under two labels (議長, 委員長), all by this one person.
    labels = set(page.locator("#search-results .hit-speaker").all_inner_texts())
    assert len(labels) == 2 and all(f"（{NAMED}君）" in label for label in labels), labels
    # Newest first: the hit links' meetings (gikai/YYYY-MM-DD/) never go forward in time.
    dates = [href.split("/")[-2] for href in page.locator("#search-results a.hit-link").evaluate_all("a => a.map(x => x.pathname)")]
    assert dates == sorted(dates, reverse=True) and dates[0] > dates[-1]
