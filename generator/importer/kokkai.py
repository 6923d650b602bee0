"""The 国会会議録検索システム API importer: the JSON of its `meeting` endpoint, one meeting per record.

Each `meetingRecord` becomes one `ImportedMeeting`. Its `speechOrder` 0 (会議録情報) gives the
front matter's title and date and the preamble, one paragraph per line; every other speech
becomes one utterance, its label being the text between the marker `○` and the first
full-width space, each further line of the speech a paragraph of its own.

Each (nameOfHouse, nameOfMeeting) pair is a body of its own. Its folder name is the importer's
body slug, a hyphen and the pair's *meeting code*: the five digits after the session in the
issueID (`121405254X00420241009` → `05254` for 衆議院 本会議). The code's first digit names the
house (0 衆議院, 1 参議院, 2 両院) and the code stays the same from one session to the next, so
a committee keeps its folder across sessions and imports. An issueID of another form falls back
to `x` and eight hex digits of the SHA-256 of the house and meeting names.

The same code reads a `meeting.json` this project publishes: its own keys, which the API does not
have (`title`, `time`, `venue`, `decisions`, `agenda`, `meetingPath`), give back the meeting's
title, decisions and agenda headings, so that an archive can be rebuilt from its open data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from ..i18n import _
from ..minutes_markdown import CIRCLES, is_stage_direction
from ..wareki import FIRST_DATE, LAST_DATE, in_supported_range
from .errors import SourceError
from .record import (
    ImportedDecision,
    ImportedHeading,
    ImportedMeeting,
    ImportedParagraph,
    ImportedStageDirection,
    ImportedUtterance,
    SourceNote,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# 1 + session (3 digits) + meeting code (5 digits) + X + issue number (3 digits) + date.
_ISSUE_ID = re.compile(r"^[0-9][0-9]{3}(?P<code>[0-9]{5})X[0-9]{3}[0-9]{8}$")
_MEETING_KEYS = ("issueID", "nameOfHouse", "nameOfMeeting", "date", "speechRecord")
_WHITESPACE = " \t\u3000"


def parse_kokkai(data: object, source_name: str) -> list[ImportedMeeting]:
    """Read the parsed JSON `data` of a `meeting` API answer into one meeting per meetingRecord.

    `source_name` names the file in messages. Raises SourceError when `data` is not that shape.
    """
    records = _meeting_records(data, source_name)
    return [_meeting(record) for record in records]


def meeting_slug(meeting: ImportedMeeting) -> str:
    """The stable ASCII name of `meeting`'s body (house and committee): its issueID's meeting code."""
    match = _ISSUE_ID.match(meeting.issue_id or "")
    if match:
        return match["code"]
    digest = hashlib.sha256((meeting.body_title or meeting.title).encode("utf-8")).hexdigest()
    return "x" + digest[:8]


def _meeting_records(data: object, source_name: str) -> list[dict[str, Any]]:
    shape = _("{source_name} is not a 国会会議録検索システム API answer of the `meeting` shape").format(source_name=source_name)
    if not isinstance(data, dict):
        raise SourceError(_("{shape}: expected a JSON object with a `meetingRecord` list").format(shape=shape))
    if "meetingRecord" not in data and isinstance(data.get("speechRecord"), list):
        raise SourceError(_("{shape}: it holds `speechRecord` at the top (the `speech` shape); export with the `meeting` endpoint").format(shape=shape))
    records = data.get("meetingRecord")
    if not isinstance(records, list):
        raise SourceError(_("{shape}: expected a JSON object with a `meetingRecord` list").format(shape=shape))
    if not records:
        raise SourceError(_("{source_name}: the API answer holds no meetings (`meetingRecord` is empty)").format(source_name=source_name))
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise SourceError(_("{shape}: meetingRecord {index} is not an object").format(shape=shape, index=index))
        missing = [key for key in _MEETING_KEYS if key not in record]
        if missing:
            raise SourceError(_("{shape}: meetingRecord {index} has no {missing}").format(shape=shape, index=index, missing=', '.join(missing)))
        speeches = record["speechRecord"]
        if not isinstance(speeches, list) or not all(isinstance(s, dict) for s in speeches):
            raise SourceError(_("{shape}: speechRecord of meetingRecord {index} is not a list of objects").format(shape=shape, index=index))
        if any(not isinstance(s.get("speech"), str) for s in speeches):
            raise SourceError(
                _(
                    "{shape}: meetingRecord {index} has speeches without `speech` text "
                    "(the `meeting_list` shape?); export with the `meeting` endpoint"
                ).format(shape=shape, index=index)
            )
    return records


def _meeting(record: dict[str, Any]) -> ImportedMeeting:
    issue_id = str(record["issueID"])
    where = _("meeting {issue_id}").format(issue_id=issue_id)
    try:
        date = dt.date.fromisoformat(str(record["date"]))
    except ValueError:
        raise SourceError(_("{where}: date {date!r} is not YYYY-MM-DD").format(where=where, date=record['date'])) from None
    if not in_supported_range(date):
        # The site names every date and fiscal year in 和暦, which this project knows from 明治.
        raise SourceError(_("{where}: date {date} is outside the dates minutes can carry, {first} to {last}").format(where=where, date=date.isoformat(), first=FIRST_DATE, last=LAST_DATE))
    house, name = _text(record["nameOfHouse"]), _text(record["nameOfMeeting"])
    body_title = " ".join(part for part in (house, name) if part)
    title = " ".join(part for part in (body_title, _text(record.get("issue"))) if part) or issue_id.strip()
    if not title:
        raise SourceError(_("the meeting of {date} has no nameOfHouse, nameOfMeeting, issue or issueID to title it").format(date=date.isoformat()))
    ours = isinstance(record.get("meetingPath"), str)
    meeting = ImportedMeeting(
        title=_text(record.get("title")) or title if ours else title,
        date=date,
        body_title=(_text(record["nameOfMeeting"]) or body_title or None) if ours else body_title or None,
        # Our meetingURL is the archive's own page; the source it was made from is sourceURL.
        source_url=_text(record.get("sourceURL" if ours else "meetingURL")) or None,
        pdf_url=_text(record.get("pdfURL")) or None,
        # Our issueID is the meeting's path unless the meeting had an id of its own.
        issue_id=None if ours and issue_id == record["meetingPath"] else issue_id,
    )
    if _ISSUE_ID.match(issue_id) and house in DIET_HOUSES:
        meeting.body_settings = {"organization": DIET, "house": house}
    if ours:
        meeting.time = _text(record.get("time")) or None
        meeting.venue = _text(record.get("venue")) or None
        meeting.decisions = _decisions(record.get("decisions"), where)
    headings = _headings(record.get("agenda") if ours else None, where)
    speeches = sorted(record["speechRecord"], key=lambda s: _order(s, where))
    for speech in speeches:
        order = _order(speech, where)
        if order == 0:
            # 会議録情報: the header lines, kept as printed (the writer escapes leading circles).
            # Our header of a meeting without a preamble is its title and date: not a preamble.
            if not (ours and speech["speech"] == _fallback_header(meeting)):
                meeting.preamble.extend(line for line in _lines(speech["speech"]) if line.strip(_WHITESPACE))
        else:
            meeting.blocks.extend(headings.pop(order, []))
            _add_speech(meeting, speech, where)
    meeting.blocks.extend(heading for rest in headings.values() for heading in rest)
    return meeting


DIET = "国会"
DIET_HOUSES = ("衆議院", "参議院", "両院")


def _fallback_header(meeting: ImportedMeeting) -> str:
    """The header our open data gives a meeting without a preamble: its title and date (not kept on import)."""
    from ..render import japanese_date

    return f"{meeting.title}\r\n{japanese_date(meeting.date)}"


def _headings(agenda: object, where: str) -> dict[int | None, list[ImportedHeading]]:
    """Our `agenda` key: speechOrder (or None, at the end) → the headings standing before that speech."""
    if agenda is None:
        return {}
    if not isinstance(agenda, list) or not all(isinstance(a, dict) for a in agenda):
        raise SourceError(_("{where}: `agenda` is not a list of objects").format(where=where))
    headings: dict[int | None, list[ImportedHeading]] = {}
    for entry in agenda:
        level, title, before = entry.get("level"), _text(entry.get("title")), entry.get("beforeSpeech")
        if level not in (2, 3) or not title or not (before is None or isinstance(before, int)):
            raise SourceError(
                _("{where}: agenda heading {id} needs level 2 or 3, a title and beforeSpeech").format(where=where, id=repr(entry.get("id")))
            )
        headings.setdefault(before, []).append(ImportedHeading(level, title, 0))
    return headings


def _decisions(decisions: object, where: str) -> list[ImportedDecision]:
    """Our `decisions` key as the importer's decisions."""
    if decisions is None:
        return []
    if not isinstance(decisions, list) or not all(isinstance(d, dict) for d in decisions):
        raise SourceError(_("{where}: `decisions` is not a list of objects").format(where=where))
    result = []
    for entry in decisions:
        if not _text(entry.get("item")) or not _text(entry.get("result")):
            raise SourceError(_("{where}: a decision needs an item and a result").format(where=where))
        result.append(
            ImportedDecision(
                item=_text(entry["item"]), result=_text(entry["result"]), method=_text(entry.get("method")) or None,
                subject=_text(entry.get("subject")) or None, votes_for=_count(entry.get("votesFor")),
                votes_against=_count(entry.get("votesAgainst")),
            )  # fmt: skip
        )
    return result


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _add_speech(meeting: ImportedMeeting, speech: dict[str, Any], where: str) -> None:
    speech_id = speech.get("speechID") or _("{where} speechOrder {order}").format(where=where, order=speech.get('speechOrder'))
    lines = [line for line in _lines(speech["speech"]) if line.strip(_WHITESPACE)]
    if not lines or lines[0][0] not in CIRCLES:
        raise SourceError(_("speech {speech_id} does not start with a ○ speaker label").format(speech_id=speech_id))
    first = lines[0][1:]
    label, _space, rest = first.partition("\u3000")
    if not label or any(char in _WHITESPACE for char in label):
        raise SourceError(_("speech {speech_id}: no speaker label between ○ and the first full-width space").format(speech_id=speech_id))
    texts = ([rest] if rest.strip(_WHITESPACE) else []) + lines[1:]
    if not texts:
        raise SourceError(_("speech {speech_id}: nothing is said after the label {label!r}").format(speech_id=speech_id, label=label))
    # The first part follows the label's separator; extra spaces there are not part of the speech.
    texts[0] = texts[0].lstrip(_WHITESPACE)
    utterance = ImportedUtterance(label=label, line=0)
    for text in texts:
        # 〔「異議なし」と呼ぶ者あり〕 on a line of its own is a note, not words of the speaker.
        # The API gives no line numbers, so every part is at line 0 like the utterance itself.
        utterance.parts.append(
            ImportedStageDirection(text.strip(_WHITESPACE), 0) if is_stage_direction(text) else ImportedParagraph(text, 0)
        )
    meeting.blocks.append(utterance)
    info = {
        key: _text(speech.get(field))
        for key, field in (
            ("name", "speaker"), ("position", "speakerPosition"), ("group", "speakerGroup"),
            ("role", "speakerRole"), ("reading", "speakerYomi"),
        )  # fmt: skip
        if _text(speech.get(field))
    }
    if info.get("name") == label:
        # Our own open data names a speaker without a known name by the label: not a name.
        del info["name"]
    known = meeting.speakers.get(label)
    if known is None:
        if info:
            meeting.speakers[label] = info
    elif known != info:
        meeting.notes.append(
            SourceNote(0, _("speech {speech_id}: {label} is {now} here but {before} before; kept the first").format(speech_id=speech_id, label=label, now=_describe(info), before=_describe(known)))
        )


def _describe(info: dict[str, str]) -> str:
    return "/".join(info.get(key, "-") for key in ("name", "position", "group"))


def _order(speech: dict[str, Any], where: str) -> int:
    order = speech.get("speechOrder")
    if not isinstance(order, int):
        raise SourceError(_("{where}: a speech has no integer speechOrder ({order!r})").format(where=where, order=order))
    return order


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
