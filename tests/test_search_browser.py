"""The search page in Chromium: the header box, grouped results, filters, sort, the URL, bad input."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.build import build_site
from tests.conftest import REPO, TEMPLATES, meeting, write_files

pytestmark = pytest.mark.browser

DONE = "#search-results[data-state='done']"
HIT_LINKS = "#search-results a.hit-link"
BAD_QUERIES = [
    "10:00",
    "第1回:議事",
    "foo^",
    "-",
    "*",
    "~",
    "GIGA*",
    "+GIGA -スクール",
    "、。！？「」（）",
    "あ" * 1000,
    "GIGAスクール " * 80,
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
]

SITE = """---
title: 検索テスト会議録
organization: テスト区
---
"""


def _meeting_with_many_hits(count: int) -> str:
    """A meeting in which `count` utterances mention 端末の台数."""
    body = "## １ 端末の更新\n\n" + "".join(f"○委員　端末の台数について、{n}番目の質問です。\n\n" for n in range(1, count + 1))
    return meeting("令和４年度第１回 情報公開・個人情報保護審議会", "2022-05-16", body)


def _budget_meetings(count: int) -> dict[str, str]:
    """`count` meetings of one more body, each with one utterance about 予算: pages of meetings."""
    files = {"yosan/_index.md": "---\ntitle: 予算特別委員会\n---\n"}
    for day in range(1, count + 1):
        files[f"yosan/2020-05-{day:02d}.md"] = meeting(
            f"予算特別委員会 第{day}日", f"2020-05-{day:02d}", f"○委員長　第{day}日の予算の審査を始めます。\n"
        )
    return files


FILES: dict[str, str] = {
    "_index.md": SITE,
    "joho/_index.md": "---\ntitle: 情報公開・個人情報保護審議会\n---\n",
    "kyoiku/_index.md": "---\ntitle: 教育委員会\n---\n",
    # Fiscal year 2021, two agenda items, three speakers.
    "joho/2022-02-14.md": meeting(
        "令和３年度第７回 情報公開・個人情報保護審議会",
        "2022-02-14",
        "## １ 会長あいさつ\n\n"
        "○会長　本日はお集まりいただき、ありがとうございます。\n\n"
        "## ２ 議事\n\n"
        "○区側　ＧＩＧＡスクール構想の端末について、個人情報の取扱いをご説明します。\n\n"
        "○委員　GIGAスクールの端末は、家庭に持ち帰るのでしょうか。\n\n"
        "○区側　𠮟責の記録は残しません。GIGAスクールの端末は持ち帰ります。\n\n"
        "○会長　ほかにご質問はございますか。\n",
    ),
    # Fiscal year 2020: the oldest meeting.
    "joho/2021-03-15.md": meeting(
        "令和２年度第９回 情報公開・個人情報保護審議会",
        "2021-03-15",
        "○区側　GIGAスクール構想により、児童生徒に一人一台の端末を配ります。\n",
    ),
    # Another body, fiscal year 2021.
    "kyoiku/2021-06-01.md": meeting(
        "令和３年度第３回 教育委員会定例会",
        "2021-06-01",
        "○教育長　GIGAスクールの進み具合を報告します。\n\n○委員　学校の通信環境はどうでしょうか。\n",
    ),
    "joho/2022-05-16.md": _meeting_with_many_hits(12),
    **_budget_meetings(23),
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small archive of three bodies' meetings that mention GIGAスクール, built once."""
    root = tmp_path_factory.mktemp("search-site")
    content = write_files(root / "content", FILES)
    build_site(content, TEMPLATES, root / "site")
    return root / "site"


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _search(page, base: str, query: str = "", **params: str) -> None:
    """Open the search page with `query` and filters in the URL and wait until it has answered."""
    from urllib.parse import urlencode

    page.goto(base + "search/?" + urlencode({"q": query, **params}))
    page.wait_for_selector(DONE, state="attached")


def _groups(page) -> list[dict]:
    """Each result group: meeting title, date, and the hrefs of its hit links, in page order."""
    return page.eval_on_selector_all(
        "#search-results > li",
        """groups => groups.map(g => ({
            title: g.querySelector('h2').textContent,
            date: g.querySelector('time').getAttribute('datetime'),
            body: g.querySelector('.result-body').textContent,
            hrefs: Array.from(g.querySelectorAll('a.hit-link')).map(a => a.getAttribute('href').replace(/[?]hl=[^#]*/, '')),
            hl: Array.from(g.querySelectorAll('a.hit-link')).map(a => new URL(a.href).searchParams.get('hl')),
            numbers: Array.from(g.querySelectorAll('.hit-number')).map(s => s.textContent),
            speakers: Array.from(g.querySelectorAll('.hit-speaker')).map(s => s.textContent),
        }))""",
    )


@pytest.mark.parametrize("sub_path", ["/", "/minutes/"])
def test_header_box_finds_grouped_hits_and_leads_to_the_utterance(page, static_server, fixture_site, sub_path):
    base = static_server(fixture_site, sub_path)
    page.goto(base)
    page.get_by_role("search").get_by_label("会議録を検索").fill("GIGAスクール")
    page.get_by_role("search").get_by_label("会議録を検索").press("Enter")
    page.wait_for_selector(DONE, state="attached")
    assert urlsplit(page.url).path == sub_path + "search/"
    assert _query(page.url)["q"] == ["GIGAスクール"]

    groups = _groups(page)
    titles = [g["title"] for g in groups]
    assert sorted(titles) == sorted(
        ["令和３年度第７回 情報公開・個人情報保護審議会", "令和２年度第９回 情報公開・個人情報保護審議会", "令和３年度第３回 教育委員会定例会"]
    )
    by_title = {g["title"]: g for g in groups}
    february = by_title["令和３年度第７回 情報公開・個人情報保護審議会"]
    # The full-width ＧＩＧＡ and the utterance after an astral 𠮟 are found too.
    assert sorted(february["hrefs"]) == sorted(f"../joho/2022-02-14/#s{n}" for n in (2, 3, 4))
    assert sorted(february["speakers"]) == ["区側", "区側", "委員"]
    # Each hit names its 発言番号 and carries the query for the meeting page to mark (?hl=).
    assert sorted(february["numbers"]) == ["発言2", "発言3", "発言4"]
    assert set(february["hl"]) == {"GIGAスクール"}
    assert page.locator("#search-results").get_attribute("data-total") == "5"
    assert "5件" in page.locator("#search-status").inner_text()

    # Every highlight is a matched word, also after the astral character (UTF-16 offsets).
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and all(unicodedata.normalize("NFKC", m).lower() in ("gigaスクール", "giga", "スクール") for m in marks)

    link = page.locator(HIT_LINKS).first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    anchor = href.rsplit("#", 1)[1]
    assert page.url.endswith("#" + anchor)
    assert urlsplit(page.url).path.startswith(sub_path)
    utterance = page.locator(f"#{anchor}")
    assert utterance.count() == 1
    assert "ＧＩＧＡ" in utterance.inner_text() or "GIGA" in utterance.inner_text()


def test_groups_follow_their_best_hit_and_hits_keep_their_rank(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "端末")
    hrefs = page.eval_on_selector_all(HIT_LINKS, "links => links.map(a => a.getAttribute('href'))")
    # One meeting's hits never interleave with another's.
    meetings = [href.split("#")[0] for href in hrefs]
    assert meetings == sorted(meetings, key=meetings.index)
    assert all(href.rsplit("#", 1)[1].startswith("s") for href in hrefs)


def test_filters_and_sort_change_the_results_and_the_url(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "GIGAスクール")
    assert len(_groups(page)) == 3

    page.get_by_label("会議体").select_option(label="教育委員会（1件）")
    assert _query(page.url)["body"] == ["kyoiku"]
    assert [g["body"] for g in _groups(page)] == ["教育委員会"]
    assert page.locator("#search-results").get_attribute("data-total") == "1"

    page.get_by_label("会議体").select_option("")
    # 和暦 and 西暦 alike; both ends inclusive (令和3年度: 2021-04-01 to 2022-03-31).
    page.get_by_label("開催日（から）").fill("令和3年4月1日")
    page.get_by_label("開催日（まで）").fill("R4.3.31")
    page.get_by_label("開催日（まで）").press("Enter")
    page.wait_for_function("new URLSearchParams(location.search).get('to') === '2022-03-31'")
    page.wait_for_selector(DONE, state="attached")
    assert _query(page.url)["from"] == ["2021-04-01"]
    assert sorted(g["date"] for g in _groups(page)) == ["2021-06-01", "2022-02-14"]

    # The speaker list fills when the reader turns to it.
    page.get_by_label("発言者").focus()
    page.get_by_label("発言者").select_option("委員")
    assert _query(page.url)["speaker"] == ["委員"]
    assert [s for g in _groups(page) for s in g["speakers"]] == ["委員"]
    page.get_by_label("発言者").select_option("")
    page.get_by_label("開催日（から）").fill("")
    page.get_by_label("開催日（まで）").fill("")
    page.get_by_label("開催日（まで）").press("Enter")
    page.wait_for_function("!new URLSearchParams(location.search).get('to')", timeout=5000)
    page.wait_for_selector(DONE, state="attached")

    page.get_by_label("並び順").select_option("newest")
    page.wait_for_selector(DONE, state="attached")
    assert _query(page.url)["sort"] == ["newest"]
    assert [g["date"] for g in _groups(page)] == ["2022-02-14", "2021-06-01", "2021-03-15"]
    # By date, a meeting's hits follow the order they were spoken in.
    assert _groups(page)[0]["hrefs"] == [f"../joho/2022-02-14/#s{n}" for n in (2, 3, 4)]
    page.get_by_label("並び順").select_option("oldest")
    page.wait_for_selector(DONE, state="attached")
    assert [g["date"] for g in _groups(page)] == ["2021-03-15", "2021-06-01", "2022-02-14"]

    # The URL is enough to get the same page back: share it, or reload.
    page.get_by_label("会議体").select_option("joho")
    shared = page.url
    before = _groups(page)
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_selector(DONE, state="attached")
    assert _groups(page) == before
    assert page.get_by_label("会議体").input_value() == "joho"
    assert page.get_by_label("並び順").input_value() == "oldest"
    assert page.get_by_label("検索語").input_value() == "GIGAスクール"


def test_a_new_query_on_the_search_page_replaces_the_results(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "GIGAスクール")
    page.get_by_label("検索語").fill("通信環境")
    page.get_by_label("検索語").press("Enter")
    page.wait_for_function("document.querySelector('#search-results').dataset.total === '1'")
    page.wait_for_selector(DONE, state="attached")
    assert _query(page.url)["q"] == ["通信環境"]
    assert [g["hrefs"] for g in _groups(page)] == [["../kyoiku/2021-06-01/#s2"]]


def test_nothing_found_is_said_and_the_list_is_done(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "京都")
    results = page.locator("#search-results")
    assert results.get_attribute("data-total") == "0"
    assert page.locator(HIT_LINKS).count() == 0
    assert "見つかりませんでした" in page.locator("#search-status").inner_text()


def test_a_meeting_shows_its_first_hits_and_folds_the_rest(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "端末 台数")
    assert page.locator("#search-results").get_attribute("data-total") == "12"
    visible = page.locator(HIT_LINKS).filter(visible=True)
    assert visible.count() == 3
    # Every hit link is in the list, in rank order, the folded ones too.
    assert page.locator(HIT_LINKS).count() == 12
    summary = page.get_by_text("この会議のほかの発言 9件")
    summary.focus()
    page.keyboard.press("Enter")
    assert visible.count() == 12


def test_results_are_paged_by_meeting_and_focus_moves_to_the_first_new_one(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "予算")
    assert page.locator("#search-results").get_attribute("data-total") == "23"
    titles = page.locator("#search-results .result-meeting a")
    assert titles.count() == 20
    # The speeches of every meeting shown have arrived, the first five (the top of the list) first.
    assert page.locator("#search-results").get_attribute("data-first-results") == "shown"
    assert page.locator("#search-results .hit-snippet").count() == 20
    assert "20会議目まで" in page.locator("#search-status").inner_text()
    more = page.get_by_role("button", name="さらに3会議を表示")
    more.focus()
    page.keyboard.press("Enter")
    assert titles.count() == 23 and page.locator(HIT_LINKS).count() == 23
    assert page.evaluate("document.activeElement.textContent") == titles.nth(20).inner_text()
    assert more.is_hidden()


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """23 meetings about 予算, the first of which answers five times: a fold on the first page."""
    files = {"_index.md": SITE, **_budget_meetings(23)}
    files["yosan/2020-05-01.md"] = meeting(
        "予算特別委員会 第1日",
        "2020-05-01",
        "".join(f"○委員　{n}番目の予算の質問です。\n\n" for n in range(1, 6)),
    )
    root = tmp_path_factory.mktemp("paged-site")
    build_site(write_files(root / "content", files), TEMPLATES, root / "site")
    return root / "site"


def test_more_meetings_keep_the_opened_hits_open(page, static_server, paged_site):
    base = static_server(paged_site)
    _search(page, base, "予算")
    folded = page.locator("#search-results details.result-rest")
    assert folded.count() == 1
    folded.locator("summary").click()
    assert folded.get_attribute("open") is not None
    page.get_by_role("button", name="さらに3会議を表示").click()
    assert page.locator("#search-results .result-meeting a").count() == 23
    assert page.locator("#search-results").get_attribute("data-total") == "27"
    assert "20会議目まで" not in page.locator("#search-status").inner_text()
    # The meeting the reader unfolded is the same element, still open.
    assert folded.count() == 1 and folded.get_attribute("open") is not None


def test_bad_queries_never_throw_nor_inject_markup(page, static_server, fixture_site):
    base = static_server(fixture_site)
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for query in BAD_QUERIES:
        _search(page, base, query)
        assert (errors, dialogs) == ([], []), query
        assert page.locator("main img, main script").count() == 0, query
        status = page.locator("#search-status").inner_text()
        assert status.strip(), query
        if "<" in query:
            # The query is shown as the text it is.
            assert query in status
        assert int(page.locator("#search-results").get_attribute("data-total")) == page.locator(HIT_LINKS).count(), query


def test_without_javascript_the_page_says_so(browser, static_server, fixture_site):
    base = static_server(fixture_site)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + "search/?q=GIGA")
        notice = page.locator(".search-notice")
        assert notice.is_visible()
        assert "JavaScript" in notice.inner_text()
    finally:
        context.close()


def test_bundled_meeting_answers_giga_school(page, static_server, tmp_path):
    """The archive shipped in content/ finds GIGAスクール and leads to the utterance."""
    seed = REPO / "content" / "joho-kokai" / "2022-02-14.md"
    mentions = unicodedata.normalize("NFKC", seed.read_text(encoding="utf-8")).count("GIGAスクール")
    if not mentions:
        pytest.skip(f"{seed.relative_to(REPO)} holds only the opening of the meeting so far: no GIGAスクール in it")
    build_site(REPO / "content", TEMPLATES, tmp_path / "site")
    base = static_server(tmp_path / "site", "/minutes/")
    page.goto(base)
    box = page.get_by_role("search").get_by_label("会議録を検索")
    box.fill("GIGAスクール")
    box.press("Enter")
    page.wait_for_selector(DONE, state="attached")
    assert int(page.locator("#search-results").get_attribute("data-total")) >= 1
    assert page.locator("#search-results > li h2").first.inner_text() == "令和３年度第７回 情報公開・個人情報保護審議会"
    link = page.locator(HIT_LINKS).first
    anchor = link.get_attribute("href").rsplit("#", 1)[1]
    link.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/minutes/joho-kokai/2022-02-14/"
    assert page.url.endswith("#" + anchor)
    assert "GIGA" in unicodedata.normalize("NFKC", page.locator(f"#{anchor}").inner_text())


def test_typing_fetches_the_vocabulary_before_the_query_is_sent(page, static_server, fixture_site):
    """The worker fetches the manifest and the lexicon files of the letters typed, but no shard yet."""
    base = static_server(fixture_site)
    _search(page, base)
    fetched: list[str] = []
    page.context.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    page.locator("#search-q").press_sequentially("端末", delay=50)
    page.wait_for_timeout(600)
    assert any("/search/lexicon/" in path for path in fetched), fetched
    assert not any("/search/shards/" in path for path in fetched), fetched
    page.locator("#search-q").press("Enter")
    page.wait_for_selector(DONE, state="attached")
    assert any("/search/shards/" in path for path in fetched), fetched
    assert page.locator(HIT_LINKS).count() > 0


def test_who_said_every_hit_is_fetched_only_for_the_speaker_filter(page, static_server, fixture_site):
    """A plain query fetches no speakers.json, yet every hit shown names its speaker; the list fills when the reader turns to it."""
    base = static_server(fixture_site)
    fetched: list[str] = []
    page.context.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    _search(page, base, "GIGAスクール")
    assert not any(path.endswith("/search/speakers.json") for path in fetched), fetched
    heads = page.locator("#search-results > li > ol .hit-speaker").all_inner_texts()
    assert len(heads) == page.locator("#search-results > li > ol .hit-link").count() and sorted(heads) == ["区側", "区側", "区側", "委員", "教育長"]
    speaker = page.get_by_label("発言者")
    assert speaker.locator("option").all_inner_texts() == ["すべての発言者"]
    speaker.hover()
    page.wait_for_function("document.querySelectorAll('#search-speaker option').length > 1")
    assert any(path.endswith("/search/speakers.json") for path in fetched), fetched
    # Each person with the number of hits they said; choosing one narrows the list to them.
    options = speaker.locator("option").all_inner_texts()
    assert options[0] == "すべての発言者" and options[1:] == ["区側 3件", "委員 1件", "教育長 1件"]
    speaker.select_option("区側")
    page.wait_for_function("new URLSearchParams(location.search).get('speaker') === '区側'")
    page.wait_for_selector(DONE, state="attached")
    assert set(page.locator("#search-results .hit-speaker").all_inner_texts()) == {"区側"}
    assert page.locator("#search-results").get_attribute("data-total") == "3"


SYNTAX_QUERIES = [
    "通信環境 OR 個人情報",
    "通信環境｜個人情報",
    "GIGAスクール -端末",
    "「GIGAスクールの端末」",
    '端末 -"GIGAスクール の 端末"',
    "台数 OR 通信環境 -「12番目」",
    "GIGAスクール or 通信環境",
]


@pytest.mark.parametrize("width", [1280, 360])
def test_query_syntax_finds_what_the_command_finds(browser, static_server, fixture_site, width):
    from generator.search.query import Searcher

    base = static_server(fixture_site)
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        _search(page, base, "")
        # The syntax is explained under the box, and fits a phone's width.
        help_text = page.locator("#search-help").inner_text()
        assert all(word in help_text for word in ("OR", "｜", "-", '"', "「"))
        assert page.locator("#search-help").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        searcher = Searcher.open(fixture_site)
        for query in SYNTAX_QUERIES:
            box = page.get_by_label("検索語")
            box.fill(query)
            box.press("Enter")
            page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=query)
            page.wait_for_selector(DONE, state="attached")
            expected = searcher.search(query, 0)
            hrefs = _hit_hrefs(page)
            assert sorted(href.removeprefix("../") for href in hrefs) == sorted(hit.url.lstrip("/") for hit in expected.hits), query
            assert page.locator("#search-results").get_attribute("data-total") == str(expected.total), query
            assert "記号は使わずに" not in page.locator("#search-status").inner_text(), query
    finally:
        context.close()


def _hit_hrefs(page) -> list[str]:
    """The hits' links in page order, without the ?hl= that carries the query to the meeting page."""
    return page.eval_on_selector_all(HIT_LINKS, "links => links.map(a => a.getAttribute('href').replace(/[?]hl=[^#]*/, ''))")


FILTER_URLS = [
    # (the page's parameters, the same as `minutes search` options)
    {"body": "kyoiku"}, {"speaker": "委員", "sort": "oldest"}, {"speaker": "区側"},
    {"from": "2021-04-01", "to": "2022-03-31", "sort": "newest"}, {"to": "2021-03-15", "sort": "oldest"},
    {"q": "GIGAスクール", "speaker": "区側"}, {"q": "GIGAスクール", "body": "joho", "sort": "oldest"},
    {"q": "端末", "from": "2022-02-14", "to": "2022-02-14"}, {"q": "GIGAスクール", "sort": "newest"},
    {"q": "GIGAスクール OR 通信環境", "from": "2021-06-01"},
]  # fmt: skip


@pytest.mark.parametrize("width", [1280, 360])
def test_filters_find_what_the_command_finds(browser, static_server, fixture_site, width):
    """Each filter, with and without words, and each sort: the page lists the command's hits."""
    import json as json_module
    from urllib.parse import urlencode

    from generator.search.command import run_search
    from generator.search.filters import make_filters

    base = static_server(fixture_site)
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        for params in FILTER_URLS:
            page.goto(base + "search/?" + urlencode(params))
            page.wait_for_selector(DONE, state="attached")
            while page.locator("#search-more").is_visible():
                page.locator("#search-more").click()
                page.wait_for_selector(DONE, state="attached")
            lines: list[str] = []
            filters = make_filters(params.get("body", ""), params.get("speaker", ""), params.get("from", ""), params.get("to", ""), params.get("sort", "relevance"))
            assert run_search(params.get("q", ""), fixture_site, True, 0, lambda text="", err=False: lines.append(text), filters) == 0
            expected = [hit["url"].lstrip("/") for hit in json_module.loads("\n".join(lines))["hits"]]
            shown = [href.removeprefix("../") for href in _hit_hrefs(page)]
            assert expected, params
            if params.get("sort") in ("newest", "oldest"):
                assert shown == expected, params
            else:
                assert sorted(shown) == sorted(expected), params
            assert page.locator("#search-results").get_attribute("data-total") == str(len(expected)), params
            assert f"{len(expected)}件" in page.locator("#search-status").inner_text(), params
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), params
        # Wrong input is a message in Japanese, never an error page.
        page.goto(base + "search/?" + urlencode({"q": "端末", "from": "2022-13-01"}))
        page.wait_for_function("document.querySelector('#search-status').textContent.includes('日付として読めません')")
        page.goto(base + "search/?" + urlencode({"body": "nowhere"}))
        page.wait_for_selector(DONE, state="attached")
        assert "条件に合う発言はありません" in page.locator("#search-status").inner_text()
    finally:
        context.close()


def test_a_phrase_marks_the_words_in_a_row_and_an_exclusion_nothing(page, static_server, fixture_site):
    base = static_server(fixture_site)
    _search(page, base, "「GIGAスクールの端末」 -持ち帰る")
    assert page.locator("#search-results").get_attribute("data-total") == "0"
    _search(page, base, "「GIGAスクールの端末」")
    assert page.locator("#search-results").get_attribute("data-total") == "2"
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks == ["GIGAスクールの端末", "GIGAスクールの端末"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"GIGAスクール', "引用符（\"や「）が閉じられていないため"),
        ("-端末", "「-」を付けた語だけでは探せないため"),
        ("OR 通信環境", "OR（または｜）の前か後ろに語がないため"),
    ],
)
def test_wrong_syntax_is_searched_as_plain_words_and_the_page_says_so(page, static_server, fixture_site, query, reason):
    from generator.search.query import Searcher

    base = static_server(fixture_site)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _search(page, base, query)
    status = page.locator("#search-status").inner_text()
    assert status.startswith(reason + "、記号は使わずに、すべての語を含む発言を探しました。"), status
    expected = Searcher.open(fixture_site).search(query, 0)
    assert expected.problem and expected.total > 0
    assert page.locator("#search-results").get_attribute("data-total") == str(expected.total)
    assert errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_back_from_a_hit_restores_the_results_pages_and_scroll(browser, static_server, fixture_site, width):
    """Two pages of results, scrolled, a hit clicked, Back: the same list at the same place."""
    base = static_server(fixture_site)
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        _search(page, base, "予算")
        page.get_by_label("並び順").select_option("oldest")
        page.wait_for_selector(DONE, state="attached")
        page.get_by_role("button", name="さらに3会議を表示").click()
        page.wait_for_selector(DONE, state="attached")
        before = _groups(page)
        assert len(before) == 23
        target = page.locator(HIT_LINKS).nth(21)
        target.scroll_into_view_if_needed()
        page.mouse.wheel(0, -200)
        page.wait_for_function("window.scrollY > 300")
        # The page notes where the reader is once the scrolling stops.
        page.wait_for_function("history.state && history.state.scroll === window.scrollY")
        scrolled = page.evaluate("window.scrollY")
        target.click()
        page.wait_for_url("**/yosan/**")
        page.go_back()
        page.wait_for_selector(DONE, state="attached")
        page.wait_for_function("document.querySelectorAll('#search-results .result-meeting a').length === 23")
        page.wait_for_function("y => Math.abs(window.scrollY - y) <= 3", arg=scrolled)
        assert _groups(page) == before
        assert page.get_by_label("検索語").input_value() == "予算"
        assert page.get_by_label("並び順").input_value() == "oldest"

        # Back again: the same query by relevance, its first page; Forward: oldest first again.
        page.go_back()
        page.wait_for_function("!new URLSearchParams(location.search).get('sort')")
        page.wait_for_selector(DONE, state="attached")
        assert page.get_by_label("並び順").input_value() == ""
        assert page.locator("#search-results .result-meeting a").count() == 20
        page.go_forward()
        page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'oldest'")
        page.wait_for_function("document.querySelectorAll('#search-results .result-meeting a').length === 23")
        assert _groups(page) == before
    finally:
        context.close()
