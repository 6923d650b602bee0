"""The search index files a build writes: lunr.js loads them, hits link and display right."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.models import AgendaItem, Body
from generator.search.index import build_search_index, utf16_order, write_search_index
from generator.search.shards import (
    LEXICON_DIR, MANIFEST_FILE, SHARDS_DIR, TEXT_DIR, ShardSizes, _posting_json, _posting_size, write_search_files,
)  # fmt: skip
from tests.search_corpus import REPO, archive, make_meeting, run_engine

SPEECHES = [
    ("会長", "ただいまより審議会を開催いたします。"),
    ("区側", "ＧＩＧＡスクール構想の端末、ｉＰａｄについてご説明します。"),
    # Astral (𠮟), compatibility (﨑, kept by NFKC) and other terms together: in the code point
    # order lunr.py writes, lunr.js throws "Out of order word insertion".
    ("委員", "﨑委員から𠮟責がありました。こどもの安全と東日本大震災の教訓です。"),
    ("区側", "公園での講演会を予定しております。"),
]


def small_archive():
    meeting = make_meeting("joho-kokai", "2022-02-14", "令和３年度第７回 審議会", dt.date(2022, 2, 14), SPEECHES)
    item = AgendaItem(id="item-1", level=2, title="１ 諮問事項", line=1)
    meeting.record.insert(1, item)
    for utterance in meeting.utterances[1:]:
        utterance.item_id = "item-1"
    return archive(Body(slug="joho-kokai", title="情報公開・個人情報保護審議会", meetings=[meeting]))


def load_in_lunr_js(search_dir: Path) -> list[int]:
    """Load every shard with lunr.js 2.3.9 in Node; returns each one's number of documents."""
    node = shutil.which("node")
    assert node, "node is missing"
    script = (
        "const lunr = require(process.argv[1]);"
        "const fs = require('fs');"
        "const counts = process.argv.slice(2).map((file) =>"
        "  Object.keys(lunr.Index.load(JSON.parse(fs.readFileSync(file, 'utf8'))).fieldVectors).length);"
        "console.log(JSON.stringify(counts));"
    )
    shards = sorted((search_dir / SHARDS_DIR).glob("*.json"), key=lambda path: int(path.stem))
    completed = subprocess.run(
        [node, "-e", script, str(REPO / "node_modules" / "lunr"), *map(str, shards)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_search_index(build_search_index(small_archive(), "/minutes/"), out)
    return out


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same index cut into a shard per term: the small archive fits in one shard otherwise."""
    out = tmp_path_factory.mktemp("sharded")
    write_search_files(build_search_index(small_archive(), "/minutes/"), out / "search", ShardSizes(shard=1))
    return out


def read(site: Path, name: str) -> dict:
    return json.loads((site / "search" / name).read_text(encoding="utf-8"))


def numbered(site: Path, folder: str) -> list:
    """The files of `site/search/<folder>/`, parsed, in the order of their numbers."""
    return [read(site, f"{folder}/{number}.json") for number in range(len(list((site / "search" / folder).iterdir())))]


def postings(site: Path) -> dict[str, dict]:
    return {term: posting for shard in numbered(site, SHARDS_DIR) for term, posting in shard["invertedIndex"]}


@pytest.mark.parametrize("layout", ["site", "sharded"])
def test_lunr_js_loads_every_shard_of_an_index_with_astral_and_compatibility_kanji(
    layout: str, request: pytest.FixtureRequest
) -> None:
    site = request.getfixturevalue(layout)
    counts = load_in_lunr_js(site / "search")
    assert len(counts) == len(read(site, MANIFEST_FILE)["shards"])
    # Every shard holds documents; all of them together, each of the four utterances.
    assert all(counts) and sum(counts) >= 4
    if layout == "site":
        assert counts == [4]


def test_terms_are_in_utf16_order_within_and_across_shards(sharded: Path) -> None:
    terms = [term for shard in numbered(sharded, SHARDS_DIR) for term, _ in shard["invertedIndex"]]
    assert {"𠮟", "﨑"} <= set(terms)
    assert terms == sorted(terms, key=utf16_order)
    assert terms != sorted(terms), "the sample must hold terms whose two orders differ"
    starts = read(sharded, MANIFEST_FILE)["shards"]
    assert starts == [shard["invertedIndex"][0][0] for shard in numbered(sharded, SHARDS_DIR)]


def test_the_manifest_and_text_files_hold_what_a_hit_shows(site: Path) -> None:
    manifest = read(site, MANIFEST_FILE)
    (meeting,) = manifest["meetings"]
    assert meeting == {
        "title": "令和３年度第７回 審議会", "date": "2022-02-14", "body": "情報公開・個人情報保護審議会",
        "body_slug": "joho-kokai", "fiscal_year": 2021, "url": "/minutes/joho-kokai/2022-02-14/",
        "items": ["１ 諮問事項"], "speakers": ["会長", "区側", "委員"], "said": [0, 1, 2, 1],
    }  # fmt: skip
    texts = [doc for chunk in numbered(site, TEXT_DIR) for doc in chunk]
    assert texts == [[None, SPEECHES[0][1]], [0, SPEECHES[1][1]], [0, SPEECHES[2][1]], [0, SPEECHES[3][1]]]
    assert sum(manifest["texts"]) == manifest["documents"] == 4


def test_postings_record_where_each_term_stands(site: Path) -> None:
    found = postings(site)
    text = SPEECHES[2][1]
    start, length = found["𠮟"]["text"]["2"]["p"]
    assert text[start : start + length] == "𠮟"
    # The normalized form stands where the word is written: 子供 at こども.
    start, length = found["子供"]["text"]["2"]["p"]
    assert text[start : start + length] == "こども"
    # Sub-units of a compound stand inside it.
    start, length = found["震災"]["text"]["2"]["p"]
    assert text[start - 4 : start + length] == "東日本大震災"


def test_postings_count_the_punctuation_before_a_term(site: Path) -> None:
    """ｉＰａｄ follows 「、」: the browser learns that 端末 and ｉＰａｄ stand in a row without the text."""
    found = postings(site)
    assert found["ipad"]["text"]["1"]["g"] == [0, 1]
    assert "g" not in found["スクール"]["text"]["1"]


def test_the_lexicon_leads_a_typed_word_to_the_indexed_terms(site: Path) -> None:
    words: dict[str, list[str]] = {}
    for lexicon in numbered(site, LEXICON_DIR):
        words.update(lexicon["words"])
    assert words["こども"] == ["子供"]
    assert words["giga"] == ["ギガ"]
    assert words["東日本大震災"] == ["東", "日本", "大", "震災"]
    assert "京都" not in words
    # A reading leads to its word, unless two words share it (公園 and 講演 are both こうえん).
    assert words["しんさい"] == ["震災"]
    assert "こうえん" not in words


def files(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in (site / "search").rglob("*") if path.is_file()}


def test_building_twice_writes_the_same_bytes(tmp_path: Path, site: Path) -> None:
    write_search_index(build_search_index(small_archive(), "/minutes/"), tmp_path)
    assert files(tmp_path) == files(site)


def test_a_given_tokenizer_is_used_for_every_utterance(tmp_path: Path, site: Path) -> None:
    """A cache in front of the tokenizer (as `minutes serve` keeps one) gives the same index."""
    from generator.search.tokenizer import JapaneseTokenizer

    seen: list[str] = []

    class Recording:
        def tokenize(self, text: str) -> list:
            seen.append(text)
            return JapaneseTokenizer().tokenize(text)

    write_search_index(build_search_index(small_archive(), "/minutes/", tokenizer=Recording()), tmp_path)
    assert seen == [text for _, text in SPEECHES]
    assert files(tmp_path) == files(site)


def test_an_archive_without_utterances_gets_an_empty_index(tmp_path: Path) -> None:
    write_search_index(build_search_index(archive(), "/"), tmp_path)
    manifest = read(tmp_path, MANIFEST_FILE)
    assert (manifest["meetings"], manifest["shards"], manifest["documents"]) == ([], [], 0)
    (answer,) = run_engine(tmp_path, ["予算"])
    assert (answer.get("error"), answer["total"]) == (None, 0)


HELPED_WRITE = """
import json, sys
from pathlib import Path
from generator.search.index import build_search_index
from generator.search.shards import ShardSizes, write_search_files
from tests.test_search_index import small_archive

index = build_search_index(small_archive(), "/minutes/")
out = Path(sys.argv[1])
memory = {jobs: write_search_files(index, out / str(jobs), ShardSizes(shard=1), jobs=jobs) for jobs in (1, 2)}
print(json.dumps(memory))
"""


def test_a_forked_helper_writes_the_same_search_files(tmp_path: Path) -> None:
    """With `jobs` 2 a forked process writes half of the shards: every file comes out the same as from one process.

    Run in a fresh interpreter: the helper is forked only where no other thread runs, and a test
    session may hold server threads.
    """
    done = subprocess.run([sys.executable, "-c", HELPED_WRITE, str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    memory = json.loads(done.stdout)
    assert memory["1"] == 0
    assert memory["2"] > 0, "no helper process wrote shards"

    def files(root: Path) -> dict[str, bytes]:
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}

    alone, helped = files(tmp_path / "1"), files(tmp_path / "2")
    assert len([name for name in alone if name.startswith(SHARDS_DIR)]) >= 10
    assert helped == alone


def test_shards_are_cut_by_the_size_of_their_postings() -> None:
    """The shard cut counts each posting's bytes without writing it: the count must be exact."""
    index = build_search_index(small_archive(), "/minutes/")
    for _, posting in index.parts.inverted:
        assert _posting_size(posting) == len(_posting_json(posting))
