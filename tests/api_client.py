"""A small client of the 国会会議録検索システム API's `meeting` answers, written from the API's documentation.

It reads an answer as a client of the API would: the paging keys (numberOfRecords, numberOfReturn,
startRecord, nextRecordPosition), then each meetingRecord and its speechRecord in speechOrder, with
the types the documentation gives every key. The same code reads the corpus's real answers and the
files a build publishes, so the two cannot drift apart unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

ANSWER_KEYS = {"numberOfRecords": int, "numberOfReturn": int, "startRecord": int, "nextRecordPosition": (int, type(None))}
MEETING_KEYS = {
    "issueID": str, "imageKind": str, "searchObject": (int, type(None)), "session": (int, type(None)),
    "nameOfHouse": str, "nameOfMeeting": str, "issue": str, "date": str, "closing": (str, type(None)),
    "speechRecord": list, "meetingURL": str, "pdfURL": (str, type(None)),
}  # fmt: skip
SPEECH_KEYS = {
    "speechID": str, "speechOrder": int, "speaker": str, "speakerYomi": (str, type(None)),
    "speakerGroup": (str, type(None)), "speakerPosition": (str, type(None)), "speakerRole": (str, type(None)),
    "speech": str, "startPage": (int, type(None)), "createTime": (str, type(None)),
    "updateTime": (str, type(None)), "speechURL": str,
}  # fmt: skip


@dataclass(frozen=True)
class Speech:
    """One speech as a client keeps it: order, speaker and the label and text the speech holds."""

    order: int
    speaker: str
    position: str | None
    group: str | None
    role: str | None
    reading: str | None
    label: str | None
    text: str


@dataclass(frozen=True)
class Meeting:
    """One meeting as a client keeps it."""

    issue_id: str
    house: str
    name: str
    issue: str
    date: str
    header: str
    speeches: list[Speech]


def _check(obj: dict, keys: dict, where: str) -> None:
    for key, kind in keys.items():
        assert key in obj, f"{where}: no {key}"
        assert isinstance(obj[key], kind) and not isinstance(obj[key], bool), f"{where}: {key} is {obj[key]!r}"


def read_answer(answer: dict, where: str = "answer") -> Iterator[Meeting]:
    """Every meeting of one API answer, after checking its paging keys and every record's keys."""
    _check(answer, ANSWER_KEYS, where)
    records = answer["meetingRecord"]
    assert answer["numberOfReturn"] == len(records), f"{where}: numberOfReturn is not the records' number"
    assert 1 <= answer["startRecord"] <= max(answer["numberOfRecords"], 1)
    following = answer["nextRecordPosition"]
    if following is not None:
        assert following == answer["startRecord"] + answer["numberOfReturn"] <= answer["numberOfRecords"]
    else:
        assert answer["startRecord"] + answer["numberOfReturn"] - 1 == answer["numberOfRecords"]
    for record in records:
        yield read_meeting(record, f"{where}: {record.get('issueID')}")


def read_meeting(record: dict, where: str) -> Meeting:
    """One meetingRecord: speechOrder 0 is the header (会議録情報), the others speeches starting ○label."""
    _check(record, MEETING_KEYS, where)
    header, speeches = "", []
    for speech in sorted(record["speechRecord"], key=lambda s: s["speechOrder"]):
        _check(speech, SPEECH_KEYS, f"{where} {speech.get('speechID')}")
        if speech["speechOrder"] == 0:
            header = speech["speech"]
            continue
        first, _, rest = speech["speech"].partition("\u3000")
        assert first[:1] == "○", f"{where}: speech {speech['speechID']} does not start with ○"
        speeches.append(
            Speech(speech["speechOrder"], speech["speaker"], speech["speakerPosition"], speech["speakerGroup"],
                   speech["speakerRole"], speech["speakerYomi"], first[1:], rest)
        )  # fmt: skip
    return Meeting(record["issueID"], record["nameOfHouse"], record["nameOfMeeting"], record["issue"], record["date"], header, speeches)


def read_paged(first: dict, fetch: Callable[[int], dict]) -> Iterator[Meeting]:
    """Every meeting of a paged answer: `fetch(start)` gives the answer from record `start` on."""
    answer = first
    while True:
        yield from read_answer(answer)
        if answer["nextRecordPosition"] is None:
            return
        answer = fetch(answer["nextRecordPosition"])
