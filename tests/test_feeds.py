"""Feeds and discovery: Atom feeds, sitemap.xml, OpenGraph/Twitter meta and JSON-LD, dates from content."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

from generator.build import build_site
from tests.conftest import TEMPLATES, meeting

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/minutes/"
OTHER_BODY = "---\ntitle: 第二委員会\n---\n"


@pytest.fixture
def content(make_site) -> Path:
    return make_site(
        {
            "test/2022-02-14.md": meeting(extra="updated: 2022-04-01\n"),
            "test/2022-03-01.md": meeting(title="第2回 テスト審議会", date="2022-03-01"),
            "other/_index.md": OTHER_BODY,
            "other/2021-05-10.md": meeting(title="第1回 第二委員会", date="2021-05-10"),
        }
    )


def entries(feed: Path) -> list[ET.Element]:
    root = ET.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_archive_feed_lists_every_meeting_newest_change_first(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "site", base_url=BASE)
    root = ET.parse(tmp_path / "site/feed.xml").getroot()
    # Atom requires id, title and updated on the feed, an author, and id/title/updated per entry.
    assert root.findtext(f"{ATOM}id") == BASE + "feed.xml"
    assert root.findtext(f"{ATOM}title") == "テスト会議録"
    assert root.findtext(f"{ATOM}updated") == "2022-04-01T00:00:00+09:00"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "テスト区"
    found = entries(tmp_path / "site/feed.xml")
    assert [e.findtext(f"{ATOM}id") for e in found] == [
        BASE + "test/2022-02-14/",  # corrected on 2022-04-01: the newest change
        BASE + "test/2022-03-01/",
        BASE + "other/2021-05-10/",
    ]
    first = found[0]
    assert first.find(f"{ATOM}link").get("href") == BASE + "test/2022-02-14/"
    assert first.findtext(f"{ATOM}published") == "2022-02-14T00:00:00+09:00"
    assert first.findtext(f"{ATOM}updated") == "2022-04-01T00:00:00+09:00"
    assert first.findtext(f"{ATOM}title") == "第1回 テスト審議会 令和4年2月14日（2022年）"


def test_body_feed_lists_only_its_meetings(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "site", base_url=BASE)
    assert [e.findtext(f"{ATOM}id") for e in entries(tmp_path / "site/other/feed.xml")] == [BASE + "other/2021-05-10/"]
    assert len(entries(tmp_path / "site/test/feed.xml")) == 2


def test_entry_ids_stay_the_same_when_meetings_are_added(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "one")
    (content / "test/2022-05-01.md").write_text(meeting(date="2022-05-01"), encoding="utf-8")
    build_site(content, TEMPLATES, tmp_path / "two")
    before = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in entries(tmp_path / "one/feed.xml")}
    after = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in entries(tmp_path / "two/feed.xml")}
    assert len(after) == 4
    assert all(after[title] == ident for title, ident in before.items())
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident) for ident in after.values())


def test_sitemap_lists_every_page_by_absolute_url(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "site", base_url=BASE)
    root = ET.parse(tmp_path / "site/sitemap.xml").getroot()
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert urls[BASE + "test/2022-02-14/"] == "2022-04-01"
    assert urls[BASE + "other/2021-05-10/"] == "2021-05-10"
    assert {BASE, BASE + "test/", BASE + "other/", BASE + "decisions/", BASE + "data/"} <= set(urls)
    assert all(url.startswith(BASE) for url in urls)
    assert not any("404" in url for url in urls)


def test_without_a_base_url_the_sitemap_is_left_out_with_a_warning(content: Path, tmp_path: Path) -> None:
    summary = build_site(content, TEMPLATES, tmp_path / "site")
    assert not (tmp_path / "site/sitemap.xml").exists()
    assert [str(w) for w in summary.warnings] == [
        f"{content.as_posix()}/_index.md:1: warning: sitemap.xml not written: a sitemap needs absolute URLs; "
        "set base_url or build with --base-url"
    ]
    assert len(entries(tmp_path / "site/feed.xml")) == 3


def meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="([^"]*)">', html))


def test_every_page_has_open_graph_and_twitter_meta(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "site", base_url=BASE)
    for path in sorted((tmp_path / "site").rglob("index.html")):
        tags = meta(path.read_text(encoding="utf-8"))
        assert tags["og:title"] and tags["twitter:card"] == "summary_large_image", path
        assert tags["og:image"] == BASE + "assets/og-image.png", path
        assert tags["og:url"].startswith(BASE), path
    tags = meta((tmp_path / "site/test/2022-02-14/index.html").read_text(encoding="utf-8"))
    assert tags["og:type"] == "article"
    assert tags["og:url"] == BASE + "test/2022-02-14/"
    assert tags["og:description"] == "テスト審議会、令和4年2月14日（2022年）の会議録（発言1件）"


def test_meeting_page_describes_itself_in_json_ld(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting(extra="venue: 本庁舎 </script> 会議室\nupdated: 2022-04-01\n")})
    build_site(content, TEMPLATES, tmp_path / "site", base_url=BASE)
    html = (tmp_path / "site/test/2022-02-14/index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@type"] == "CreativeWork" and data["url"] == BASE + "test/2022-02-14/"
    assert data["dateModified"] == "2022-04-01"
    assert data["recordedAt"] == {
        "@type": "Event", "name": "第1回 テスト審議会", "startDate": "2022-02-14",
        "location": {"@type": "Place", "name": "本庁舎 </script> 会議室"},
        "organizer": {"@type": "GovernmentOrganization", "name": "テスト区"},
    }  # fmt: skip
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html)
    assert parser.errors == []


def test_feeds_and_data_do_not_change_between_builds(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "one", base_url=BASE)
    build_site(content, TEMPLATES, tmp_path / "two", base_url=BASE)
    for name in ("feed.xml", "test/feed.xml", "sitemap.xml", "permalinks.json", "data/meetings.json", "data/utterances.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_pages_announce_their_feeds(content: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, tmp_path / "site")
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="テスト会議録" href="feed.xml">' in home
    body = (tmp_path / "site/other/index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml" title="第二委員会 | テスト会議録" href="feed.xml">' in body
