"""What `minutes build` writes for search: the page, its filters, lunr.js, and a box on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import build
from generator.build import MissingAssetError, build_site
from generator.output import SITE_MARKER
from generator.theme import LUNR_JS
from tests.conftest import REPO, TEMPLATES, meeting

FILES = {
    "test/2022-02-14.md": meeting("令和３年度第７回 テスト審議会", "2022-02-14"),
    "test/2019-04-10.md": meeting("令和元年度第１回 テスト審議会", "2019-04-10"),
}


def test_search_page_offers_every_body_and_a_date_range(make_site, tmp_path: Path) -> None:
    content = make_site(FILES)
    build_site(content, TEMPLATES, tmp_path / "site")
    page = (tmp_path / "site" / "search" / "index.html").read_text(encoding="utf-8")
    assert '<option value="test">テスト審議会</option>' in page
    # A range of dates replaces the fiscal year: typed in 和暦 or 西暦, both ends included.
    assert 'id="search-from" name="from"' in page and 'id="search-to" name="to"' in page
    assert "令和4年2月14日" in page and "指定した日も含みます" in page
    assert "<noscript>" in page and "JavaScript" in page
    for name in ("search-worker.js", "search-ui.js", "search.css"):
        assert f'"../assets/{name}"' in page
    # The worker loads lunr.js (the minified build) and the engine from beside itself.
    for name in ("lunr.min.js", "search-engine.js"):
        assert (tmp_path / "site" / "assets" / name).is_file()
    assert (tmp_path / "site" / "assets" / "lunr.min.js").read_bytes() == (REPO / "node_modules/lunr/lunr.min.js").read_bytes()
    assert (tmp_path / "site" / "search" / "manifest.json").is_file()


def test_every_other_page_has_a_search_box_that_works_without_javascript(make_site, tmp_path: Path) -> None:
    content = make_site(FILES)
    build_site(content, TEMPLATES, tmp_path / "site")
    expected = {"index.html": "search/", "test/index.html": "../search/", "test/2022-02-14/index.html": "../../search/"}
    for path, action in expected.items():
        page = (tmp_path / "site" / path).read_text(encoding="utf-8")
        form = re.search(r'<form class="search-form" role="search" action="([^"]+)" method="get">(.*?)</form>', page, re.S)
        assert form, path
        assert form[1] == action
        assert 'name="q"' in form[2] and '<label class="visually-hidden" for="site-search">会議録を検索</label>' in form[2]
    # The search page has its own, bigger box instead: one search form per page.
    search = (tmp_path / "site" / "search" / "index.html").read_text(encoding="utf-8")
    assert search.count('role="search"') == 1 and 'id="site-search"' not in search


def test_lunr_js_comes_from_the_package_without_node_modules(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(FILES)
    monkeypatch.chdir(tmp_path)  # no node_modules/ here, as in a site made by an installed `minutes`
    build_site(content, TEMPLATES, tmp_path / "site")
    assert (tmp_path / "site" / "assets" / "lunr.min.js").read_bytes() == LUNR_JS.read_bytes()


def test_a_broken_installation_without_lunr_js_fails_the_build_and_keeps_the_site(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site(FILES)
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("old site", encoding="utf-8")
    (out / SITE_MARKER).write_text("", encoding="utf-8")
    monkeypatch.setattr(build, "LUNR_JS", tmp_path / "lost" / "lunr.min.js")
    with pytest.raises(MissingAssetError, match=r"lunr\.min\.js not found: the search page needs it; reinstall"):
        build_site(content, TEMPLATES, out)
    assert sorted(p.name for p in out.iterdir()) == [SITE_MARKER, "keep.txt"]