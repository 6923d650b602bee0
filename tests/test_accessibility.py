"""axe-core in Chromium over the bundled archive: no serious or critical violation on any kind of page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO
from tests.speaker_site import NAMED, TRICKY, build_speaker_site

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "",
    "body": "joho-kokai/",
    "meeting": "joho-kokai/2022-02-14/",
    "search": "search/?q=審議会",
    "speakers-empty": "speakers/",
    # The filters set, without words: every utterance of one speaker in a date range.
    "search-filters": "search/?speaker=%E4%BC%9A%E9%95%B7&from=2022-01-01&to=2022-12-31&sort=newest",
}
# The bundled archive names nobody: speaker pages are scanned on a small archive that does.
SPEAKER_PAGES = {
    "speaker": f"speakers/{NAMED}/",
    "speaker-escaped": f"speakers/{TRICKY}/",
    "speakers": "speakers/",
    "meeting-with-speaker-links": "gikai/2021-06-10/",
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": 360, "desktop": 1280}


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
@pytest.mark.parametrize("name", PAGES, ids=PAGES)
def test_no_serious_or_critical_violation(browser, static_server, bundled_site, name, width):
    base = static_server(bundled_site, "/minutes/")
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800})
    try:
        page = context.new_page()
        page.goto(base + PAGES[name])
        if name.startswith("search"):
            page.wait_for_selector("#search-results[data-state='done']", state="attached")
        if name == "search":
            assert page.locator("#search-results mark").count() > 0, "the scan should see highlighted hits"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """() => axe.run(document).then(result => result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
        )
    finally:
        context.close()
    assert violations == [], f"{name} page at {WIDTHS[width]} px: {violations}"


@pytest.fixture(scope="module")
def speaker_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose minutes name their speakers, built once."""
    return build_speaker_site(tmp_path_factory.mktemp("speakers"))


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
@pytest.mark.parametrize("name", SPEAKER_PAGES, ids=SPEAKER_PAGES)
def test_speaker_pages_have_no_wcag_violation(browser, static_server, speaker_site, name, width):
    base = static_server(speaker_site, "/minutes/")
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800})
    try:
        page = context.new_page()
        response = page.goto(base + quote(SPEAKER_PAGES[name]))
        assert response is not None and response.ok, f"{SPEAKER_PAGES[name]} not served"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result => result.violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""",
            WCAG_TAGS,
        )
    finally:
        context.close()
    # Every impact counts here, minor ones included: these pages are new.
    assert violations == [], f"{name} page at {WIDTHS[width]} px: {violations}"
