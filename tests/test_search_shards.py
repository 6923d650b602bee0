"""The sharded search files answer as one unsharded lunr index over the same content would.

The build cuts lunr.py's whole index into shards (generator/search/shards.py) and the browser
engine recombines the shards' lunr.js scores; here both are held to lunr.js over the unsharded
index: the same documents and scores (to 1e-9) for every query, and to the Python search over
the unsharded index: the same hits in the same order. The shard sizes are made tiny too, so that
every term is a shard of its own and every query and prefix crosses shards.
"""

from __future__ import annotations

import dataclasses

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search.query import Searcher
from generator.search.shards import SHARDS_DIR, ShardSizes, _json, _json_size, write_search_files
from tests.search_corpus import BAD_QUERIES, REPO, run_engine, run_node, sample_index
from tests.test_search_parity import CORPUS_QUERIES

TINY = ShardSizes(lexicon=1, shard=1, text=1)
"""Every first character, term and utterance in a file of its own."""


def queries() -> list[str]:
    devset = json.loads((REPO / "tests" / "search_devset.json").read_text(encoding="utf-8"))["queries"]
    return [entry["query"] for entry in devset] + CORPUS_QUERIES + BAD_QUERIES


def sharded_site(tmp_path: Path, sizes: ShardSizes) -> Path:
    write_search_files(sample_index(), tmp_path / "search", sizes)
    (tmp_path / "unsharded.json").write_text(json.dumps(sample_index().lunr, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def compare(site: Path, asked: list[str]) -> list[dict]:
    return run_node("shard_equality_runner.js", [str(site / "search"), str(site / "unsharded.json")], asked)


@pytest.mark.corpus
@pytest.mark.parametrize("sizes", [ShardSizes(), TINY], ids=["default sizes", "one term a shard"])
def test_sharded_scores_equal_one_unsharded_lunr_index(corpus: Path, tmp_path: Path, sizes: ShardSizes) -> None:
    site = sharded_site(tmp_path, sizes)
    asked = queries()
    assert len(asked) >= 50
    answered = 0
    for result in compare(site, asked):
        sharded = dict(result["sharded"])
        unsharded = dict(result["unsharded"])
        assert sharded.keys() == unsharded.keys(), result["query"]
        for ref, score in unsharded.items():
            assert abs(sharded[ref] - score) <= 1e-9, (result["query"], ref)
        answered += bool(unsharded)
    # The comparison means something only if most queries find documents.
    assert answered >= 50


@pytest.mark.corpus
def test_sharded_hits_come_in_the_order_of_the_unsharded_index(corpus: Path, tmp_path: Path) -> None:
    site = sharded_site(tmp_path, TINY)
    asked = queries()
    whole = Searcher.from_index(sample_index())
    from_files = Searcher.open(site)
    for query, browser in zip(asked, run_engine(site, asked), strict=True):
        expected = whole.search(query, 0)
        assert "error" not in browser, browser.get("error")
        assert [hit["ref"] for hit in browser["hits"]] == [hit.ref for hit in expected.hits], query
        for theirs, mine in zip(browser["hits"], expected.hits, strict=True):
            assert abs(theirs["score"] - mine.score) <= 1e-9, (query, mine.url)
        # Python adds a shard's terms to its dot products in the order it read them, one index
        # in first-use order: the same sums, the last bits of which may differ.
        found = from_files.search(query, 0)
        assert [hit.ref for hit in found.hits] == [hit.ref for hit in expected.hits], query
        for theirs, mine in zip(found.hits, expected.hits, strict=True):
            assert abs(theirs.score - mine.score) <= 1e-9, (query, mine.url)
        assert [dataclasses.replace(hit, score=0) for hit in found.hits] == [dataclasses.replace(hit, score=0) for hit in expected.hits]
        assert dataclasses.replace(found, hits=[]) == dataclasses.replace(expected, hits=[]), query


@pytest.mark.corpus
def test_a_query_fetches_only_the_shards_of_its_terms(corpus: Path, tmp_path: Path) -> None:
    site = sharded_site(tmp_path, ShardSizes())
    shards = len(list((site / "search" / SHARDS_DIR).iterdir()))
    assert shards >= 10
    for result in compare(site, ["震災", "GIGAスクール", "オリンピック パラリンピック"]):
        fetched = [name for name in result["fetched"] if name.startswith(SHARDS_DIR + "/")]
        # One shard per term at most; a prefix may reach into the next shard.
        assert 1 <= len(fetched) <= len(result["terms"]) + 1, result
        assert not any(name.startswith("text/") for name in result["fetched"]), "texts are fetched for hits shown only"


# Strings as a lexicon holds them, and the few that JSON writes otherwise (quotes, backslashes,
# control characters), so both the counted and the made size are exercised.
_LEXICON_TEXT = st.text(alphabet=st.sampled_from(list("子供こどもめぐろＧＩＧＡgiga𠮟😀1") + ['"', "\\", "\n", "\x00"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(terms=st.lists(_LEXICON_TEXT, max_size=8), words=st.dictionaries(_LEXICON_TEXT, st.lists(_LEXICON_TEXT, max_size=4), max_size=6))
def test_a_lexicon_character_is_sized_as_its_json_is_long(terms: list[str], words: dict[str, list[str]]) -> None:
    """Lexicon files are cut where the characters' JSON sizes say: counted, not made, they must be the same."""
    assert _json_size(terms, words) == len(_json((terms, words)))
