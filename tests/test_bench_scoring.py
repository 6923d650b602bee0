"""The search benchmark scores both engines the way its docstrings say."""

from __future__ import annotations

from benchmarks.pagefind_peer import result_utterances
from benchmarks.quality import DevQuery, StoredUtterance, expected_urls, score


def test_pagefind_matches_map_to_the_utterance_they_stand_in() -> None:
    result = {
        "url": "/tokyo-bank/2009-09-25/",
        # s1 holds words 0-11, s2 words 12-29, s10 words 30 onwards: anchors come in any order.
        "anchors": [["s2", 12], ["s10", 30], ["s1", 0]],
        "locations": [3, 12, 40],
    }
    other = {"url": "/kokkai-03815/2024-10-09/", "anchors": [["s1", 0], ["s2", 7]], "locations": [6]}
    assert result_utterances([result, other]) == {
        "/tokyo-bank/2009-09-25/#s1",
        "/tokyo-bank/2009-09-25/#s2",
        "/tokyo-bank/2009-09-25/#s10",
        "/kokkai-03815/2024-10-09/#s1",
    }


def test_expected_utterances_match_every_pattern_on_folded_speech() -> None:
    query = DevQuery("and", "ipad 端末", ("ipad", "端末"))
    utterances = [
        StoredUtterance("/a/2020-01-01/#s1", "ｉＰａｄの端末を配ります。"),
        StoredUtterance("/a/2020-01-01/#s2", "iPadを配ります。"),
        StoredUtterance("/a/2020-01-01/#s3", "端末を配ります。"),
    ]
    assert expected_urls(query, utterances) == {"/a/2020-01-01/#s1"}


def test_recall_and_precision_of_empty_answers() -> None:
    trap = DevQuery("trap", "京都", ("(?<!東)京都",))
    assert (score(trap, set(), set()).recall, score(trap, set(), set()).precision) == (1.0, 1.0)
    wrong = score(trap, set(), {"/a/#s1"})
    assert (wrong.recall, wrong.precision, wrong.wrong) == (1.0, 0.0, ("/a/#s1",))
    missed = score(trap, {"/a/#s1", "/a/#s2"}, {"/a/#s2", "/a/#s3"})
    assert (missed.recall, missed.precision, missed.missed) == (0.5, 0.5, ("/a/#s1",))
    assert score(trap, {"/a/#s1"}, set()).recall == 0.0
