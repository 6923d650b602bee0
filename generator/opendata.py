"""Open data: each meeting as JSON in the shape of the 国会会議録検索システム API, a CSV, a bulk file."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, fields, is_dataclass

from .decisions import item_titles
from .models import Archive, Body, Decision, Meeting, SiteConfig, Utterance
from .output import OutputTree
from .pages import SiteUrls
from .permalinks import published_anchor

MEETING_JSON = "meeting.json"
UTTERANCES_CSV = "data/utterances.csv"
MEETINGS_JSON = "data/meetings.json"
CSV_COLUMNS = (
    "issueID", "date", "nameOfHouse", "nameOfMeeting", "issue", "speechID", "speechOrder",
    "speaker", "speakerLabel", "speakerPosition", "speakerGroup", "speakerRole", "agendaItem", "speech", "speechURL",
)  # fmt: skip


@dataclass(frozen=True)
class SpeechRecord:
    """One utterance as a 国会会議録 API speechRecord, plus the label and agenda item it stands under."""

    speechID: str
    speechOrder: int
    speaker: str
    speakerLabel: str
    speakerPosition: str | None
    speakerGroup: str | None
    speakerRole: str | None
    agendaItem: str | None
    speech: str
    speechURL: str


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
class MeetingRecord:
    """One meeting as a 国会会議録 API meetingRecord: the preamble as text, no header speech."""

    issueID: str
    nameOfHouse: str
    nameOfMeeting: str
    issue: str
    date: str
    updated: str | None
    time: str | None
    venue: str | None
    preamble: str
    meetingURL: str
    sourceURL: str | None
    pdfURL: str | None
    sourceIssueID: str | None
    speechRecord: list[SpeechRecord]
    decisions: list[DecisionRecord]


def page_url(path: str, urls: SiteUrls) -> str:
    """The URL of a site-relative path: absolute when the base URL is known, else from the site root."""
    return urls.absolute(path) or urls.base_path + path


def speech_record(meeting: Meeting, utterance: Utterance, urls: SiteUrls) -> SpeechRecord:
    """One utterance of `meeting` as a speechRecord."""
    speaker = utterance.speaker
    return SpeechRecord(
        speechID=f"{meeting.path}#{utterance.anchor}",
        speechOrder=utterance.number,
        speaker=speaker.name or speaker.label,
        speakerLabel=speaker.label,
        speakerPosition=speaker.position or speaker.role,
        speakerGroup=speaker.group,
        speakerRole=speaker.role,
        agendaItem=utterance.item_id,
        speech=utterance.text,
        # The fragment the page opens this utterance by, which differs after a renumbering.
        speechURL=page_url(f"{meeting.path}/#{published_anchor(meeting, utterance)}", urls),
    )


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


def meeting_record(meeting: Meeting, body: Body, config: SiteConfig, urls: SiteUrls) -> MeetingRecord:
    """The meetingRecord of one meeting: nameOfHouse is the organization (目黒区), nameOfMeeting the body."""
    return MeetingRecord(
        issueID=meeting.path,
        nameOfHouse=config.organization or config.title,
        nameOfMeeting=body.title,
        issue=meeting.title,
        date=meeting.date.isoformat(),
        updated=meeting.updated.isoformat() if meeting.updated else None,
        time=meeting.time,
        venue=meeting.venue,
        preamble=meeting.preamble_text,
        meetingURL=page_url(f"{meeting.path}/", urls),
        sourceURL=meeting.source_url,
        pdfURL=meeting.pdf_url,
        sourceIssueID=meeting.issue_id,
        speechRecord=[speech_record(meeting, u, urls) for u in meeting.utterances],
        decisions=decision_records(meeting),
    )


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


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
            row = {**meeting_fields, **speech}
            writer.writerow(["" if row[c] is None else spreadsheet_safe(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def plain(value: object) -> object:
    """A record as dicts and lists, as `dataclasses.asdict` makes it, without its deep copies.

    Records hold only strings, numbers and lists of records; asdict's copying took a third of the
    open data's time on a large archive.
    """
    if is_dataclass(value):
        return {item.name: plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def write_open_data(archive: Archive, urls: SiteUrls, tree: OutputTree) -> list[dict]:
    """Write meeting.json beside every meeting page, data/utterances.csv and data/meetings.json; returns the records, plain."""
    records = []
    for body in archive.bodies:
        for meeting in body.meetings:
            record = plain(meeting_record(meeting, body, archive.config, urls))
            tree.write_text(f"{meeting.path}/{MEETING_JSON}", _json(record))
            records.append(record)
    # A BOM, so that Excel, which many offices open CSV files with, reads the Japanese as UTF-8.
    tree.write_bytes(UTTERANCES_CSV, utterances_csv(records).encode("utf-8-sig"))
    bulk = {"numberOfRecords": len(records), "meetingRecord": records}
    tree.write_text(MEETINGS_JSON, _json(bulk))
    return records
