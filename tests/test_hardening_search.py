"""Damaged files a user can meet outside the content: a search index, a permalinks.json.

Each is reported in a sentence that says what to do (rebuild the site), never with a Python
traceback; and a property test corrupts the index files at random. (A damaged kept index in the
cache is only a miss: tests/test_incremental_index.py.)
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.models import Body
from generator.search.index import SEARCH_DIR, build_search_index
from generator.search.shards import FORMAT_VERSION, ShardSizes, write_search_files
from tests.conftest import meeting
from tests.search_corpus import SMALL_SPEECHES, archive, make_meeting

QUERIES = ["京都", "ＧＩＧＡ", "リオ", "東日本 震災", "めぐろ", "子ども", "iPad", "𠮟責"]
"""Queries that find something in the small index: between them they read every shard and text file."""
SIZES = ShardSizes(lexicon=400, shard=1_500, text=300)
"""Small files, so that the index has several of each kind and they can disagree with each other."""
REBUILD = "rebuild the site with 'minutes build'"


def _write_index(site: Path) -> Path:
    body = Body("test", "テスト審議会", meetings=[make_meeting("test", "2022-02-14", "第1回 テスト審議会", dt.date(2022, 2, 14), SMALL_SPEECHES)])
    write_search_files(build_search_index(archive(body), "/"), site / SEARCH_DIR, SIZES, jobs=1)
    return site


@functools.cache
def _pristine() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        search_dir = _write_index(Path(folder)) / SEARCH_DIR
        return {path.relative_to(search_dir).as_posix(): path.read_bytes() for path in sorted(search_dir.rglob("*.json"))}


@pytest.fixture
def pristine() -> dict[str, bytes]:
    """The search files of a small site: relative path in search/ → bytes."""
    return _pristine()


def _site_with(root: Path, files: dict[str, bytes]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    for name, data in files.items():
        (root / SEARCH_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        (root / SEARCH_DIR / name).write_bytes(data)
    return root


def search(site: Path, query: str = "京都") -> Result:
    """`minutes search QUERY --site SITE` as a user runs it."""
    return CliRunner().invoke(main, ["search", query, "--site", str(site)])


def test_the_small_index_has_several_files_of_each_kind(pristine: dict[str, bytes]) -> None:
    folders = [name.split("/")[0] for name in pristine if "/" in name]
    assert {folder: folders.count(folder) > 1 for folder in ("lexicon", "shards", "text")} == {"lexicon": True, "shards": True, "text": True}


def _manifest(pristine: dict[str, bytes], **changes: object) -> bytes:
    data = json.loads(pristine["manifest.json"])
    data.update(changes)
    return json.dumps(data, ensure_ascii=False).encode()


def _file(pristine: dict[str, bytes], kind: str) -> str:
    """The path in search/ of the first file of `kind` ("manifest", "shard", "lexicon", "text", "speakers"), as the manifest names it."""
    manifest = json.loads(pristine["manifest.json"])
    lexicon = json.loads(pristine[f"lexicon/{manifest['lexicon_files'][0]}.json"])
    return {
        "manifest": "manifest.json",
        "shard": f"shards/{lexicon['shards'][0][1]}.json",
        "lexicon": f"lexicon/{manifest['lexicon_files'][0]}.json",
        "text": f"text/{manifest['meetings'][0]['id']}-0.json",
        "speakers": "speakers.json",
    }[kind]


def _shard_naming_utterance(pristine: dict[str, bytes], name: str, key: str) -> bytes:
    """The shard `name` with its first posting's first utterance renamed to `key`."""
    shard = json.loads(pristine[name])
    places = shard[0][1]
    first = next(iter(places))
    places[key] = places.pop(first)
    return json.dumps(shard).encode()


def _beyond(pristine: dict[str, bytes]) -> str:
    """The key of an utterance after the last one of the index (15 utterances: <id>.1 to <id>.15)."""
    (meeting,) = json.loads(pristine["manifest.json"])["meetings"]
    return f"{meeting['id']}.{sum(meeting['texts']) + 1}"


OLD_FORMAT = FORMAT_VERSION - 1
DAMAGE: dict[str, tuple[str, Callable[[dict[str, bytes], str], bytes | None], str]] = {
    # case: (kind of file, its new bytes from the files and its path (None: removed), the reason given)
    "empty manifest": ("manifest", lambda p, n: b"", "not valid JSON"),
    "truncated manifest": ("manifest", lambda p, n: p[n].decode()[:100].encode(), "not valid JSON"),
    "garbage manifest": ("manifest", lambda p, n: b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
    "manifest of a list": ("manifest", lambda p, n: b"[1, 2, 3]", "not a search manifest"),
    "older format": ("manifest", lambda p, n: _manifest(p, format=OLD_FORMAT), f"format {OLD_FORMAT} is not the format this version reads ({FORMAT_VERSION})"),
    "format missing": ("manifest", lambda p, n: _manifest(p, format=None), f"format null is not the format this version reads ({FORMAT_VERSION})"),
    "meetings of another shape": ("manifest", lambda p, n: _manifest(p, meetings=[{"title": 1}]), "'meetings' is missing or not what a build writes"),
    "a file name that is a path": ("manifest", lambda p, n: _manifest(p, lexicon_files=["../../x"] * len(json.loads(p["manifest.json"])["lexicon"])), "'lexicon_files' is missing or not what a build writes"),
    "counts that disagree": ("manifest", lambda p, n: _manifest(p, documents=16), "its counts of utterances do not agree"),
    "deeply nested manifest": ("manifest", lambda p, n: b"[" * 100_000, "not valid JSON"),
    "empty shard": ("shard", lambda p, n: b"", "not valid JSON"),
    "truncated shard": ("shard", lambda p, n: p[n][:-40], "not valid JSON"),
    "shard of the older format": ("shard", lambda p, n: b'{"invertedIndex": [["x", {"_index": "0"}]]}', "not a shard of this index"),
    "shard naming an utterance beyond the index": ("shard", lambda p, n: _shard_naming_utterance(p, n, _beyond(p)), "not a shard of this index"),
    "missing shard": ("shard", lambda p, n: None, "the file is missing"),
    "empty lexicon": ("lexicon", lambda p, n: b"", "not valid JSON"),
    "garbage lexicon": ("lexicon", lambda p, n: bytes(range(256)), "not UTF-8 text"),
    "lexicon of another shape": ("lexicon", lambda p, n: b'{"terms": [1], "words": {}}', "not a lexicon file"),
    "empty text file": ("text", lambda p, n: b"", "not valid JSON"),
    "truncated text file": ("text", lambda p, n: p[n][:7], "not valid JSON"),
    "text file of other length": ("text", lambda p, n: b'[[null, "a", "b", null]]', "not the text file the manifest describes"),
    "text of an agenda item the meeting lacks": ("text", lambda p, n: json.dumps([[0, *rest] for _, *rest in json.loads(p[n])]).encode(), "not the text file the manifest describes"),
    "text file of the older format": ("text", lambda p, n: json.dumps([[item, text] for item, text, *_ in json.loads(p[n])]).encode(), "not the text file the manifest describes"),
    "missing speakers file": ("speakers", lambda p, n: None, "the file is missing"),
    "truncated speakers file": ("speakers", lambda p, n: p[n][:-3], "not valid JSON"),
    "speakers file of fewer utterances": ("speakers", lambda p, n: json.dumps([{**m, "said": m["said"][1:]} for m in json.loads(p[n])]).encode(), "not the speakers file the manifest describes"),
    "speakers file naming a speaker it lacks": ("speakers", lambda p, n: json.dumps([{**m, "said": [len(m["speakers"])] * len(m["said"])} for m in json.loads(p[n])]).encode(), "not the speakers file the manifest describes"),
    "text file without its speakers": ("text", lambda p, n: json.dumps([[item, text, None, None] for item, text, *_ in json.loads(p[n])]).encode(), "not the text file the manifest describes"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_index_is_named_with_the_advice_to_rebuild(case: str, pristine: dict[str, bytes], tmp_path: Path) -> None:
    kind, damage, reason = DAMAGE[case]
    name = _file(pristine, kind)
    files = dict(pristine)
    damaged = damage(pristine, name)
    if damaged is None:
        del files[name]
    else:
        files[name] = damaged
    site = _site_with(tmp_path / "site", files)
    # Each query reads other files: one of them must meet the damage.
    results = [search(site, query) for query in QUERIES]
    failed = [result for result in results if result.exit_code != 0]
    assert failed, "no query met the damage"
    expected = f"{(site / SEARCH_DIR / name).as_posix()}: error: the search index is damaged ({reason}); {REBUILD}\n"
    for result in failed:
        assert (result.exit_code, result.output) == (1, expected)
        assert isinstance(result.exception, SystemExit)  # no traceback


def test_files_that_do_not_agree_are_reported_as_such(pristine: dict[str, bytes], tmp_path: Path) -> None:
    files = dict(pristine)
    # The lexicon knows 京都; the shard of its term, as the manifest names it, no longer holds its posting.
    manifest = json.loads(files["manifest.json"])
    shards = {name for file in manifest["lexicon_files"] for _, name in json.loads(files[f"lexicon/{file}.json"])["shards"]}
    (name,) = [name for name in (f"shards/{file}.json" for file in shards) if "京都" in [term for term, _ in json.loads(files[name])]]
    shard = json.loads(files[name])
    files[name] = json.dumps([entry for entry in shard if entry[0] != "京都"]).encode()
    result = search(_site_with(tmp_path / "site", files), "京都")
    expected = f"{(tmp_path / 'site' / SEARCH_DIR).as_posix()}: error: the search index is damaged (its files do not agree with each other: KeyError); {REBUILD}\n"
    assert (result.exit_code, result.output) == (1, expected)


def test_an_intact_index_still_answers(pristine: dict[str, bytes], tmp_path: Path) -> None:
    result = search(_site_with(tmp_path / "site", pristine), "京都")
    assert result.exit_code == 0 and "1 hits for '京都'" in result.output


# Corrupted at random --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


def _nodes(value: object, path: tuple = ()) -> list[tuple]:
    """Every place inside a parsed JSON value, as a path of keys and indexes."""
    places = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            places += _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            places += _nodes(child, (*path, index))
    return places


def _replace(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    value[path[0]] = _replace(value[path[0]], path[1:], new)  # type: ignore[index]
    return value


@st.composite
def corrupted(draw: st.DrawFn, pristine: dict[str, bytes]) -> dict[str, bytes]:
    """The index files with one to three of them damaged: bytes cut, changed or added, or a JSON value changed."""
    files = dict(pristine)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        data = files[name]
        kind = draw(st.sampled_from(["truncate", "bytes", "insert", "whole", "value", "number", "remove"]))
        if kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "bytes":
            at = draw(st.integers(0, max(0, len(data) - 1)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at + 8 :]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b",", b"]", b"{", b'"', b"0"])) + data[at:]
        elif kind == "whole":
            data = draw(st.binary(max_size=64) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
        elif kind in ("value", "number"):
            try:
                parsed = json.loads(data)
            except ValueError:
                continue
            places = _nodes(parsed)
            if kind == "number":
                # Nearby numbers keep the shape and break the agreement between files.
                places = [p for p in places if p and isinstance(_get(parsed, p), int) and not isinstance(_get(parsed, p), bool)] or places
                path = draw(st.sampled_from(places))
                old = _get(parsed, path)
                new = old + draw(st.integers(-3, 3)) if isinstance(old, int) else draw(JSON_VALUES)
            else:
                path = draw(st.sampled_from(places))
                new = draw(JSON_VALUES)
            data = json.dumps(_replace(parsed, path, new), ensure_ascii=draw(st.booleans())).encode()
        else:
            del files[name]
            continue
        files[name] = data
    return files


def _get(value: object, path: tuple) -> object:
    for key in path:
        value = value[key]  # type: ignore[index]
    return value


DAMAGE_LINE = re.compile(rf".*/{SEARCH_DIR}(/[a-z]+(/[0-9a-z-]+)?\.json)?: error: the search index is damaged \(.+\); {re.escape(REBUILD)}\n")


def _answers_or_reports_damage(root: Path, files: dict[str, bytes], query: str) -> None:
    site = _site_with(root, files)
    result = search(site, query)
    # CliRunner keeps the exception that ended the command: none, or sys.exit's.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        if "manifest.json" not in files:
            assert result.output.startswith("error: no search index in ")
        else:
            assert DAMAGE_LINE.fullmatch(result.output), result.output
    else:
        assert result.exit_code == 0, result.output
        assert re.match(r"\d+ hits for ", result.output)


QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LONG = settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@QUICK
@given(data=st.data(), query=st.sampled_from(QUERIES))
def test_a_corrupted_index_answers_or_reports_the_damage(data: st.DataObject, query: str, tmp_path: Path) -> None:
    _answers_or_reports_damage(tmp_path / "site", data.draw(corrupted(_pristine())), query)


@pytest.mark.long
@LONG
@given(data=st.data(), query=st.sampled_from(QUERIES))
def test_a_corrupted_index_answers_or_reports_the_damage_long(data: st.DataObject, query: str, tmp_path: Path) -> None:
    _answers_or_reports_damage(tmp_path / "site", data.draw(corrupted(_pristine())), query)


# check --against --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000, "is not a permalinks.json: its JSON is nested too deeply"),
        (b'{"version": 1, "anchors": {"a": ' * 5_000 + b"{}" + b"}}" * 5_000, "is not a permalinks.json: its JSON is nested too deeply"),
        (b'{"version": 1, "anchors": {}, "n": ' + b"9" * 5_000 + b"}", "is not a permalinks.json: it holds a number too long to read"),
        (b'{"version": 1, "anchors": {}}\xff', "is not UTF-8 text: invalid start byte at byte 29"),
    ],
    ids=["nested lists", "nested objects", "long number", "not UTF-8"],
)
def test_a_manifest_that_cannot_be_read_is_a_clear_error(data: bytes, message: str, make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    against = tmp_path / "permalinks.json"
    against.write_bytes(data)
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--against", str(against)])
    assert (result.exit_code, result.output) == (2, f"check failed: {against} {message}\n")
    assert isinstance(result.exception, SystemExit)


def test_anchors_a_site_cannot_have_are_ignored(make_site, tmp_path: Path) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    against = tmp_path / "permalinks.json"
    against.write_text(json.dumps({"version": 1, "anchors": {"test/2022-02-14": {"x": "0", "s" + "9" * 5000: "0", "s١": "0"}}}))
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--against", str(against)])
    assert (result.exit_code, result.output) == (0, "check passed: 1 bodies, 1 meetings, 0 warning(s)\n")
