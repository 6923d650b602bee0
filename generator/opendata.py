"""Open data: each meeting as JSON in the shape of the 国会会議録検索システム API, a CSV, a bulk file."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass, fields, is_dataclass

from .decisions import item_titles
from .models import AgendaItem, Archive, Body, Decision, Meeting, SiteConfig, Utterance
from .output import OutputTree
from .pages import SiteUrls
from .permalinks import published_anchor
from .render import japanese_date

MEETING_JSON = "meeting.json"
UTTERANCES_CSV = "data/utterances.csv"
MEETINGS_JSON = "data/meetings.json"
CSV_COLUMNS = (
    "issueID", "date", "nameOfHouse", "nameOfMeeting", "issue", "speechID", "speechOrder",
    "speaker", "speakerLabel", "speakerPosition", "speakerGroup", "speakerRole", "agendaItem", "speech", "speechURL",
)  # fmt: skip


HEADER_SPEAKER = "会議録情報"
"""The speaker of speechOrder 0, the meeting's header, as the API names it."""
IMAGE_KIND = "会議録"
MEETINGS_PER_PAGE = 1000
"""Meetings in one file of data/meetings*.json; the next file is named by its first record."""


@dataclass(frozen=True)
class SpeechRecord:
    """One utterance as a 国会会議録 API speechRecord, plus the project's own keys (label, agenda item, anchor)."""

    speechID: str
    speechOrder: int
    speaker: str
    speakerYomi: str | None
    speakerGroup: str | None
    speakerPosition: str | None
    speakerRole: str | None
    speech: str
    startPage: int | None
    createTime: str | None
    updateTime: str | None
    speechURL: str
    # The project's own keys, which the API does not have.
    speakerLabel: str | None
    agendaItem: str | None
    anchor: str | None


@dataclass(frozen=True)
class DecisionRecord:
    """A decision (議決) as published: the agenda item's id and heading, the result and the counts."""

    item: str
    itemTitle: str
    subject: str | None
    result: str
    votesFor: int | None
    votesAgainst: int | None
    method: str | None


@dataclass(frozen=True)
class AgendaRecord:
    """An agenda heading as published: its id, level, title and the speech it stands before."""

    id: str
    level: int
    title: str
    beforeSpeech: int | None
    """The speechOrder of the first speech after the heading; null when none follows it."""


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting as a 国会会議録 API meetingRecord (speechOrder 0 its header), plus the project's own keys."""

    issueID: str
    imageKind: str
    searchObject: int | None
    session: int | None
    nameOfHouse: str
    nameOfMeeting: str
    issue: str
    date: str
    closing: str | None
    speechRecord: list[SpeechRecord]
    meetingURL: str
    pdfURL: str | None
    # The project's own keys, which the API does not have.
    meetingPath: str
    title: str
    updated: str | None
    time: str | None
    venue: str | None
    sourceURL: str | None
    decisions: list[DecisionRecord]
    agenda: list[AgendaRecord]


def page_url(path: str, urls: SiteUrls) -> str:
    """The URL of a site-relative path: absolute when the base URL is known, else from the site root."""
    return urls.absolute(path) or urls.base_path + path


def speech_id(issue_id: str, order: int) -> str:
    """The speechID of the speech at `order`, as the API makes it: issueID, underscore, three digits."""
    return f"{issue_id}_{order:03d}"


def speech_record(meeting: Meeting, issue_id: str, utterance: Utterance, urls: SiteUrls) -> SpeechRecord:
    """One utterance of `meeting` as a speechRecord, its text starting with `○label　` as the API's do."""
    speaker = utterance.speaker
    return SpeechRecord(
        speechID=speech_id(issue_id, utterance.number),
        speechOrder=utterance.number,
        speaker=speaker.name or speaker.label,
        speakerYomi=speaker.reading,
        speakerGroup=speaker.group,
        # What the source said, not what the label's shape suggests (the label is speakerLabel).
        speakerPosition=speaker.position,
        speakerRole=speaker.speaker_role,
        speech=f"○{speaker.label}\u3000" + "\r\n".join(part.text for part in utterance.parts),
        startPage=None,
        createTime=None,
        updateTime=None,
        # The fragment the page opens this utterance by, which differs after a renumbering.
        speechURL=page_url(f"{meeting.path}/#{published_anchor(meeting, utterance)}", urls),
        speakerLabel=speaker.label,
        agendaItem=utterance.item_id,
        anchor=utterance.anchor,
    )


def header_record(meeting: Meeting, issue_id: str, urls: SiteUrls) -> SpeechRecord:
    """speechOrder 0, the meeting's header (会議録情報): the preamble, or the title and date when it has none."""
    text = meeting.preamble_text.replace("\n", "\r\n") or f"{meeting.title}\r\n{japanese_date(meeting.date)}"
    return SpeechRecord(
        speechID=speech_id(issue_id, 0), speechOrder=0, speaker=HEADER_SPEAKER, speakerYomi=None,
        speakerGroup=None, speakerPosition=None, speakerRole=None, speech=text, startPage=None,
        createTime=None, updateTime=None, speechURL=page_url(f"{meeting.path}/", urls),
        speakerLabel=None, agendaItem=None, anchor=None,
    )  # fmt: skip


def decision_records(meeting: Meeting) -> list[DecisionRecord]:
    """The meeting's decisions with the title of the agenda item each belongs to."""
    titles = item_titles(meeting)
    return [decision_record(d, titles.get(d.item, "")) for d in meeting.decisions]


def decision_record(decision: Decision, item_title: str) -> DecisionRecord:
    """One decision as published."""
    return DecisionRecord(
        item=decision.item, itemTitle=item_title, subject=decision.subject, result=decision.result,
        votesFor=decision.votes_for, votesAgainst=decision.votes_against, method=decision.method,
    )  # fmt: skip


def agenda_records(meeting: Meeting) -> list[AgendaRecord]:
    """Every agenda heading of the record in order, with the speech each stands before."""
    records: list[AgendaRecord] = []
    pending: list[AgendaItem] = []
    for block in meeting.record:
        if isinstance(block, AgendaItem):
            pending.append(block)
        elif isinstance(block, Utterance):
            records += [AgendaRecord(item.id, item.level, item.title, block.number) for item in pending]
            pending = []
    return records + [AgendaRecord(item.id, item.level, item.title, None) for item in pending]


def _without_prefix(text: str, prefix: str) -> str:
    """`text` without `prefix` and the space after it (衆議院 本会議 → 本会議), or as it is."""
    if prefix and text.startswith(prefix + " ") and text[len(prefix) + 1 :].strip():
        return text[len(prefix) + 1 :].strip()
    return text


def meeting_record(meeting: Meeting, body: Body, config: SiteConfig, urls: SiteUrls) -> MeetingRecord:
    """The meetingRecord of one meeting: nameOfHouse the body's house or organization, nameOfMeeting the body.

    An imported Diet meeting keeps its issueID; body and meeting titles lose the house and body
    names they start with (衆議院 本会議 第4号 → nameOfMeeting 本会議, issue 第4号).
    """
    house = body.house_name(config)
    issue_id = meeting.issue_id or meeting.path
    return MeetingRecord(
        issueID=issue_id,
        imageKind=IMAGE_KIND,
        searchObject=None,
        session=_session(meeting.issue_id),
        nameOfHouse=house,
        nameOfMeeting=_without_prefix(body.title, house),
        issue=_without_prefix(meeting.title, body.title),
        date=meeting.date.isoformat(),
        closing=None,
        speechRecord=[header_record(meeting, issue_id, urls)] + [speech_record(meeting, issue_id, u, urls) for u in meeting.utterances],
        meetingURL=page_url(f"{meeting.path}/", urls),
        pdfURL=meeting.pdf_url,
        meetingPath=meeting.path,
        title=meeting.title,
        updated=meeting.updated.isoformat() if meeting.updated else None,
        time=meeting.time,
        venue=meeting.venue,
        sourceURL=meeting.source_url,
        decisions=decision_records(meeting),
        agenda=agenda_records(meeting),
    )


def _session(issue_id: str | None) -> int | None:
    """The Diet session (国会回次) a 国会会議録 issueID names, digits 2 to 4; None for other ids."""
    match = re.fullmatch(r"[0-9]([0-9]{3})[0-9]{5}X[0-9]{11}", issue_id or "")
    return int(match[1]) if match else None


def answer(records: list[dict], start: int, total: int) -> dict:
    """An API answer holding `records`, the first being number `start` (from 1) of `total`."""
    following = start + len(records)
    return {
        "numberOfRecords": total,
        "numberOfReturn": len(records),
        "startRecord": start,
        "nextRecordPosition": following if following <= total else None,
        "meetingRecord": records,
    }


def bulk_path(start: int) -> str:
    """The file of data/meetings*.json whose first record is number `start`: meetings.json, then meetings-1001.json."""
    return MEETINGS_JSON if start == 1 else f"data/meetings-{start}.json"


def _json(data: object) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=1)` and a newline, made faster (`indented_json`)."""
    return indented_json(data) + "\n"


def indented_json(value: object, depth: int = 0) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=1)` for a value of dicts with string keys, lists and scalars, `depth` levels in.

    With `indent`, json encodes in Python, one generator step per value: over half the time the
    open data took. Here a dict or list of scalars only (an utterance's record, the bulk of it)
    goes to json's C encoder in one call, with the newline and indentation as its item
    separator: JSON text never holds a raw newline, so what it makes is what `indent` makes.
    """
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(key, str) for key in value):
            return _indented_fallback(value, depth)
        items = value.values()
    elif isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = value
    else:
        return _SCALAR.encode(value)
    inside = " " * (depth + 1)
    if not any(isinstance(item, (dict, list, tuple)) for item in items):
        flat = _flat_encoder(depth + 1).encode(value)
        return f"{flat[0]}\n{inside}{flat[1:-1]}\n{' ' * depth}{flat[-1]}"
    if isinstance(value, dict):
        parts = [f"{_SCALAR.encode(key)}: {indented_json(item, depth + 1)}" for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        parts = [indented_json(item, depth + 1) for item in value]
        opening, closing = "[", "]"
    return f"{opening}\n{inside}" + f",\n{inside}".join(parts) + f"\n{' ' * depth}{closing}"


_SCALAR = json.JSONEncoder(ensure_ascii=False)


@functools.cache
def _flat_encoder(depth: int) -> json.JSONEncoder:
    """An encoder that writes a flat dict or list's items `depth` spaces in, one a line, as `indent=1` does."""
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + " " * depth, ": "))


def _indented_fallback(value: object, depth: int) -> str:
    """json's own indented text of `value`, `depth` levels in (keys that are not strings: never in open data)."""
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)."""


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, with a leading `'` so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def utterances_csv(records: list[dict]) -> str:
    """Every utterance of the archive as CSV (one row each, header first, RFC 4180 quoting).

    `records` are meeting records made `plain`. Text cells that start like a formula (`=`, `+`,
    `-`, `@`, tab, carriage return) get a leading `'` so Excel shows them instead of running
    them; the JSON files keep the text as it is.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        meeting_fields = {key: record[key] for key in ("issueID", "date", "nameOfHouse", "nameOfMeeting", "issue")}
        for speech in record["speechRecord"]:
            if speech["speechOrder"] == 0:
                continue  # the header is the meeting's, not an utterance
            # One row per utterance says its label in a column; the text is the speech after it.
            text = speech["speech"].split("\u3000", 1)[1].replace("\r\n", "\n")
            row = {**meeting_fields, **speech, "speech": text}
            writer.writerow(["" if row[c] is None else spreadsheet_safe(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def plain(value: object) -> object:
    """A record as dicts and lists, as `dataclasses.asdict` makes it, without its deep copies.

    Records hold only strings, numbers and lists of records; asdict's copying took a third of the
    open data's time on a large archive.
    """
    names = _field_names(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, or None for any other type: asked once per type, not per value."""
    return tuple(item.name for item in fields(kind)) if is_dataclass(kind) else None


_RECORDS_OPEN = ' "meetingRecord": [\n'
_RECORDS_CLOSE = "\n ]\n}\n"


def _record_text(whole: str) -> str:
    """The one record of a meeting.json as it stands in an answer's `meetingRecord` list (indented for that depth)."""
    return whole.split(_RECORDS_OPEN, 1)[1][: -len(_RECORDS_CLOSE)]


def answer_json(texts: list[str], start: int, total: int) -> str:
    """`_json(answer(records, start, total))` made from the records' texts in meeting.json, not serialized again.

    JSON's indented layout puts a record at the same depth in both files, so its text is the same.
    """
    head = _json(answer(texts, start, total) | {"meetingRecord": []})
    if not texts:
        return head
    return head.split(' "meetingRecord": []', 1)[0] + _RECORDS_OPEN + ",\n".join(texts) + _RECORDS_CLOSE


def write_open_data(
    archive: Archive, urls: SiteUrls, tree: OutputTree, unchanged: frozenset[str] | set[str] = frozenset()
) -> None:
    """Write meeting.json beside every meeting page, data/utterances.csv and data/meetings.json.

    The meeting.json of a meeting in `unchanged` is linked from the last build when it can be,
    and its record read back from it instead of being made again.
    """
    records = []
    texts = []
    for body in archive.bodies:
        for meeting in body.meetings:
            rel_path = f"{meeting.path}/{MEETING_JSON}"
            if meeting.path in unchanged and tree.reuse(rel_path):
                text = _record_text((tree.root / rel_path).read_text(encoding="utf-8"))
                record = json.loads(text)
            else:
                record = plain(meeting_record(meeting, body, archive.config, urls))
                whole = _json(answer([record], 1, 1))
                text = _record_text(whole)
                tree.write_text(rel_path, whole)
            records.append(record)
            texts.append(text)
    # A BOM, so that Excel, which many offices open CSV files with, reads the Japanese as UTF-8.
    tree.write_bytes(UTTERANCES_CSV, utterances_csv(records).encode("utf-8-sig"))
    # Paged as the API pages: each file says where the next starts (nextRecordPosition).
    for start in range(1, max(len(records), 1) + 1, MEETINGS_PER_PAGE):
        tree.write_text(bulk_path(start), answer_json(texts[start - 1 : start - 1 + MEETINGS_PER_PAGE], start, len(records)))
