"""A meeting page opened from a search hit (?hl=) and its find box, in Chromium at 360 and 1280 px."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.browser

MEETING = "joho-kokai/2022-02-14/"
WIDTHS = {"phone": 360, "desktop": 1280}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MARKED = "() => [...document.querySelectorAll('mark.search-term')].map(m => m.textContent)"


@pytest.fixture(params=WIDTHS, ids=WIDTHS)
def open_meeting(request, browser, static_server, bundled_site):
    """open(query, fragment) opens the bundled meeting as a search hit links to it, at 360 or 1280 px."""
    base = static_server(bundled_site, "/minutes/")
    context = browser.new_context(
        viewport={"width": WIDTHS[request.param], "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )

    def open_page(query: str | None = None, fragment: str = ""):
        page = context.new_page()
        page.goto(base + MEETING + (f"?hl={quote(query)}" if query is not None else "") + fragment)
        page.wait_for_selector(".meeting-find")
        page.meeting_url = base + MEETING
        return page

    yield open_page
    context.close()


def test_searched_words_are_marked_where_a_folded_variant_is_printed(open_meeting) -> None:
    # Typed in ASCII lower case, printed in full width: ｉＰａｄ.
    page = open_meeting("ipad")
    marked = page.evaluate(MARKED)
    assert marked and set(marked) == {"ｉＰａｄ"}
    assert len(marked) == 27
    note = page.locator(".search-terms-note")
    assert note.locator(".search-terms-text").inner_text() == "検索語「ipad」の一致箇所に印を付けています（27か所）。"

    # Half-width katakana with a sound mark (ｸﾗｳﾄﾞ) finds クラウド; a hiragana query does too.
    for query in ("ｸﾗｳﾄﾞ", "くらうど"):
        marked = open_meeting(query).evaluate(MARKED)
        assert marked and set(marked) == {"クラウド"}


def test_or_is_marked_and_excluded_words_rule_out_utterances(open_meeting) -> None:
    page = open_meeting("ＦＡＸ OR 端末")
    assert set(page.evaluate(MARKED)) == {"ＦＡＸ", "端末"}

    page = open_meeting("個人情報 -外部委託")
    marked = page.evaluate(MARKED)
    assert marked and set(marked) == {"個人情報"}
    # An utterance that speaks of 外部委託 is not one the search found: nothing in it is marked.
    ruled_out = page.evaluate(
        """() => [...document.querySelectorAll('.utterance')]
            .filter(u => u.textContent.includes('外部委託') && u.querySelector('mark')).length"""
    )
    assert ruled_out == 0
    assert page.locator(".utterance:has-text('個人情報'):not(:has-text('外部委託')) mark").count() > 0


def test_a_phrase_is_marked_only_where_its_words_follow_each_other(open_meeting) -> None:
    page = open_meeting("「個人情報の保護」")
    marked = page.evaluate(MARKED)
    assert marked and set(marked) == {"個人情報の保護"}


def test_clearing_removes_the_marks_and_the_parameter_without_moving(open_meeting) -> None:
    page = open_meeting("個人情報", "#s12")
    page.wait_for_function("() => window.scrollY > 0")
    assert page.locator("mark.search-term").count() > 0
    clear = page.get_by_role("button", name="検索語の表示を消す")
    clear.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, 40)")  # the reader is somewhere on the page, not at its top
    before = page.evaluate("() => window.scrollY")
    clear.click()
    assert page.locator("mark").count() == 0
    assert page.evaluate("() => location.search") == ""
    assert page.evaluate("() => location.hash") == "#s12"
    assert page.evaluate("() => window.scrollY") == before
    assert page.locator(".search-terms-note").inner_text() == "検索語の表示を消しました。"
    assert page.evaluate("() => document.activeElement.id") == "meeting-find-input"
    # The paragraphs read as they did: the text is whole again.
    assert page.evaluate("() => document.querySelector('#s12 p').childNodes.length") == 1


def test_copied_links_and_citations_never_carry_the_searched_words(open_meeting) -> None:
    page = open_meeting("個人情報", "#s12")
    url = page.meeting_url
    page.click("#s12 .utterance-tools .copy-link")
    page.wait_for_function("() => document.querySelector('.copy-status')?.textContent === 'リンクをコピーしました'")
    assert page.evaluate("() => navigator.clipboard.readText()") == url + "#s12"
    page.click("#s12 .utterance-tools .copy-citation")
    page.wait_for_function("() => document.querySelector('.copy-status')?.textContent === '引用をコピーしました'")
    citation = page.evaluate("() => navigator.clipboard.readText()")
    assert citation.endswith(f"<{url}#s12>") and "hl=" not in citation


def test_find_box_counts_and_steps_through_the_places(open_meeting) -> None:
    page = open_meeting()
    box = page.get_by_role("searchbox", name="この会議録内を検索")
    box.fill("ｼｽﾃﾑ")
    count = page.locator(".find-count")
    page.wait_for_function("() => /件$/.test(document.querySelector('.find-count').textContent)")
    total = page.locator("mark.find-hit").count()
    assert total >= 11
    assert count.inner_text() == f"{total}件"
    assert set(page.evaluate("() => [...document.querySelectorAll('mark.find-hit')].map(m => m.textContent)")) == {
        "システム"
    }

    box.press("Enter")
    assert count.inner_text() == f"{total}件中1件目"
    box.press("Enter")
    assert count.inner_text() == f"{total}件中2件目"
    assert page.evaluate("() => document.activeElement.id") == "meeting-find-input"
    current = page.locator("mark.find-current")
    assert current.count() == 1
    assert current.get_attribute("data-hit") == "1"
    # The place is on screen, below the find box, which stays in view while it holds a query.
    assert current.evaluate(
        """m => { const r = m.getBoundingClientRect(), f = document.querySelector('.meeting-find').getBoundingClientRect();
            return f.top >= 0 && f.bottom < r.top && r.bottom <= innerHeight; }"""
    )
    assert page.evaluate("() => window.scrollY") > 1000
    box.press("Shift+Enter")
    assert count.inner_text() == f"{total}件中1件目"
    page.get_by_role("button", name="前へ").click()
    assert count.inner_text() == f"{total}件中{total}件目"  # from the first back round to the last
    page.get_by_role("button", name="次へ").click()
    assert count.inner_text() == f"{total}件中1件目"
    assert count.get_attribute("role") == "status"

    box.fill("存在しない語句ＸＹＺ")
    page.wait_for_function("() => document.querySelector('.find-count').textContent === '見つかりませんでした'")
    assert page.locator("mark").count() == 0
    assert page.get_by_role("button", name="次へ").is_disabled()


def test_a_hostile_query_stays_text(open_meeting) -> None:
    hostile = "<img src=x onerror=window.__pwned=1>"
    page = open_meeting(hostile)
    assert page.locator(".search-terms-note .search-terms-query").inner_text() == hostile
    box = page.get_by_role("searchbox", name="この会議録内を検索")
    box.fill('"><img src=x onerror=window.__pwned=2> img')
    box.press("Enter")
    assert page.locator("main img").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_no_accessibility_violation_with_marks_and_find_box_shown(open_meeting) -> None:
    page = open_meeting("個人情報 OR ｉＰａｄ", "#s12")
    page.get_by_role("searchbox", name="この会議録内を検索").fill("システム")
    page.wait_for_selector("mark.find-hit")
    page.get_by_role("button", name="次へ").click()
    assert page.locator("mark.search-term").count() > 0
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})
            .then(result => result.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )
    assert violations == []
