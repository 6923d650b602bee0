"""`minutes build`: pages, anchors, escaping, atomic failure, determinism and sub-path hosting."""

from __future__ import annotations

import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import html5lib
import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.content import load_archive
from generator.cli import main
from generator.diagnostics import ContentError
from tests.conftest import TEMPLATES, meeting


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bundled_archive_has_home_body_and_meeting_pages(bundled_site: Path) -> None:
    assert (bundled_site / "index.html").is_file()
    assert (bundled_site / "joho-kokai" / "index.html").is_file()
    page = (bundled_site / "joho-kokai" / "2022-02-14" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'id="(s\d+)"', page)
    assert len(ids) >= 10
    assert ids == [f"s{n}" for n in range(1, len(ids) + 1)]
    assert 'href="#s1"' in page  # a visible permalink to itself


def test_body_page_groups_meetings_by_fiscal_year(make_site, tmp_path: Path) -> None:
    content = make_site(
        {
            "test/2019-04-10.md": meeting(date="2019-04-10"),
            "test/2020-03-30.md": meeting(date="2020-03-30"),
            "test/2022-02-14.md": meeting(date="2022-02-14"),
        }
    )
    build_site(content, TEMPLATES, tmp_path / "site")
    page = (tmp_path / "site" / "test" / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2 id=\"fy-\d+\">([^<]+)</h2>", page)
    assert headings == ["令和3年度（2021年度）", "令和元年度（2019年度）"]
    assert page.index("平成31年4月10日（2019年）") < page.index("令和2年3月30日（2020年）")


def test_markup_in_titles_and_speeches_is_escaped_everywhere(make_site, tmp_path: Path) -> None:
    content = make_site(
        {
            "_index.md": "---\ntitle: A&B <臨時>\n---\n",
            "test/_index.md": "---\ntitle: 委員会 <b>太字</b>\n---\n",
            "test/2022-02-14.md": meeting(title="'A&B <臨時>'", body="○委員　<img src=x onerror=alert(1)>\n"),
        },
        body=None,
    )
    build_site(content, TEMPLATES, tmp_path / "site")
    pages = {path: data.decode() for path, data in files_of(tmp_path / "site").items() if path.endswith(".html")}
    for path, html in pages.items():
        assert "<臨時>" not in html and "<b>太字</b>" not in html, path
        assert "A&amp;B &lt;臨時&gt;" in html, path
    meeting_page = pages["test/2022-02-14/index.html"]
    assert "<img" not in meeting_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in meeting_page


def test_raw_html_and_tables_in_a_speech_are_text_not_errors(make_site, tmp_path: Path) -> None:
    # docs/format.md: a `<` in a speech stays text, escaped; raw HTML and `|` tables are no error.
    body = "○委員　<table><tr><td>x</td></tr></table>\n\n| 賛成 | 反対 |\n|---|---|\n| 10 | 2 |\n\n<div>続き</div>\n"
    content = make_site({"test/2022-02-14.md": meeting(body=body)})
    archive, diagnostics = load_archive(content)
    assert archive is not None and diagnostics == []
    build_site(content, TEMPLATES, tmp_path / "site")
    page = (tmp_path / "site/test/2022-02-14/index.html").read_text(encoding="utf-8")
    assert "&lt;table&gt;&lt;tr&gt;&lt;td&gt;x&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;" in page and "&lt;div&gt;続き&lt;/div&gt;" in page
    assert "| 賛成 | 反対 |" in page
    assert "<table" not in page and "<div>続き" not in page


def test_failed_build_leaves_previous_site_untouched(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    out = tmp_path / "site"
    build_site(content, TEMPLATES, out)
    before = files_of(out)
    (content / "test" / "2022-02-14.md").write_text(meeting(date="2022-13-45", body="○　名前なし\n"), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build_site(content, TEMPLATES, out)
    assert len(failure.value.diagnostics) == 2
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]  # no staging left behind


def test_two_builds_are_byte_identical(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting(), "test/2022-03-01.md": meeting(date="2022-03-01")})
    build_site(content, TEMPLATES, tmp_path / "one")
    build_site(content, TEMPLATES, tmp_path / "elsewhere" / "two")
    assert files_of(tmp_path / "one") == files_of(tmp_path / "elsewhere" / "two")


def test_pages_are_valid_html(bundled_site: Path) -> None:
    for path in sorted(bundled_site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(path.read_bytes())
        assert parser.errors == [], f"{path}: {parser.errors[:3]}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_internal_link_works_under_a_sub_path(bundled_site: Path, static_server) -> None:
    root = static_server(bundled_site, "/minutes/")
    seen: set[str] = set()
    queue = [root]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url) as response:
            assert response.status == 200, url
            body = response.read()
        if not url.endswith((".html", "/")):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.links:
            target = urljoin(url, link).split("#")[0]
            if urlsplit(target).netloc == urlsplit(root).netloc:
                assert urlsplit(target).path.startswith("/minutes/"), f"{link} on {url} leaves the sub-path"
                queue.append(target)
    assert root + "joho-kokai/2022-02-14/" in seen and root + "assets/style.css" in seen


def test_404_page_links_from_the_base_path(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    build_site(content, TEMPLATES, tmp_path / "site", base_url="https://example.github.io/minutes/")
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/minutes/assets/style.css"' in page and 'href="/minutes/"' in page


def test_cli_build_prints_progress_and_summary(make_site, monkeypatch) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    monkeypatch.chdir(content.parent)
    monkeypatch.setenv("CI", "true")
    result = CliRunner().invoke(main, ["build", "--templates", str(TEMPLATES)])
    assert result.exit_code == 0, result.output
    # The page count grows with the site's own pages (search, data, decisions): it must only agree.
    total = re.search(r"^rendering: (\d+)/\1 pages$", result.stderr, re.MULTILINE)
    assert total, result.stderr
    assert re.fullmatch(
        rf"built 1 meetings, 1 utterances, {total[1]} pages in \d+\.\d\d s; "
        r"1 utterances tokenized, 0 from the cache; peak memory [\d,]+ MB\n",
        result.stdout,
    )


def test_cli_build_failure_exits_1_and_names_each_problem(make_site, monkeypatch) -> None:
    content = make_site({"test/2022-02-14.md": meeting(date="2022-13-45", body="○　名前なし\n")})
    monkeypatch.chdir(content.parent)
    result = CliRunner().invoke(main, ["build", "--templates", str(TEMPLATES)])
    assert result.exit_code == 1
    assert "content/test/2022-02-14.md:3: error: invalid date" in result.stderr
    assert "content/test/2022-02-14.md:6: error: utterance has no speaker label" in result.stderr
    assert not (content.parent / "site").exists()


def body_index(title: str, group: str | None = None) -> str:
    """A body's `_index.md`, naming its home-page group when given."""
    return f"---\ntitle: {title}\n" + (f"group: {group}\n" if group else "") + "---\n"


def home_sections(page: str) -> list[tuple[str, list[str]]]:
    """The home page's group headings under 会議体, each with the body titles listed under it."""
    start = page.index('id="bodies-heading"')
    bodies = page[start : page.index("</section>", start)]
    parts = re.split(r'<h3 class="body-group">([^<]+)</h3>', bodies)
    return [(parts[i], re.findall(r'<a href="[^"]+">([^<]+)</a>', parts[i + 1])) for i in range(1, len(parts), 2)]


def test_home_page_starts_with_the_latest_meetings_and_groups_bodies(make_site, tmp_path: Path) -> None:
    content = make_site(
        {
            "a-honkaigi/_index.md": body_index("区議会本会議", "本会議"),
            "a-honkaigi/2022-02-01.md": meeting(title="第1回定例会", date="2022-02-01"),
            "b-kyoiku/_index.md": body_index("教育委員会", "常任委員会"),
            "b-kyoiku/2022-03-01.md": meeting(title="教育委員会", date="2022-03-01"),
            "c-somu/_index.md": body_index("総務委員会", "常任委員会"),
            "c-somu/2021-05-01.md": meeting(title="総務委員会", date="2021-05-01"),
            "d-shingikai/_index.md": body_index("情報公開審議会"),
            "d-shingikai/2020-01-01.md": meeting(title="情報公開審議会", date="2020-01-01"),
        },
        body=None,
    )
    build_site(content, TEMPLATES, tmp_path / "site")
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert page.index("最近の会議") < page.index('id="bodies-heading"')
    assert home_sections(page) == [
        ("本会議", ["区議会本会議"]),
        ("常任委員会", ["教育委員会", "総務委員会"]),
        ("その他", ["情報公開審議会"]),
    ]


def test_home_page_keeps_a_flat_body_list_when_no_body_names_a_group(bundled_site: Path) -> None:
    page = (bundled_site / "index.html").read_text(encoding="utf-8")
    assert 'class="body-group"' not in page
    assert "情報公開" in page[page.index('id="bodies-heading"') :]


def test_a_record_without_agenda_headings_gets_contents_by_speaker(make_site, tmp_path: Path) -> None:
    # Imported Diet meetings have no ## headings: the contents list who speaks, in order, with links.
    speeches = "○委員長（高橋克法君）　開会します。\n\n○山田太郎君　質問します。\n\n○大臣（鈴木一郎君）　答えます。\n\n○山田太郎君　再質問します。\n"
    content = make_site({"test/2024-10-09.md": meeting(date="2024-10-09", body="会議録情報の本文\n\n" + speeches)})
    build_site(content, TEMPLATES, tmp_path / "site")
    page = (tmp_path / "site" / "test" / "2024-10-09" / "index.html").read_text(encoding="utf-8")
    toc = page[page.index('class="toc"') : page.index("</nav>", page.index('class="toc"'))]
    assert re.findall(r'<a href="#(s\d+)">([^<]+)</a>（(\d+)回）', toc) == [
        ("s1", "委員長（高橋克法君）", "1"),
        ("s2", "山田太郎君", "2"),
        ("s3", "大臣（鈴木一郎君）", "1"),
    ]
