"""The benchmark's tokyo-assembly helper writes minutes that `minutes check` accepts, losing no speech."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.tokyo_corpus import body_slug, parse_meeting, read_body, write_tokyo
from generator.content import load_archive
from generator.diagnostics import has_errors

from .conftest import SITE_INDEX, write_files

MEETING = {
    "Date": "2011/12/15",
    "ProceedingTitle": "防災対策特別委員会速記録第一号",
    "URL": "https://example.org/record/001.html",
    "Proceeding": [
        {"Speaker": "null", "Utterance": "\u3000第四委員会室\n\u3000午後一時開議\n"},
        {"Speaker": "中村議長", "Utterance": "ただいまから委員会を開会いたします。\n\u3000〇〇委員会の報告を求めます。\n"},
        {"Speaker": "議長 (石川良一君）", "Utterance": "# 見出しではない行\n- 箇条書きでもない行\n"},
        {"Speaker": "田中委員", "Utterance": ""},
        {"Speaker": "null", "Utterance": "午後三時休憩\n"},
        {"Speaker": "佐藤委員", "Utterance": "〇七年度の決算について伺います。"},
    ],
}


def test_meeting_reads_back_with_every_speech_and_header(tmp_path: Path) -> None:
    warnings: list[str] = []
    meeting = parse_meeting(MEETING, "bosai.json[1]", warnings)
    files = {"_index.md": SITE_INDEX, "tokyo-bosai/_index.md": "---\ntitle: 東京都議会 防災\n---\n"}
    from generator.importer.writer import meeting_to_markdown

    files["tokyo-bosai/2011-12-15.md"] = meeting_to_markdown(meeting)
    archive, diagnostics = load_archive(write_files(tmp_path, files))
    assert not has_errors(diagnostics), [str(d) for d in diagnostics]
    read = archive.meetings[0]
    assert read.title == "防災対策特別委員会速記録第一号"
    assert [(u.speaker.label, u.text) for u in read.utterances] == [
        ("中村議長", "ただいまから委員会を開会いたします。\n〇〇委員会の報告を求めます。"),
        ("議長(石川良一君）", "# 見出しではない行\n- 箇条書きでもない行"),
        ("佐藤委員", "〇七年度の決算について伺います。"),
    ]
    assert "第四委員会室" in read.preamble
    # A header in mid-meeting is no part of the speech before it: it opens a section of its own.
    assert [item.title for item in read.agenda] == ["午後三時休憩"]
    assert any("utterance 4 of '田中委員' is empty" in w for w in warnings)
    assert any("'議長 (石川良一君）' written as '議長(石川良一君）'" in w for w in warnings)


def test_meeting_without_date_is_skipped_with_a_warning() -> None:
    warnings: list[str] = []
    assert parse_meeting({**MEETING, "Date": ""}, "draft.json[6]", warnings) is None
    assert warnings == ["draft.json[6]: warning: '防災対策特別委員会速記録第一号' has no date; skipped"]


def test_corpus_files_pass_check(corpus: Path, tmp_path: Path) -> None:
    """Two real files: one with three undated meetings, one with plenary sessions and the spaced label."""
    names = ["utterances_tokyo_draft.json", "utterances_tokyo_extraordinary2020_withURL.json"]
    source = tmp_path / "corpus" / "tokyo-assembly"
    source.mkdir(parents=True)
    for name in names:
        (source / name).symlink_to(corpus / "tokyo-assembly" / name)
    content = write_files(tmp_path / "content", {"_index.md": SITE_INDEX})
    written, warnings = write_tokyo(content, tmp_path / "corpus")
    archive, diagnostics = load_archive(content)
    assert not has_errors(diagnostics), [str(d) for d in diagnostics][:5]
    assert written == len(archive.meetings) == 5 + 2
    assert sum("has no date" in w for w in warnings) == 4
    for name in names:
        data = json.loads((corpus / "tokyo-assembly" / name).read_text(encoding="utf-8"))
        body = next(b for b in archive.bodies if b.slug == body_slug(Path(name)))
        speeches = [u for m in data if m["Date"] for u in m["Proceeding"] if u["Speaker"] != "null" and u["Utterance"].strip()]
        assert sum(len(m.utterances) for m in body.meetings) == len(speeches)
        # The speech survives whole: the same characters once line breaks and indents are set aside.
        expected = sorted("".join(u["Utterance"].split()) for u in speeches)
        assert sorted("".join(u.text.split()) for m in body.meetings for u in m.utterances) == expected
    assert read_body(source / names[1]).title == "東京都議会 令和二年第一回臨時会"
