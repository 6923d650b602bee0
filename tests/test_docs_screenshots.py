"""The screenshots in docs/, taken in Chromium from the bundled archive: each still shows what its caption says.

`UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/; without it they are taken into a temporary
folder and compared with the committed ones by pixel size, so a layout change that the pictures no
longer match fails the run without rewriting files on every CI run.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.browser

DOCS = REPO / "docs"
SCREENSHOTS = DOCS / "screenshots"
MEETING = "joho-kokai/2022-02-14/"
MAX_BYTES = 150_000
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"


@dataclass(frozen=True)
class Action:
    """One step a reader takes before the picture: type into a box, press a key, click (with Shift)."""

    kind: str  # "fill", "press", "click", "shift-click", "wait", "top" (scroll the element to the top)
    selector: str
    value: str = ""


@dataclass(frozen=True)
class Shot:
    """One screenshot the docs show: where it is taken, what is done first, what it holds."""

    name: str  # docs/screenshots/<name>.png
    path: str  # below the site root, with query and fragment
    width: int  # 1280 (desktop) or 360 (phone)
    clip: tuple[str, ...]  # the picture is the box around these elements (first match of each)
    shows: str  # a JavaScript predicate: true when the page shows what the caption says
    actions: tuple[Action, ...] = ()
    ready: str = "body"  # a selector to wait for after loading
    max_height: int = 900  # pixels kept from the top of the clip
    height: int = 800  # the window's height: a fixed bar sits at its bottom
    permissions: tuple[str, ...] = field(default=())


SEARCH_QUERY = "「個人情報の保護」 OR 端末 -外部委託"
SEARCH_DONE = "#search-results[data-state='done']"
# The help text is on screen, the query uses all three operators and something was found.
SEARCH_SHOWS = """() => {
  const help = document.querySelector('#search-help');
  const box = help && help.getBoundingClientRect();
  return Boolean(box && box.height > 0 && /OR/.test(help.textContent) && /「…」/.test(help.textContent))
    && Number(document.querySelector('#search-results').dataset.total) > 0
    && document.querySelectorAll('#search-results .hit-link').length > 0;
}"""
TOOLBAR_SHOWS = """() => ['copy-link', 'copy-citation'].every(c => {
  const b = document.querySelector('#s12 .utterance-tools .' + c);
  return b && b.getBoundingClientRect().width > 0;
}) && document.querySelector('#s12 .permalink').getBoundingClientRect().width > 0"""
RANGE_SHOWS = """async () => {
  const bar = document.querySelector('.range-bar');
  return Boolean(bar) && !bar.hidden && bar.getBoundingClientRect().height > 0
    && bar.querySelector('.range-label').textContent === '発言26〜28を選択中'
    && document.querySelectorAll('[data-in-range]').length === 3
    && [...document.querySelectorAll('[data-in-range]')].every(e => getComputedStyle(e).backgroundColor === 'rgb(253, 246, 216)')
    && (document.querySelector('.copy-status') || {}).textContent === '引用をコピーしました'
    && /令和4年2月14日（2022年）発言26〜28 <.*\\?range=s26-s28#s26>$/.test(await navigator.clipboard.readText());
}"""
FILTERS_SHOWS = """() => document.querySelector('#search-speaker').value === '会長'
  && document.querySelector('#search-sort').value === 'newest'
  && Number(document.querySelector('#search-results').dataset.total) > 0
  && [...document.querySelectorAll('#search-results .hit-speaker')].every(e => e.textContent === '会長')"""
FIND_SHOWS = """() => document.querySelectorAll('mark.find-current').length > 0
  && /件中1件目/.test(document.querySelector('#meeting-find-count').textContent)
  && document.querySelector('.clear-search-terms').getBoundingClientRect().width > 0"""
TOUCH_RANGE_SHOWS = """() => {
  const bar = document.querySelector('.range-bar');
  return Boolean(bar) && !bar.hidden && bar.querySelector('.range-label').textContent === '発言26〜28を選択中'
    && document.querySelectorAll('[data-in-range]').length === 3;
}"""
SELECT_RANGE = (
    Action("click", "#s26 .permalink"),
    Action("shift-click", "#s28 .permalink"),
    Action("click", ".range-bar .copy-citation"),
    Action("wait", ".copy-status:not(:empty)"),
    Action("top", "#s26"),
)

SHOTS: list[Shot] = [
    # docs/search.md: the syntax under the box and the answer to a query with OR, - and 「…」.
    *(
        Shot(
            f"search-syntax-{width}",
            "search/",
            width,
            clip=("#search-form", "#search-status", "#search-results"),
            shows=SEARCH_SHOWS,
            actions=(Action("fill", "#search-q", SEARCH_QUERY), Action("press", "#search-q", "Enter"), Action("wait", SEARCH_DONE)),
            ready="#search-q",
            max_height=1000 if width == 360 else 800,
        )
        for width in (1280, 360)
    ),
    # docs/format.md (exchange links): one utterance's link and citation buttons.
    *(
        Shot(f"utterance-toolbar-{width}", MEETING + "#s12", width, clip=("#s12",), shows=TOOLBAR_SHOWS, ready=".utterance-tools")
        for width in (1280, 360)
    ),
    # docs/format.md: a range of three utterances and the bar that copies its link or citation.
    *(
        Shot(
            f"range-citation-{width}",
            MEETING,
            width,
            clip=("#s26", ".range-bar"),
            shows=RANGE_SHOWS,
            actions=SELECT_RANGE,
            ready=".utterance-tools",
            height=520 if width == 1280 else 680,
            permissions=("clipboard-read", "clipboard-write"),
        )
        for width in (1280, 360)
    ),
    # docs/search.md: filters without a keyword (every utterance of 会長 in a date range, newest first).
    Shot(
        "search-filters-1280",
        "search/?speaker=%E4%BC%9A%E9%95%B7&from=2022-01-01&to=2022-12-31&sort=newest",
        1280,
        clip=(".search-filters", "#search-status", "#search-results"),
        shows=FILTERS_SHOWS,
        actions=(Action("wait", SEARCH_DONE),),
        ready="#search-q",
        max_height=800,
    ),
    # docs/search.md: arriving from a hit marks the searched words; the find box walks through a word.
    Shot(
        "meeting-find-360",
        MEETING + "?hl=%E7%AB%AF%E6%9C%AB",
        360,
        clip=(".meeting-find-tools", ".meeting-find"),
        shows=FIND_SHOWS,
        actions=(Action("fill", "#meeting-find-input", "端末"), Action("press", "#meeting-find-input", "Enter")),
        ready="mark.search-term",
    ),
    # docs/theme.md: 「ここから」「ここまで」 tapped on a phone, then the range bar.
    Shot(
        "touch-range-360",
        MEETING,
        360,
        clip=("#s26", ".range-bar"),
        shows=TOUCH_RANGE_SHOWS,
        actions=(Action("click", "#s26 .utterance-tools .pick-range"), Action("click", "#s28 .utterance-tools .pick-range"), Action("top", "#s26")),
        ready=".utterance-tools",
        height=680,
    ),
]


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height a PNG file's header gives."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def referenced_screenshots() -> dict[str, list[str]]:
    """Each screenshot name the docs show (`screenshots/<name>.png`) with the docs that show it."""
    found: dict[str, list[str]] = {}
    for doc in sorted(DOCS.glob("*.md")):
        for name in re.findall(r"\(screenshots/([\w.-]+)\.png\)", doc.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(doc.name)
    return found


def take(browser, site_root: str, shot: Shot, folder: Path) -> bytes:
    """Open the shot's page at its width, do its actions, check what it shows and save the clip."""
    context = browser.new_context(viewport={"width": shot.width, "height": shot.height}, permissions=list(shot.permissions))
    try:
        page = context.new_page()
        page.goto(site_root + shot.path)
        page.wait_for_selector(shot.ready)
        for action in shot.actions:
            if action.kind == "fill":
                page.fill(action.selector, action.value)
            elif action.kind == "press":
                page.press(action.selector, action.value)
            elif action.kind == "click":
                page.click(action.selector)
            elif action.kind == "shift-click":
                page.click(action.selector, modifiers=["Shift"])
            elif action.kind == "top":
                page.locator(action.selector).evaluate("e => window.scrollTo(0, window.scrollY + e.getBoundingClientRect().top - 8)")
            elif action.kind == "wait":
                page.wait_for_selector(action.selector)
            else:
                raise AssertionError(f"{shot.name}: unknown action {action.kind!r}")
        # The caret and any hover effect are not part of what the docs show.
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        page.mouse.move(0, 0)
        assert page.evaluate(shot.shows), f"{shot.name}: the page does not show what the caption says"
        if not any(action.kind == "top" for action in shot.actions):
            page.locator(shot.clip[0]).first.scroll_into_view_if_needed()
        boxes = [page.locator(selector).first.bounding_box() for selector in shot.clip]
        assert all(boxes), f"{shot.name}: an element to clip is not on the page"
        top = min(box["y"] for box in boxes)
        bottom = min(max(box["y"] + box["height"] for box in boxes), top + shot.max_height)
        left = max(0, min(box["x"] for box in boxes) - 8)
        right = min(shot.width, max(box["x"] + box["width"] for box in boxes) + 8)
        clip = {"x": left, "y": max(0, top - 8), "width": right - left, "height": bottom - max(0, top - 8) + 8}
        path = folder / f"{shot.name}.png"
        page.screenshot(path=str(path), clip=clip)
        return path.read_bytes()
    finally:
        context.close()


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_screenshot_shows_its_caption_and_matches_the_docs(browser, static_server, bundled_site: Path, shot: Shot, tmp_path: Path) -> None:
    site_root = static_server(bundled_site, "/minutes/")
    folder = SCREENSHOTS if UPDATE else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    fresh = take(browser, site_root, shot, folder)
    assert len(fresh) < MAX_BYTES, f"{shot.name}.png is {len(fresh)} bytes; clip it closer"
    committed = SCREENSHOTS / f"{shot.name}.png"
    assert committed.exists(), f"{committed} missing: run UPDATE_SCREENSHOTS=1 pytest tests/test_docs_screenshots.py"
    assert png_size(committed.read_bytes()) == png_size(fresh), (
        f"{shot.name}.png: the page's layout changed since the picture in docs/ was taken;"
        " check it and run UPDATE_SCREENSHOTS=1 pytest tests/test_docs_screenshots.py"
    )


def test_docs_show_every_listed_screenshot_and_only_those() -> None:
    listed = {shot.name for shot in SHOTS}
    shown = referenced_screenshots()
    assert set(shown) <= listed, f"docs show screenshots no test takes: {sorted(set(shown) - listed)}"
    assert listed <= set(shown), f"screenshots taken that no doc shows: {sorted(listed - set(shown))}"
    on_disk = {path.stem for path in SCREENSHOTS.glob("*.png")}
    assert on_disk == listed, f"docs/screenshots/ differs from the list: {sorted(on_disk ^ listed)}"
    for path in SCREENSHOTS.glob("*.png"):
        assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
