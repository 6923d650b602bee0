"""The 国会会議録 API importer: every speech of the record, and nothing else, ends up in the Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.importer.errors import SourceError
from generator.importer.kokkai import meeting_slug, parse_kokkai
from generator.importer.record import ImportedParagraph, ImportedStageDirection
from generator.importer.writer import meeting_to_markdown
from generator.minutes_markdown import unescape
from generator.models import Meeting
from generator.reader import read_meeting_text

FILES = ["kokkai-2024-10.json", "kokkai-2024-11.json"]
_WHITESPACE = re.compile(r"\s+")


def load(corpus: Path, name: str) -> Any:
    return json.loads((corpus / "kokkai" / name).read_text(encoding="utf-8"))


def squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def read_written(markdown: str, rel_path: str = "kokkai-05254/2024-10-09.md") -> Meeting:
    meeting, diagnostics = read_meeting_text(markdown, rel_path)
    assert meeting is not None, [str(d) for d in diagnostics]
    return meeting


def record(house: str, name: str, issue_id: str, date: str, speeches: list[str]) -> dict[str, Any]:
    """A meetingRecord as the API gives it, the header first."""
    speech_records = [
        {"speechID": f"{issue_id}_{order:03}", "speechOrder": order, "speaker": speaker, "speakerGroup": group,
         "speakerPosition": position, "speech": text}
        for order, (speaker, group, position, text) in enumerate(
            [("会議録情報", None, None, "令和六年十月九日（水曜日）\r\n○本日の会議に付した案件\r\n　議案")]
            + [("額賀福志郎", "無所属", "議長", text) for text in speeches]
        )
    ]  # fmt: skip
    return {
        "issueID": issue_id, "session": 214, "nameOfHouse": house, "nameOfMeeting": name, "issue": "第4号",
        "date": date, "speechRecord": speech_records,
        "meetingURL": f"https://kokkai.ndl.go.jp/txt/{issue_id}", "pdfURL": f"https://kokkai.ndl.go.jp/img/{issue_id}/1",
    }  # fmt: skip


@pytest.mark.corpus
def test_october_file_imports_to_60_meetings_and_681_utterances(corpus: Path) -> None:
    meetings = parse_kokkai(load(corpus, "kokkai-2024-10.json"), "kokkai-2024-10.json")
    assert len(meetings) == 60
    assert sum(len(m.utterances) for m in meetings) == 681


@pytest.mark.corpus
@pytest.mark.parametrize("name", FILES)
def test_every_speech_is_one_utterance_with_all_its_characters_in_order(corpus: Path, name: str) -> None:
    data = load(corpus, name)
    meetings = parse_kokkai(data, name)
    assert len(meetings) == len(data["meetingRecord"])
    for source, imported in zip(data["meetingRecord"], meetings, strict=True):
        written = read_written(meeting_to_markdown(imported))
        speeches = sorted(source["speechRecord"], key=lambda s: s["speechOrder"])
        # The marker aside, a speech is its label and its words; whitespace is layout.
        expected = [squeeze(s["speech"])[1:] for s in speeches if s["speechOrder"] != 0]
        got = [squeeze(u.speaker.label + u.text) for u in written.utterances]
        assert got == expected, source["issueID"]
        header = squeeze(speeches[0]["speech"])
        assert squeeze(unescape(written.preamble)) == header, source["issueID"]
        assert written.title == f"{source['nameOfHouse']} {source['nameOfMeeting']} {source['issue']}"
        assert written.date.isoformat() == source["date"]
        assert (written.source_url, written.pdf_url, written.issue_id) == (source["meetingURL"], source["pdfURL"], source["issueID"])


@pytest.mark.corpus
def test_header_and_speech_lines_starting_with_a_circle_start_no_utterance(corpus: Path) -> None:
    data = load(corpus, "kokkai-2024-11.json")
    inner = [
        (source, speech)
        for source in data["meetingRecord"]
        for speech in source["speechRecord"]
        if speech["speechOrder"] and any(line[:1] == "〇" for line in speech["speech"].split("\r\n")[1:])
    ]
    assert inner, "the corpus has speeches with lines that start with 〇"
    source, speech = inner[0]
    (imported,) = parse_kokkai({"meetingRecord": [source]}, "x.json")
    markdown = meeting_to_markdown(imported)
    header_lines = [line for line in source["speechRecord"][0]["speech"].split("\r\n") if line[:1] in "○〇"]
    assert header_lines and all(f"\n\\{line}\n" in markdown for line in header_lines)
    line = next(line for line in speech["speech"].split("\r\n")[1:] if line.startswith("〇"))
    assert f"\n\\{line}\n" in markdown
    written = read_written(markdown)
    assert len(written.utterances) == len(source["speechRecord"]) - 1


@pytest.mark.corpus
def test_each_house_and_committee_is_one_body_with_a_stable_folder(corpus: Path) -> None:
    folders: dict[tuple[str, str], set[str]] = {}
    for name in FILES:
        for meeting in parse_kokkai(load(corpus, name), name):
            house_and_name = tuple(meeting.body_title.split(" ", 1))  # type: ignore[union-attr]
            folders.setdefault(house_and_name, set()).add(meeting_slug(meeting))  # type: ignore[arg-type]
    # One folder name per (house, committee) over both months, and no two pairs share one.
    assert all(len(slugs) == 1 for slugs in folders.values())
    slugs = [next(iter(s)) for s in folders.values()]
    assert len(set(slugs)) == len(slugs) == 57
    assert all(re.fullmatch(r"[0-9]{5}", slug) for slug in slugs)


def test_speakers_map_takes_name_position_and_group() -> None:
    data = {"meetingRecord": [record("衆議院", "本会議", "121405254X00420241009", "2024-10-09", ["○議長（額賀福志郎君）　これより会議を開きます。"])]}
    (meeting,) = parse_kokkai(data, "x.json")
    assert meeting.speakers == {"議長（額賀福志郎君）": {"name": "額賀福志郎", "position": "議長", "group": "無所属"}}
    assert meeting.body_title == "衆議院 本会議" and meeting.title == "衆議院 本会議 第4号"
    assert meeting_slug(meeting) == "05254"
    assert read_written(meeting_to_markdown(meeting)).speakers["議長（額賀福志郎君）"].group == "無所属"


def test_speech_lines_become_paragraphs_and_bracketed_lines_stage_directions() -> None:
    speech = "○議長（額賀福志郎君）　採決いたします。\r\n　本案に賛成の諸君の起立を求めます。\r\n　　〔賛成者起立〕\r\n○議長（額賀福志郎君）　起立多数。"
    data = {"meetingRecord": [record("衆議院", "本会議", "121405254X00420241009", "2024-10-09", [speech])]}
    (meeting,) = parse_kokkai(data, "x.json")
    (utterance,) = meeting.utterances
    assert utterance.label == "議長（額賀福志郎君）"
    assert utterance.parts == [
        ImportedParagraph("採決いたします。", 0),
        ImportedParagraph("　本案に賛成の諸君の起立を求めます。", 0),
        ImportedStageDirection("〔賛成者起立〕", 0),
        ImportedParagraph("○議長（額賀福志郎君）　起立多数。", 0),
    ]
    written = read_written(meeting_to_markdown(meeting))
    assert len(written.utterances) == 1
    assert written.utterances[0].parts[-1].text == "○議長（額賀福志郎君）　起立多数。"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "expected a JSON object with a `meetingRecord` list"),
        ({"numberOfRecords": 1}, "expected a JSON object with a `meetingRecord` list"),
        ({"speechRecord": []}, "the `speech` shape"),
        ({"meetingRecord": []}, "holds no meetings"),
        ({"meetingRecord": [{"issueID": "x"}]}, "meetingRecord 1 has no nameOfHouse, nameOfMeeting, date, speechRecord"),
        (
            {"meetingRecord": [{**record("衆議院", "本会議", "1", "2024-10-09", []), "speechRecord": [{"speechOrder": 0}]}]},
            "without `speech` text",
        ),
        ({"meetingRecord": [record("衆議院", "本会議", "1", "2024-13-01", [])]}, "date '2024-13-01' is not YYYY-MM-DD"),
        ({"meetingRecord": [record("衆議院", "本会議", "1", "2024-10-01", ["議長　前置きの印がない"])]}, "does not start with a ○"),
        ({"meetingRecord": [record("衆議院", "本会議", "1", "2024-10-01", ["○議長（額賀福志郎君）"])]}, "nothing is said after the label"),
    ],
)
def test_what_is_not_the_meeting_shape_is_a_clear_error(data: object, message: str) -> None:
    with pytest.raises(SourceError, match=re.escape(message)):
        parse_kokkai(data, "x.json")
