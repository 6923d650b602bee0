"""The browser engine (search-engine.js on lunr.js, run in Node) and `minutes search` agree.

Same reading of the query syntax, same terms, same hits in the same order, same scores (to 1e-9)
and the same highlights (the browser's in UTF-16 units, Python's in code points) on every query.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from generator.search.filters import Filters, speaker_filter_key
from generator.search.query import SearchHit, Searcher
from generator.search.syntax import parse_query
from tests.search_corpus import BAD_QUERIES, REPO, built_site, run_engine, run_node, write_small_site

CORPUS_QUERIES = [
    # Queries of every kind over the bundled meeting and the corpus slice; the devset adds more.
    "オンライン 会議", "区側", "会長 あいさつ", "諮問", "東日", "令和", "の", "委員会", "ＤＸ", "dx",
    "情報公開・個人情報保護審議会", "感染症対策", "投票", "賛成", "不信任", "石破", "額賀", "復興 東北",
    "オリンピック パラリンピック", "東京 招致", "二〇二〇", "2020", "〇", "こども家庭庁", "保険証 廃止",
    "ＧＩＧＡ スクール", "スクール ＧＩＧＡ", "個人 情報 保護", "子ども 子供", "区報 めぐろ",
]  # fmt: skip

SYNTAX_QUERIES = [
    # Each operator alone and together, as typed with an IME (full-width space, ｜, －, 「」) or
    # not, and every kind of wrong syntax; the small site's texts.
    "京都 OR 散会", "京都｜散会", "京都|散会", "京都\u3000OR\u3000散会", "子ども OR 震災 教訓", "教訓 子ども OR 震災",
    "京都 or 散会", "京都 ＯＲ 散会", "京都OR散会", "端末 -ipad", "端末 －ｉＰａｄ", "子ども OR 震災 -大震災",
    "端末 -北海道", "LGWAN-ASP", "ＬＧＷＡＮ－ＡＳＰ", '"東日本 大震災"', "「東日本大震災」", '"震災 東日本"',
    '"GIGA の 端末"', "「GIGAの端末」", "＂GIGAの端末＂", "“GIGAの端末”", '"GIGA 端末"', '端末 -"GIGA の 端末"',
    "端末 -「GIGAの端末」", "「東日本大震災」 OR 「京都府」", "「リオ」", "リオ OR 京都", "京都 OR リオ", "GIGA スクール OR 端末",
    "端末 OR スクール GIGA", "条例「個人情報」", "「A」-B", '"GIGA', "「東日本 大震災", "-端末", "OR 京都", "京都 OR",
    "京都 OR OR 散会", "京都｜｜散会", "端末 OR -ipad", '京都 ""', "京都 「、」", "-", "--端末", "-OR 京都", "京都 -OR",
    "OR", "｜", '""', "「」", "-「", "京都 -「散会", "京都 」", "京都 ORスクール", "*京都* OR *散会*",
]  # fmt: skip

CORPUS_SYNTAX_QUERIES = [
    # Residents' and journalists' questions over the corpus, each operator at least once.
    "個人情報 OR 端末", "オリンピック OR パラリンピック 招致", "感染症 -オリンピック", "「東日本大震災」", '"東京 招致"',
    "保険証 廃止 -マイナンバー", "復興 OR 再建 東北 -オリンピック", "「こども家庭庁」 OR 子ども食堂", "石破｜額賀",
    "\u201c情報公開\u201d", "委員会 -委員長", "「ＧＩＧＡスクール」", '"個人 情報 保護" OR 個人情報保護',
]  # fmt: skip


def utf16(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Code point spans of `text` as UTF-16 unit spans."""
    return [[len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2] for start, end in spans]


def python_view(hit: SearchHit) -> dict:
    return {
        "ref": hit.ref, "url": hit.url, "meeting_index": hit.meeting_index, "number": hit.number,
        "meeting": hit.meeting, "body": hit.body, "body_slug": hit.body_slug,
        "date": hit.date, "fiscal_year": hit.fiscal_year, "item": hit.item, "speaker": hit.speaker,
        "text": len(hit.text.encode("utf-16-le")) // 2, "highlights": utf16(hit.text, hit.highlights),
        "who": hit.who,
    }  # fmt: skip


def assert_same(site: Path, queries: list[str], filters: list[Filters] | None = None) -> None:
    """Both engines give the same answer to each query (with the filters of the same position, if given)."""
    searcher = Searcher.open(site)
    given = filters or [Filters()] * len(queries)
    asked: list = queries if filters is None else [{"query": q, "filters": page_filters(f)} for q, f in zip(queries, given, strict=True)]
    for query, wanted, browser in zip(queries, given, run_engine(site, asked), strict=True):
        assert "error" not in browser, f"{query!r}: the browser engine threw {browser.get('error')}"
        assert browser.pop("parsed") == dataclasses.asdict(parse_query(query)), query
        python = searcher.search(query, 0, wanted)
        assert browser["terms"] == python.terms, query
        assert browser["problem"] == python.problem, query
        assert browser["total"] == python.total == len(browser["hits"]), query
        assert [h["ref"] for h in browser["hits"]] == [h.ref for h in python.hits], (query, wanted)
        for mine, theirs in zip(python.hits, browser["hits"], strict=True):
            assert abs(theirs.pop("score") - mine.score) <= 1e-9, (query, mine.url)
            assert theirs == python_view(mine), (query, mine.url)


def page_filters(filters: Filters) -> dict:
    """The filters as the search page hands them to the engine (its URL's parameters)."""
    return {"body": filters.body, "speaker": filters.speaker, "from": filters.date_from, "to": filters.date_to, "sort": filters.sort}


# Each filter alone, with and without words, and each sort: (query, filters) over the corpus slice.
CORPUS_FILTER_CASES = [
    ("委員会", Filters(body="kokkai")), ("委員会", Filters(body="tokyo-olympic", sort="oldest")),
    ("委員会", Filters(body="nowhere")), ("", Filters(body="meguro")), ("", Filters(body="joho-kokai", sort="oldest")),
    ("", Filters(speaker="石破茂")), ("", Filters(speaker="石破　茂", sort="newest")), ("", Filters(speaker="石破 茂", sort="oldest")),
    ("", Filters(speaker="内閣総理大臣（石破茂君）")), ("", Filters(speaker="会長")), ("", Filters(speaker="区側", sort="oldest")),
    ("", Filters(speaker="山口")), ("オリンピック", Filters(speaker="山口", sort="newest")), ("", Filters(speaker="ｄｘ")),
    ("", Filters(date_from="2024-10-07", date_to="2024-10-08")), ("", Filters(date_from="2024-10-09")),
    ("", Filters(date_to="2012-02-06", sort="oldest")), ("東京", Filters(date_from="2012-01-01", date_to="2012-12-31")),
    ("東京", Filters(date_from="2012-02-06", date_to="2012-02-06", sort="newest")), ("東京", Filters(date_from="2030-01-01")),
    ("東京", Filters(sort="newest")), ("東京", Filters(sort="oldest")), ("東京", Filters()), ("", Filters()),
    ("東京 OR 京都 -オリンピック", Filters(body="tokyo-olympic", sort="newest")),
    ("「東日本大震災」", Filters(speaker="石破茂", date_from="2024-10-01", date_to="2024-10-31", sort="oldest")),
    ("-端末", Filters(body="kokkai")), ("*", Filters(speaker="会長")), ("", Filters(speaker="<script>")),
]  # fmt: skip


def test_filters_and_sorts_agree_on_a_small_site(tmp_path: Path) -> None:
    site = write_small_site(tmp_path, "/")
    cases = [
        ("京都", Filters(speaker="委員")), ("", Filters(speaker="委員")), ("", Filters(speaker="ＯＲ")),
        ("", Filters(body="test", sort="oldest")), ("", Filters(body="test")), ("京都", Filters(body="other")),
        ("", Filters(date_from="2022-02-14", date_to="2022-02-14")), ("", Filters(date_from="2022-02-15")),
        ("", Filters(date_to="2022-02-13")), ("子ども", Filters(sort="newest")), ("子ども", Filters(sort="oldest")),
    ]  # fmt: skip
    assert_same(site, [q for q, _ in cases], [f for _, f in cases])


def test_both_engines_key_speakers_alike() -> None:
    values = ["石破　茂", " 石破 茂 ", "ＤＸ", "内閣総理大臣（石破茂君）", "会長", "ｶｲﾁｮｳ", "①", "𠮟", "a\tb"]
    assert run_node("search_engine_runner.js", ["--speaker-key"], values) == [speaker_filter_key(v) for v in values]


@pytest.mark.corpus
def test_filters_and_sorts_agree_on_the_corpus(corpus: Path) -> None:
    site = built_site()
    assert_same(site, [q for q, _ in CORPUS_FILTER_CASES], [f for _, f in CORPUS_FILTER_CASES])
    searcher = Searcher.open(site)
    # What a user would notice: one member's every utterance, newest first; the range's ends kept.
    ishiba = searcher.search("", 0, Filters(speaker="石破　茂", sort="newest"))
    assert ishiba.total == 40 and {hit.who for hit in ishiba.hits} == {"石破茂"}
    dates = [hit.date for hit in ishiba.hits]
    assert dates == sorted(dates, reverse=True)
    ranged = searcher.search("", 0, Filters(date_from="2024-10-07", date_to="2024-10-08"))
    assert {hit.date for hit in ranged.hits} == {"2024-10-07", "2024-10-08"}


def test_parity_on_a_small_site_with_astral_characters(tmp_path: Path) -> None:
    site = write_small_site(tmp_path, "/minutes/")
    queries = ["𠮟", "激励", "𠮟咤激励", "ｉＰａｄ", "GIGA スクール", "リオ", "京都", "子ども", "大震災", "しんさい", "シンサイ", "コドモ", *SYNTAX_QUERIES, *BAD_QUERIES]
    assert_same(site, queries)


SYNTAX_PIECES = ["端末", "OR", "or", "-", "－", '"', "＂", "“", "”", "「", "」", "|", "｜", " ", "\u3000", "*", "a-b", "¨"]


def test_both_engines_read_the_syntax_alike() -> None:
    """Every query of up to four pieces of syntax and words is read the same by both engines."""
    queries = ["".join(pieces) for size in range(1, 5) for pieces in itertools.product(SYNTAX_PIECES, repeat=size)]
    assert len(queries) > 100_000
    browser = run_node("search_engine_runner.js", ["--parse"], queries)
    python = [dataclasses.asdict(parse_query(query)) for query in queries]
    mismatches = [(query, b, p) for query, b, p in zip(queries, browser, python, strict=True) if b != p]
    assert not mismatches, mismatches[:3]


@pytest.mark.corpus
def test_parity_on_the_bundled_meeting_and_corpus(corpus: Path) -> None:
    devset = json.loads((REPO / "tests" / "search_devset.json").read_text(encoding="utf-8"))["queries"]
    queries = [entry["query"] for entry in devset] + CORPUS_QUERIES + CORPUS_SYNTAX_QUERIES + SYNTAX_QUERIES + BAD_QUERIES
    assert len(queries) >= 30
    assert_same(built_site(), queries)
