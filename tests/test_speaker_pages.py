"""Speaker pages: one per named speaker, with their meetings, counts, a chart and links to each utterance."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

import html5lib
import pytest

from generator.build import build_site
from generator.models import Speaker
from generator.speakers import page_name, parse_label
from tests.conftest import REPO, TEMPLATES
from tests.speaker_site import NAMED, TRICKY, write_speaker_site

BASE = "https://example.org/minutes/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The named-speaker archive, built once."""
    root = tmp_path_factory.mktemp("speakers")
    content = write_speaker_site(root / "content")
    build_site(content, TEMPLATES, root / "site", base_url=BASE)
    return root / "site"


def read(site: Path, url: str) -> str:
    """The HTML of the page at the site-relative `url` (%-encoded or not)."""
    return (site / unquote(url) / "index.html").read_text(encoding="utf-8")


def main_text(html: str) -> str:
    """The text of the page's <main>, tags removed, as a reader sees it."""
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def hrefs(html: str) -> list[str]:
    """Every href on the page, unescaped."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [a.get("href") for a in tree.iter("a") if a.get("href")]


def test_a_named_speaker_has_a_page_a_role_or_a_family_name_has_none(site: Path) -> None:
    pages = sorted(p.name for p in (site / "speakers").iterdir() if p.is_dir())
    assert pages == sorted([NAMED, "三浦恵美子", "及川秀一郎", TRICKY])
    # 会長 is a role, 山下 a family name read off 山下委員長: neither names one person.
    assert not (site / "speakers" / "会長").exists()
    assert not (site / "speakers" / "山下").exists()


def test_the_page_counts_utterances_and_meetings_and_lists_roles_apart(site: Path) -> None:
    text = main_text(read(site, f"speakers/{NAMED}/"))
    assert "6件（3会議）" in text
    assert "役職など 議長、委員長" in text
    assert "令和3年6月10日（2021年） ～ 令和5年11月28日（2023年）" in text
    # Newest meeting first, each with its count and the role spoken under there.
    tree = html5lib.parse(read(site, f"speakers/{NAMED}/"), namespaceHTMLElements=False)
    meetings = [" ".join("".join(p.itertext()).split()) for p in tree.iter("p") if p.get("class") == "speaker-meeting"]
    assert meetings == [
        "令和5年11月28日（2023年） 安平町議会 令和5年第2回臨時会（2件、議長として）",
        "令和5年3月1日（2023年） 総務委員会 第3回 総務委員会（1件、委員長として）",
        "令和3年6月10日（2021年） 安平町議会 令和3年第1回臨時会（3件、議長として）",
    ]


def test_the_chart_is_a_table_of_every_year_with_its_count(site: Path) -> None:
    html = read(site, f"speakers/{NAMED}/")
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    table = tree.find(".//table")
    rows = [("".join(r.find("th").itertext()), "".join(r.find("td").itertext())) for r in table.find("tbody")]
    # The year without meetings stays in the chart: a gap is part of the picture.
    assert rows == [("令和3年（2021年）", "3件"), ("令和4年（2022年）", "0件"), ("令和5年（2023年）", "3件")]
    assert "".join(table.find("caption").itertext()) == f"{NAMED}の年別の発言数"


def test_every_utterance_link_lands_on_an_utterance_of_that_speaker(site: Path) -> None:
    page = f"speakers/{quote(NAMED)}/"
    links = [h for h in hrefs(read(site, page)) if "#s" in h]
    assert len(links) == 6
    for href in links:
        target, anchor = urljoin(BASE + page, href)[len(BASE) :].split("#")
        html = read(site, target)
        heading = re.search(rf'<article class="utterance" id="{anchor}".*?</h\d>', html, re.S)
        assert heading and f"（{NAMED}君）" in heading.group(0), href


def test_the_page_links_to_speeches_and_does_not_reprint_them(site: Path) -> None:
    text = main_text(read(site, f"speakers/{NAMED}/"))
    for speech in ("ただいまから会議を開きます", "委員長として一言申し上げます", "閉会します"):
        assert speech not in text
    assert "著作権法第40条" in text


def test_meeting_pages_link_named_speakers_to_their_pages_and_leave_labels_alone(site: Path) -> None:
    html = read(site, "somu/2023-03-01/")
    speaker_links = re.findall(r'<strong class="speaker-label"><a href="([^"]+)"', html)
    assert speaker_links == [f"../../speakers/{quote(NAMED)}/"]
    assert (site / "somu/2023-03-01" / unquote(speaker_links[0]) / "index.html").is_file()
    assert '<strong class="speaker-label">山下委員長</strong>' in html
    assert '<strong class="speaker-label">会長</strong>' in html


def test_names_are_escaped_in_text_and_encoded_in_links(site: Path) -> None:
    html = read(site, f"speakers/{TRICKY}/")
    assert "<b>" not in html
    assert "<h1>&lt;b&gt;&amp;鈴木&#34;花子</h1>" in html
    meeting = read(site, "gikai/2023-11-28/")
    assert "<b>" not in meeting
    href = next(h for h in hrefs(meeting) if "%3Cb%3E" in h)
    assert href == "../../speakers/" + quote(TRICKY) + "/"
    assert (site / "gikai/2023-11-28" / unquote(href) / "index.html").is_file()


def test_the_index_groups_speakers_by_body_most_utterances_first(site: Path) -> None:
    text = main_text(read(site, "speakers/"))
    assert "氏名が記された発言者4人" in text
    gikai = text.split("安平町議会", 1)[1].split("総務委員会", 1)[0]
    assert gikai.index(NAMED) < gikai.index("三浦恵美子")
    assert f"{NAMED} 議長 （5件）" in gikai
    assert f"{NAMED} 委員長 （1件）" in text.split("総務委員会", 1)[1]
    assert "及川秀一郎 安平町長、町長 （1件）" in gikai


def test_every_page_links_the_index_and_the_sitemap_lists_the_pages(site: Path) -> None:
    assert 'href="speakers/">発言者一覧</a>' in read(site, "")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}speakers/</loc>" in sitemap
    assert f"<loc>{BASE}speakers/{quote(NAMED)}/</loc>" in sitemap
    assert f'<link rel="canonical" href="{BASE}speakers/{quote(NAMED)}/">' in read(site, f"speakers/{NAMED}/")


def test_the_bundled_archive_names_nobody_and_says_so(tmp_path: Path) -> None:
    build_site(REPO / "content", TEMPLATES, tmp_path / "site")
    assert [p.name for p in (tmp_path / "site" / "speakers").iterdir()] == ["index.html"]
    assert "氏名が記された発言者はまだいません" in read(tmp_path / "site", "speakers/")


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("議長（山田太郎君）", "山田太郎"),
        ("国務大臣（石破　茂君）", "石破　茂"),
        ("山下委員長", None),
        ("会長", None),
        ("区側", None),
        ("議員（a/b君）", None),
        ("議員（..君）", None),
        ("議員（index.html君）", None),
    ],
)
def test_only_full_names_that_fit_one_folder_get_a_page(label: str, name: str | None) -> None:
    assert page_name(parse_label(label)) == name


def test_a_full_name_from_the_speakers_map_gets_a_page_a_confirmed_family_name_does_not() -> None:
    assert page_name(parse_label("山下委員長", {"山下委員長": Speaker("山下委員長", name="山下一郎")})) == "山下一郎"
    assert page_name(parse_label("山下委員長", {"山下委員長": Speaker("山下委員長", name="山下")})) is None
    assert page_name(parse_label("会長", {"会長": Speaker("会長", name="佐藤花子")})) == "佐藤花子"
