"""The theme's finish in Chromium at 360 and 1280 px: focus rings, touch targets, layout shift, icons, axe."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.build import build_site
from tests.conftest import REPO, TEMPLATES, write_files
from tests.test_search_browser import FILES as SEARCH_FILES

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 360, "desktop": 1280}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MEETING = "joho-kokai/2022-02-14/"
DONE = "#search-results[data-state='done']"

# WCAG relative luminance and contrast, and the colour a control is seen against: the first
# ancestor (from `from`) with a background colour. The theme's backgrounds are opaque.
COLOUR_JS = """
window.__finish = {
  rgb(text) { return text.match(/[\\d.]+/g).slice(0, 4).map(Number); },
  luminance(text) {
    const [r, g, b] = this.rgb(text).slice(0, 3).map(v => v / 255)
      .map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  },
  contrast(a, b) {
    const [hi, lo] = [this.luminance(a), this.luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  },
  background(from) {
    for (let node = from; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      const parts = this.rgb(colour);
      if (parts.length < 4 || parts[3] > 0) return colour;
    }
    return "rgb(255, 255, 255)";
  },
};
"""


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search tests' archive: meetings with many hits and more than one page of meetings."""
    root = tmp_path_factory.mktemp("finish-search")
    build_site(write_files(root / "content", SEARCH_FILES), TEMPLATES, root / "site")
    return root / "site"


def _open(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script(COLOUR_JS)
    page.goto(url)
    return context, page


def _focus_rings(page, selectors: list[str]) -> list[dict]:
    """Focus each selector's first visible element after a Tab key press; its ring and what it sits on."""
    page.keyboard.press("Tab")  # keyboard focus: programmatic focus after it shows :focus-visible
    found = []
    for selector in selectors:
        ring = page.evaluate(
            """selector => {
                const el = Array.from(document.querySelectorAll(selector)).find(e => e.getClientRects().length);
                if (!el) return null;
                el.focus();
                const style = getComputedStyle(el);
                const against = window.__finish.background(el.parentElement);
                return {selector, visible: el.matches(':focus-visible'), style: style.outlineStyle,
                        width: parseFloat(style.outlineWidth), against,
                        ratio: window.__finish.contrast(style.outlineColor, against)};
            }""",
            selector,
        )
        assert ring is not None, f"nothing to focus for {selector}"
        found.append(ring)
    return found


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
def test_focus_rings_stand_out_on_white_and_on_highlighted_utterances(browser, static_server, bundled_site, width):
    base = static_server(bundled_site)
    # #s3-s5 tints utterances 3 to 5 (a range) and #s3 (the linked one): the rings must show on both.
    context, page = _open(browser, base + MEETING + "#s3-s5", WIDTHS[width])
    try:
        page.wait_for_selector(".range-bar:not([hidden])")
        rings = _focus_rings(
            page,
            [
                ".site-title a", "#site-search", ".search-form button", ".breadcrumbs a",
                "#s3 .permalink", "#s3 .copy-link", "#s4 .copy-citation", "#s5 .permalink",
                "#s12 .copy-link", "#s12 .permalink", ".range-bar .copy-link", ".site-footer a",
            ],
        )
        # One linked utterance (#s9) has a tint of its own.
        page.evaluate("() => { location.hash = '#s9'; }")
        page.wait_for_selector("#s9[data-linked]")
        rings += _focus_rings(page, ["#s9 .copy-citation", "#s9 .permalink"])
        tinted = {ring["against"] for ring in rings if ring["against"] != "rgb(255, 255, 255)"}
        assert len(tinted) >= 3, f"the scan should meet the tinted utterances: {rings}"
        search_context, search = _open(browser, base + "search/?q=" + quote("審議会"), WIDTHS[width])
        try:
            search.wait_for_selector(DONE, state="attached")
            rings += _focus_rings(search, ["#search-q", "#search-body", "#search-sort", "#search-form button", "a.hit-link", ".result-meeting a"])
        finally:
            search_context.close()
    finally:
        context.close()
    for against in sorted({ring["against"] for ring in rings}):
        print(f"focus ring at {WIDTHS[width]} px on {against}: {min(r['ratio'] for r in rings if r['against'] == against):.2f}:1")
    for ring in rings:
        assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, ring
        assert ring["ratio"] >= 3, ring  # WCAG 1.4.11 (non-text contrast) for the focus indicator


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
def test_buttons_and_permalinks_are_big_enough_to_tap_and_outlined(browser, static_server, bundled_site, width):
    base = static_server(bundled_site)
    context, page = _open(browser, base + MEETING + "#s3-s5", WIDTHS[width])
    try:
        page.wait_for_selector(".range-bar:not([hidden])")
        targets = page.evaluate(
            """() => Array.from(document.querySelectorAll('main button, .range-bar button, .permalink'))
                .filter(e => e.getClientRects().length)
                .map(e => {
                    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
                    const f = window.__finish, outlined = e.matches('.utterance-tools button, .range-bar button');
                    return {name: e.getAttribute('aria-label') || e.textContent, width: box.width, height: box.height,
                            outlined,
                            inside: outlined ? f.contrast(style.borderTopColor, style.backgroundColor) : null,
                            outside: outlined ? f.contrast(style.borderTopColor, f.background(e.parentElement)) : null};
                })"""
        )
    finally:
        context.close()
    outlined = [t for t in targets if t["outlined"]]
    print(f"at {WIDTHS[width]} px: smallest target {min(t['height'] for t in targets):.1f} px tall, "
          f"{min(t['width'] for t in targets):.1f} px wide; borders {min(min(t['inside'], t['outside']) for t in outlined):.2f}:1")
    assert len(outlined) > 100, "every utterance should have its copy buttons"
    for target in targets:
        assert target["width"] >= 24 and target["height"] >= 24, target  # WCAG 2.5.8
        if target["outlined"]:
            # A white button on a white or tinted utterance is seen by its border alone.
            assert min(target["inside"], target["outside"]) >= 3, target


OBSERVE_SHIFTS = """
window.__shift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: 'layout-shift', buffered: true});
"""


def _cumulative_shift(page) -> float:
    # Layout-shift entries reach the observer after the frame they happened in.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate("window.__shift")


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
@pytest.mark.parametrize("query", ["GIGAスクール", "予算", "ないない"])
def test_the_results_page_does_not_jump_as_results_arrive(browser, static_server, search_site, width, query):
    base = static_server(search_site)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE_SHIFTS)
        page.goto(base + "search/?q=" + quote(query))
        page.wait_for_selector(DONE, state="attached")
        shift = _cumulative_shift(page)
        if page.locator("#search-more").is_visible():
            page.focus("#search-more")
            page.keyboard.press("Enter")
            page.wait_for_selector(DONE, state="attached")
            shift = _cumulative_shift(page)
    finally:
        context.close()
    print(f"CLS {query} at {WIDTHS[width]} px: {shift:.4f}")
    assert shift < 0.1  # Core Web Vitals' "good"


PAGES = {"home": "", "body": "joho-kokai/", "meeting": MEETING, "search": "search/?q=" + quote("審議会"),
         "data": "data/", "decisions": "decisions/", "not-found": "404.html"}


@pytest.mark.parametrize("name", PAGES, ids=PAGES)
def test_every_page_has_an_icon_and_nothing_fails_to_load(browser, static_server, bundled_site, name):
    # Below a sub-path, as on a project site; the 404 page links from the base path, which is / here.
    base = static_server(bundled_site, "/" if name == "not-found" else "/minutes/")
    context = browser.new_context(viewport={"width": 360, "height": 800})
    failures: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: failures.append(message.text) if message.type == "error" else None)
        page.on("response", lambda response: failures.append(f"{response.status} {response.url}") if response.status >= 400 else None)
        page.goto(base + PAGES[name])
        page.wait_for_load_state("load")
        if name == "search":
            page.wait_for_selector(DONE, state="attached")
        icon = page.eval_on_selector("link[rel=icon]", "link => link.href")
        answer = context.request.get(icon)
        assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml"), icon
    finally:
        context.close()
    assert failures == []


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


AXE_PAGES = {"home": "", "body": "joho-kokai/", "meeting-range": MEETING + "#s3-s5", "search": "search/?q=" + quote("審議会"),
             "data": "data/", "decisions": "decisions/"}


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
@pytest.mark.parametrize("path", list(AXE_PAGES.values()), ids=list(AXE_PAGES))
def test_axe_finds_nothing_with_the_wcag_22_aa_rules(browser, static_server, bundled_site, width, path):
    base = static_server(bundled_site)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800})
    try:
        page = context.new_page()
        page.goto(base + path)
        if path.startswith("search/"):
            page.wait_for_selector(DONE, state="attached")
        elif "#" in path:
            page.wait_for_selector(".range-bar:not([hidden])")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result => result.violations
                .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""",
            AXE_TAGS,
        )
    finally:
        context.close()
    assert violations == []


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS)
def test_results_print_dates_in_wareki(browser, static_server, search_site, width):
    base = static_server(search_site)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800})
    try:
        page = context.new_page()
        page.goto(base + "search/?q=" + quote("GIGAスクール") + "&sort=newest")
        page.wait_for_selector(DONE, state="attached")
        dates = page.locator("#search-results .result-meta time").all_inner_texts()
    finally:
        context.close()
    assert dates[:3] == ["令和4年2月14日（2022年）", "令和3年6月1日（2021年）", "令和3年3月15日（2021年）"]


def test_a_failed_download_is_explained_in_japanese(browser, static_server, search_site):
    base = static_server(search_site)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        # The index's files fail as on a broken connection: the browser's own words are English.
        context.route("**/search/manifest.json", lambda route: route.abort("internetdisconnected"))
        page = context.new_page()
        page.goto(base + "search/?q=" + quote("GIGAスクール"))
        page.wait_for_selector("#search-results[data-state='error']", state="attached")
        status = page.locator("#search-status").inner_text()
    finally:
        context.close()
    assert status.startswith("検索できませんでした。") and "再読み込み" in status
    assert not re.search(r"[A-Za-z]", status), status
