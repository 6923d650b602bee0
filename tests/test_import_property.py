"""Property: whatever bytes `minutes import` is given, it writes what `minutes check` accepts or refuses with errors.

Never an exception, never a fault of the importer (`the importer failed on this file`), and a
refused file leaves the content folder as it was. The quick profile runs with the suite; the
long one (10,000 examples each) only when selected with `-m long`, once before an importer
change is merged.
"""

from __future__ import annotations

import codecs
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.content import load_archive
from generator.diagnostics import has_errors
from generator.importer.command import run_import
from tests.conftest import SITE_INDEX

QUICK = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

_JAPANESE = "会議録本日はお集まりいただきありがとうございます。議案第１号可決異議なし子供目黒区報髙﨑𠮟ｱｲｳ１２３"
_MARKUP = "#>-+*=_|`~<[]\\&!○〇◯◎◆△□●◇（）〔〕「」 　\t0123456789.)"
_SPEECH = st.text(alphabet=st.sampled_from(_JAPANESE + _MARKUP), max_size=40)
_LABELS = st.sampled_from(
    [
        "会長", "委員", "区側", "議長（山田太郎君）", "○議長（山田太郎君）", "〇７番（三浦恵美子君）", "◯山口委員長",
        "○高橋（か）委員", "◆委員（佐藤）", "◎市長（鈴木一郎君）", "○町長（姓　名君）", "○議 長", "□議長",
        "○", "〇ポイント", "〇一三", "△開議の宣告", "○議事日程", "◎ 日程第４", "副委員長泉谷つよし君",
    ]
)  # fmt: skip
_SEPARATORS = st.sampled_from(["　", "　　", "  ", " ", "", "\t", "\n"])
_FIXED_LINES = st.sampled_from(
    [
        "名称", "第１回 テスト審議会", "日時", "令和４年２月１４日（月）午後２時から午後４時３０分まで",
        "令和６年第１回テスト町議会定例会会議録", "令和６年３月１日（金曜日） 午前10時00分開会", "明治元年１月１日",
        "大正十五年十二月二十四日", "令和九九九九年一月一日", "2022年2月30日", "9999年12月31日", "出席委員", "欠席委員（２名）",
        "◎ 日程第１ 会議録署名議員の指名", "１ 会長あいさつ", "（１）諮問について", "（拍手）", "〔「異議なし」と呼ぶ者あり〕",
        "- 3 -", "3", "\f", "", "以　上", "閉会 午前10時40分", "議事日程（第１号）", "* * *", "---", "```",
    ]
)  # fmt: skip
_UTTERANCE = st.builds(lambda label, separator, speech: label + separator + speech, _LABELS, _SEPARATORS, _SPEECH)
# Mostly plain utterances, so that many examples are imported and not only refused.
_PLAIN = st.builds(lambda label, speech: label + "　" + speech, st.sampled_from(["会長", "委員", "区側"]), _SPEECH)
_LINES = st.one_of(_PLAIN, _PLAIN, _PLAIN, _UTTERANCE, _FIXED_LINES, _SPEECH, st.text(max_size=30))


@st.composite
def minutes_bytes(draw: st.DrawFn) -> bytes:
    """Minutes-like text (a header, then lines of labels, headings and noise) or arbitrary text, in some encoding."""
    header = draw(st.sampled_from(["", *["名称\n第１回 テスト審議会\n日時\n令和４年２月１４日（月）午後２時から\n\n"] * 3]))
    text = header + "\n".join(draw(st.lists(_LINES, min_size=1, max_size=30)))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp932", "utf-16", "raw"]))
    if encoding == "raw":
        return draw(st.binary(max_size=200)) + text.encode("utf-8")
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding, errors="replace" if encoding == "cp932" else "surrogatepass")


_STRINGS = st.one_of(_SPEECH, _SPEECH, _SPEECH, st.text(max_size=20))
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _STRINGS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_STRINGS, children, max_size=4),
    max_leaves=20,
)


@st.composite
def api_answers(draw: st.DrawFn) -> bytes:
    """A `meeting` API answer with arbitrary values where the API puts text, or any JSON at all."""

    def speech(order: int) -> dict[str, object]:
        label = draw(_LABELS)
        return {
            "speechOrder": draw(st.sampled_from([order] * 8 + [0, "1", None])),
            "speaker": draw(_SPEECH),
            "speakerPosition": draw(st.one_of(st.none(), _SPEECH, _STRINGS)),
            "speech": draw(st.sampled_from(["○"] * 8 + ["", "〇"])) + label + draw(st.sampled_from(["　"] * 4 + ["", "  "])) + draw(_SPEECH),
        }

    records = [
        {
            "issueID": draw(st.sampled_from(["121405254X00420241009", "121405254X00520241009", "x", ""])),
            "nameOfHouse": draw(_SPEECH),
            "nameOfMeeting": draw(_SPEECH),
            "issue": draw(st.one_of(st.none(), _STRINGS)),
            "date": draw(st.sampled_from(["2024-10-09"] * 6 + ["1800-01-01", "1868-01-25", "9999-12-31", "2024-02-30", "20241009"])),
            "speechRecord": [speech(order) for order in range(draw(st.integers(0, 4)))],
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    # One answer in four is any JSON at all.
    value = draw(_JSON) if draw(st.sampled_from(["answer", "answer", "answer", "any"])) == "any" else {"meetingRecord": records}
    return json.dumps(value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1]))).encode("utf-8")


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def imports_or_refuses(data: bytes, name: str, strict: bool, body_title: str | None) -> None:
    """Import `data` as the file `name`: what is written passes `minutes check`, or the file is refused with errors."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = root / "content"
        content.mkdir()
        (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
        before = files_under(content)
        source = root / name
        source.write_bytes(data)
        lines: list[str] = []
        status = run_import([source], "test", body_title, content, False, lines.append, strict=strict)
        output = "\n".join(lines)
        assert "the importer failed on this file" not in output, output
        event("imported" if status == 0 else "refused")
        if status == 0:
            archive, diagnostics = load_archive(content)
            assert archive is not None and not has_errors(diagnostics), (output, [str(d) for d in diagnostics])
            assert len(archive.meetings) >= 1
        else:
            assert status == 1, output
            assert f"refused {source}: " in output and f"{source}" in output and ": error: " in output, output
            assert files_under(content) == before


@QUICK
@given(data=minutes_bytes(), strict=st.booleans(), body_title=st.sampled_from([None, "テスト審議会"]))
def test_minutes_text_is_imported_as_check_accepts_or_refused(data: bytes, strict: bool, body_title: str | None) -> None:
    imports_or_refuses(data, "minutes.txt", strict, body_title)


@QUICK
@given(data=api_answers(), strict=st.booleans())
def test_api_json_is_imported_as_check_accepts_or_refused(data: bytes, strict: bool) -> None:
    imports_or_refuses(data, "answer.json", strict, None)


def _long(request: pytest.FixtureRequest) -> None:
    # Selected by marker only: `-m "not browser"` and a plain run leave these out.
    if "long" not in (request.config.getoption("markexpr") or "").replace("not long", ""):
        pytest.skip("the long profile (10,000 examples) runs with -m long")


@pytest.mark.long
@LONG
@given(data=minutes_bytes(), strict=st.booleans(), body_title=st.sampled_from([None, "テスト審議会"]))
def test_long_minutes_text_is_imported_as_check_accepts_or_refused(
    request: pytest.FixtureRequest, data: bytes, strict: bool, body_title: str | None
) -> None:
    _long(request)
    imports_or_refuses(data, "minutes.txt", strict, body_title)


@pytest.mark.long
@LONG
@given(data=api_answers(), strict=st.booleans())
def test_long_api_json_is_imported_as_check_accepts_or_refused(request: pytest.FixtureRequest, data: bytes, strict: bool) -> None:
    _long(request)
    imports_or_refuses(data, "answer.json", strict, None)
