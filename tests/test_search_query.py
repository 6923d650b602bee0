"""The query algorithm in Python: what a resident typing into the search box gets back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.search.command import run_search
from generator.search.folding import fold
from generator.search.query import Searcher
from tests.search_corpus import BAD_QUERIES, REPO, built_site, sample_index, write_small_site

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_site(tmp_path_factory.mktemp("site"), "/")


@pytest.fixture(scope="module")
def searcher(site: Path) -> Searcher:
    return Searcher.open(site)


def numbers(searcher: Searcher, query: str) -> set[int]:
    """The utterance numbers (#sN) a query finds."""
    return {int(hit.url.rsplit("#s", 1)[1]) for hit in searcher.search(query, 0).hits}


def test_width_variants_find_each_other(searcher: Searcher) -> None:
    assert numbers(searcher, "GIGA") == numbers(searcher, "ＧＩＧＡ") == {1, 2}
    assert numbers(searcher, "ipad") == numbers(searcher, "ｉＰａｄ") == numbers(searcher, "IPAD") == {2, 15}


def test_spelling_variants_find_each_other(searcher: Searcher) -> None:
    assert numbers(searcher, "子供") == numbers(searcher, "子ども") == numbers(searcher, "こども") == {3, 4}
    assert numbers(searcher, "目黒区報") == numbers(searcher, "めぐろ区報") == {14}


def test_a_word_typed_in_kana_finds_it_written_in_kanji(searcher: Searcher) -> None:
    # しんさい is nowhere in the archive, but it is the reading of 震災 and of no other word.
    assert numbers(searcher, "しんさい") == numbers(searcher, "シンサイ") == numbers(searcher, "震災") == {5, 6}
    assert numbers(searcher, "ひがしにほんだいしんさい") == {5}
    # In katakana, a word the archive writes in hiragana: こども (#4) and, by its normalized form, 子ども (#3).
    assert numbers(searcher, "コドモ") == {3, 4}


def test_a_part_of_a_compound_finds_the_compound(searcher: Searcher) -> None:
    assert numbers(searcher, "大震災") == {5}
    assert numbers(searcher, "保険証") == {5}
    assert numbers(searcher, "震災") == {5, 6}


def test_a_word_typed_whole_must_stand_whole(searcher: Searcher) -> None:
    # 大 and 震災 both occur in #6, but not as 大震災.
    assert 6 not in numbers(searcher, "大震災")


def test_the_beginning_of_a_katakana_word_finds_it(searcher: Searcher) -> None:
    result = searcher.search("リオ")
    assert [hit.url for hit in result.hits] == ["/test/2022-02-14/#s13"]
    assert [result.hits[0].text[a:b] for a, b in result.hits[0].highlights] == ["リオデジャネイロ"]


def test_strings_inside_other_words_are_not_hits(searcher: Searcher) -> None:
    assert numbers(searcher, "京都") == {8}
    assert numbers(searcher, "本人") == {10}
    assert numbers(searcher, "分散") == {12}
    assert numbers(searcher, "散会") == {11}


def test_a_word_the_archive_does_not_hold_finds_nothing_rather_than_a_part(searcher: Searcher) -> None:
    # 北海道 is nowhere; its parts must not be searched for instead.
    result = searcher.search("北海道")
    assert (result.total, result.hits) == (0, [])


def test_every_word_of_a_query_must_be_in_the_same_utterance(searcher: Searcher) -> None:
    assert numbers(searcher, "端末 ipad") == {2}
    assert numbers(searcher, "端末 子ども") == set()


def test_words_that_stand_together_rank_first(searcher: Searcher) -> None:
    plain = searcher.search("端末 GIGA", 0)
    together = searcher.search("GIGA スクール", 0)
    assert [hit.url for hit in together.hits] == ["/test/2022-02-14/#s1", "/test/2022-02-14/#s2"]
    # Without the reward #2 would lead: it is shorter and holds スクール too.
    assert plain.hits[0].url.endswith("#s2") or together.hits[0].score > together.hits[1].score


def test_terms_report_what_the_query_became(searcher: Searcher) -> None:
    assert searcher.search("ＧＩＧＡスクール").terms == ["ギガ", "スクール"]
    assert searcher.search("東日本大震災").terms == ["東", "日本", "大", "震災"]
    assert searcher.search("LGWAN-ASP").terms == ["lgwan", "asp"]


def test_highlights_mark_the_matched_words_in_code_points(searcher: Searcher) -> None:
    (hit,) = searcher.search("激励").hits
    assert [hit.text[a:b] for a, b in hit.highlights] == ["激励"]
    (hit,) = searcher.search("東日本大震災").hits
    assert [hit.text[a:b] for a, b in hit.highlights] == ["東日本大震災"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_never_fails(searcher: Searcher, query: str) -> None:
    result = searcher.search(query, 0)
    assert result.total == len(result.hits)
    assert "*" not in "".join(result.terms)


def test_lunr_syntax_is_read_as_text(searcher: Searcher) -> None:
    assert numbers(searcher, "GIGA: 端末") == {1, 2}
    assert numbers(searcher, "ＧＩＧＡ^ 端末~") == {1, 2}
    assert numbers(searcher, "+GIGA 端末") == {1, 2}
    # `-` at a word's start excludes (the query syntax), not lunr's prohibited term: both GIGA speeches say 端末.
    assert numbers(searcher, "+GIGA -端末") == set()


def test_limit_counts_every_hit_and_zero_means_all(searcher: Searcher) -> None:
    everything = searcher.search("の", 0)
    first = searcher.search("の", 2)
    assert everything.total == first.total == len(everything.hits) > 2
    assert [hit.url for hit in first.hits] == [hit.url for hit in everything.hits[:2]]


def test_hits_carry_their_meeting_and_link_to_the_utterance(searcher: Searcher) -> None:
    (hit,) = searcher.search("京都").hits
    assert hit.to_json() == {
        "url": "/test/2022-02-14/#s8", "meeting": "第1回 テスト審議会", "body": "テスト審議会",
        "date": "2022-02-14", "speaker": "委員", "text": "京都府の例を紹介します。", "score": hit.score,
        "number": 8, "body_slug": "test",
    }  # fmt: skip


def test_the_command_prints_the_json_shape(site: Path) -> None:
    lines: list[str] = []
    status = run_search("ＧＩＧＡ", site, as_json=True, limit=1, echo=lambda text="", err=False: lines.append(text))
    assert status == 0
    printed = json.loads("\n".join(lines))
    assert list(printed) == ["query", "terms", "total", "hits"]
    assert (printed["query"], printed["terms"], printed["total"]) == ("ＧＩＧＡ", ["ギガ"], 2)
    # Today's keys first, unchanged; new keys are added after them.
    assert list(printed["hits"][0])[:7] == ["url", "meeting", "body", "date", "speaker", "text", "score"]


def test_the_command_shows_hits_with_marked_words(site: Path) -> None:
    lines: list[str] = []
    assert run_search("京都", site, as_json=False, limit=20, echo=lambda text="", err=False: lines.append(text)) == 0
    output = "\n".join(lines)
    assert "1 hits for '京都'" in output
    assert "/test/2022-02-14/#s8" in output and "【京都府】の例" in output


def test_the_command_says_when_there_is_no_index(tmp_path: Path) -> None:
    errors: list[str] = []
    status = run_search("京都", tmp_path, as_json=True, limit=20, echo=lambda text="", err=False: errors.append(text))
    assert status == 1
    assert "no search index" in errors[0] and "minutes build" in errors[0]


def load_devset() -> list[dict]:
    return json.loads((REPO / "tests" / "search_devset.json").read_text(encoding="utf-8"))["queries"]


def evaluate(searcher: Searcher, texts: list[str], entry: dict) -> tuple[float, float, set[str]]:
    """Recall and precision of one devset query; expected refs come from its regular expressions."""
    patterns = [re.compile(pattern) for pattern in entry["expect"]]
    expected = {str(ref) for ref, text in enumerate(texts) if all(p.search(text) for p in patterns)}
    found = {hit.ref for hit in searcher.search(entry["query"], 0).hits}
    recall = len(expected & found) / len(expected) if expected else 1.0
    precision = len(expected & found) / len(found) if found else 1.0
    return recall, precision, expected


@pytest.mark.corpus
def test_development_set_recall_and_precision(corpus: Path) -> None:
    searcher = Searcher.open(built_site())
    texts = [fold(doc.text) for doc in sample_index().documents]
    entries = load_devset()
    assert {"topic", "width", "spelling", "compound", "katakana", "and", "trap"} <= {e["kind"] for e in entries}
    scores = []
    for entry in entries:
        recall, precision, expected = evaluate(searcher, texts, entry)
        assert expected, f"{entry['query']}: no utterance of the sample matches its rule"
        if entry["kind"] == "trap":
            word = fold(entry["query"])
            assert any(word in text for i, text in enumerate(texts) if str(i) not in expected), (
                f"{entry['query']}: the sample holds no utterance where the string is not the word"
            )
        scores.append((entry["query"], recall, precision))
    mean_recall = sum(s[1] for s in scores) / len(scores)
    mean_precision = sum(s[2] for s in scores) / len(scores)
    worst = sorted(scores, key=lambda s: s[1] + s[2])[:3]
    assert mean_recall >= 0.98 and mean_precision >= 0.97, f"recall {mean_recall:.3f}, precision {mean_precision:.3f}; worst {worst}"


@pytest.mark.corpus
def test_kyoto_never_returns_utterances_that_only_say_tokyo_to(corpus: Path) -> None:
    site = built_site()
    hits = Searcher.open(site).search("京都", 0).hits
    assert hits
    assert all(re.search("(?<!東)京都", fold(hit.text)) for hit in hits)


# ---- the query syntax: OR, -exclusion, phrases; wrong syntax falls back to plain words ----


def test_or_and_the_bar_find_either_word(searcher: Searcher) -> None:
    assert numbers(searcher, "京都") == {8} and numbers(searcher, "散会") == {11}
    assert numbers(searcher, "京都 OR 散会") == numbers(searcher, "京都｜散会") == numbers(searcher, "京都|散会") == {8, 11}
    assert numbers(searcher, "京都\u3000OR\u3000散会") == {8, 11}
    # OR binds tighter than the space: (子ども or 震災) and 教訓, wherever the OR stands.
    assert numbers(searcher, "子ども OR 震災 教訓") == {5}
    assert numbers(searcher, "教訓 子ども OR 震災") == {5}


def test_or_is_an_operator_only_as_uppercase_ascii_standing_alone(searcher: Searcher) -> None:
    for query in ["京都 or 散会", "京都 ＯＲ 散会", "京都OR散会", "京都 Or 散会"]:
        # Read as words: the archive never says "or", so nothing is found, and nothing is wrong.
        result = searcher.search(query, 0)
        assert (result.total, result.problem) == (0, None), query


def test_a_minus_at_the_start_of_a_word_excludes_it(searcher: Searcher) -> None:
    assert numbers(searcher, "端末") == {1, 2}
    assert numbers(searcher, "端末 -ipad") == numbers(searcher, "端末 -ｉＰａｄ") == numbers(searcher, "端末 －iPad") == {1}
    assert numbers(searcher, "子ども OR 震災 -大震災") == {3, 4, 6}
    result = searcher.search("端末 -ipad", 0)
    assert (result.terms, result.excluded) == (["端末"], ["ipad"])
    # A word the archive does not hold excludes nothing.
    assert numbers(searcher, "端末 -北海道") == {1, 2}


def test_a_minus_inside_a_word_is_part_of_the_word(searcher: Searcher) -> None:
    assert numbers(searcher, "LGWAN-ASP") == numbers(searcher, "ＬＧＷＡＮ－ＡＳＰ") == {14}
    assert searcher.search("ＬＧＷＡＮ－ＡＳＰ").excluded == []


def test_a_phrase_needs_its_words_in_a_row_and_in_order(searcher: Searcher) -> None:
    assert numbers(searcher, "震災 東日本") == {5}
    assert numbers(searcher, '"東日本 大震災"') == numbers(searcher, "「東日本大震災」") == {5}
    assert numbers(searcher, '"震災 東日本"') == set()
    # #1 says ＧＩＧＡスクール構想の端末, #2 GIGAの端末: only #2 has them in a row.
    assert numbers(searcher, "GIGA 端末") == {1, 2}
    assert numbers(searcher, '"GIGA の 端末"') == numbers(searcher, "「GIGAの端末」") == numbers(searcher, "＂GIGAの端末＂") == {2}
    assert numbers(searcher, '"GIGA 端末"') == set()
    assert numbers(searcher, '端末 -"GIGA の 端末"') == {1}
    assert numbers(searcher, "「東日本大震災」 OR 「京都府」") == {5, 8}


def test_a_phrase_is_never_a_mere_beginning(searcher: Searcher) -> None:
    assert numbers(searcher, "リオ") == {13}
    assert numbers(searcher, "「リオ」") == set()
    assert numbers(searcher, "「リオデジャネイロ」") == {13}


@pytest.mark.parametrize(
    ("query", "problem", "plain"),
    [
        ('"GIGA', "unclosed-quote", "GIGA"),
        ("「東日本 大震災", "unclosed-quote", "東日本 大震災"),
        ("-端末", "only-excluded", "端末"),
        ("OR 京都", "misplaced-or", "京都"),
        ("京都 OR", "misplaced-or", "京都"),
        ("京都 OR OR 散会", "misplaced-or", "京都 散会"),
        ("京都｜｜散会", "misplaced-or", "京都 散会"),
        ("端末 OR -ipad", "excluded-or", "端末 ipad"),
        ('京都 ""', "empty-quote", "京都"),
        ("京都 「、」", "empty-quote", "京都 、"),
    ],
)
def test_wrong_syntax_searches_the_plain_words_and_says_so(searcher: Searcher, query: str, problem: str, plain: str) -> None:
    result = searcher.search(query, 0)
    assert result.problem == problem
    assert [hit.ref for hit in result.hits] == [hit.ref for hit in searcher.search(plain, 0).hits]
    assert searcher.search(plain, 0).problem is None


def test_the_command_says_when_it_read_the_query_as_plain_words(site: Path) -> None:
    out: list[str] = []
    errors: list[str] = []

    def echo(text: str = "", err: bool = False) -> None:
        (errors if err else out).append(text)

    assert run_search('"GIGA', site, as_json=True, limit=20, echo=echo) == 0
    assert errors == ["note: a quotation mark is not closed: searched for the plain words instead"]
    printed = json.loads("\n".join(out))
    assert list(printed) == ["query", "terms", "total", "hits"] and printed["total"] == 2
    out.clear()
    errors.clear()
    assert run_search("端末 -ipad", site, as_json=False, limit=20, echo=echo) == 0
    assert errors == [] and out[0] == "1 hits for '端末 -ipad' (terms: 端末; excluding: ipad)"


def test_the_command_filters_without_a_keyword_and_says_what_is_wrong(site: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    runner = CliRunner()
    listed = runner.invoke(main, ["search", "--site", str(site), "--speaker", "委員", "--sort", "oldest", "--json", "--limit", "0"])
    assert listed.exit_code == 0, listed.output
    hits = json.loads(listed.output)["hits"]
    assert hits and {hit["speaker"] for hit in hits} == {"委員"}
    assert [hit["number"] for hit in hits] == sorted(hit["number"] for hit in hits)
    ranged = runner.invoke(main, ["search", "--site", str(site), "--from", "2022-02-15", "--json"])
    assert ranged.exit_code == 0 and json.loads(ranged.output)["total"] == 0
    for arguments, message in [
        (["--body", "nowhere"], "--body 'nowhere' is no body of this site; its bodies are: test"),
        (["京都", "--from", "2022-13-01"], "--from must be a date as YYYY-MM-DD"),
        (["--from", "2022-03-01", "--to", "2022-02-01"], "is after --to"),
        ([], "give a QUERY, a filter"),
    ]:
        result = runner.invoke(main, ["search", "--site", str(site), *arguments])
        assert result.exit_code == 2, arguments
        assert message in result.output and "Traceback" not in result.output, result.output
