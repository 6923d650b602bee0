"""Typed models of an archive: site settings, bodies, meetings and the record inside a meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar
from pathlib import Path


@dataclass(frozen=True)
class Speaker:
    """Who speaks under a label: parsed from the label's shape, completed by the `speakers:` map."""

    label: str
    role: str | None = None
    name: str | None = None
    position: str | None = None
    group: str | None = None
    side: str | None = None
    """`member` or `official`, where the minutes printed it (◆ before members, ◎ before officials)."""
    speaker_role: str | None = None
    """The role the source gave (参考人, 証人, 政府特別補佐人), the API's speakerRole; not the label's."""
    reading: str | None = None
    """The name's reading in kana (the API's speakerYomi), where the source had it."""

    @property
    def display(self) -> str:
        """The label as printed in the record."""
        return self.label


@dataclass(frozen=True)
class StageDirection:
    """A note such as （投  票） or 〔「異議なし」と呼ぶ者あり〕: not part of anybody's speech."""

    kind: ClassVar[str] = "stage_direction"
    text: str
    line: int


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a speech, as plain text (Markdown inline syntax is not interpreted)."""

    kind: ClassVar[str] = "paragraph"
    text: str
    line: int


@dataclass
class Utterance:
    """One speaker's turn (発言): a `○` paragraph and the paragraphs that continue it."""

    kind: ClassVar[str] = "utterance"
    number: int
    speaker: Speaker
    line: int
    parts: list[Paragraph | StageDirection] = field(default_factory=list)
    item_id: str | None = None

    @property
    def anchor(self) -> str:
        """The fragment id of this utterance, `s1`, `s2`, … in document order."""
        return f"s{self.number}"

    @property
    def text(self) -> str:
        """The whole speech without its label: paragraphs and stage directions joined by newlines."""
        return "\n".join(part.text for part in self.parts)


@dataclass
class AgendaItem:
    """An agenda heading (`##` or `###`) with its position-based id (`item-2`, `item-2-1`)."""

    kind: ClassVar[str] = "item"
    id: str
    level: int
    title: str
    line: int
    children: list[AgendaItem] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """A decision (議決) on an agenda item, from the `decisions:` front matter."""

    item: str
    result: str
    line: int
    subject: str | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    method: str | None = None


RecordBlock = AgendaItem | Utterance | StageDirection | Paragraph
"""What a meeting's record is made of, in document order."""


@dataclass
class Meeting:
    """One meeting: front matter, preamble and record, read from one Markdown file."""

    source: Path
    """Path of the Markdown file relative to the content folder, e.g. joho-kokai/2022-02-14.md."""
    body_slug: str
    slug: str
    title: str
    date: dt.date
    time: str | None = None
    venue: str | None = None
    attendees: dict[str, list[str]] | list[str] | None = None
    observers: str | int | None = None
    materials: list[str] = field(default_factory=list)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    source_url: str | None = None
    pdf_url: str | None = None
    issue_id: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    updated: dt.date | None = None
    aliases: list[str] = field(default_factory=list)
    """Old paths (`body/slug`) of a moved meeting; the build writes a redirect page at each."""
    renumbered: dict[str, str] = field(default_factory=dict)
    """Old anchor → new anchor (`s13` → `s12`) after a correction shifted the utterances."""
    aliases_line: int = 1
    renumbered_line: int = 1
    date_line: int = 1
    """File line of the `date:` key, for diagnostics about the date."""
    preamble: str = ""
    """Markdown shown before the record (会議次第, a Diet record's 会議録情報)."""
    preamble_text: str = ""
    """The preamble as plain text, escapes removed, one paragraph a line (for the open data)."""
    preamble_line: int = 1
    record: list[RecordBlock] = field(default_factory=list)
    read_key: str = field(default="", compare=False, repr=False)
    """The content memo's digest of what the meeting was read from (its file's bytes and path, the
    language, the code: content_cache.py), when the build keeps a cache; equal keys mean equal
    meetings, so a warm build keys the meeting's output by it (output_reuse.meeting_key)."""

    @property
    def path(self) -> str:
        """The meeting's URL path below the site root, without slashes: `joho-kokai/2022-02-14`."""
        return f"{self.body_slug}/{self.slug}"

    @property
    def utterances(self) -> list[Utterance]:
        """The utterances in document order."""
        return [block for block in self.record if isinstance(block, Utterance)]

    @property
    def agenda(self) -> list[AgendaItem]:
        """The top-level agenda items (`##`), each with its `###` children."""
        return [b for b in self.record if isinstance(b, AgendaItem) and b.level == 2]


@dataclass(frozen=True)
class SpeakerEntry:
    """One speaker in a record's table of contents: where they first speak and how often."""

    label: str
    first: Utterance
    count: int


def speakers_in_order(meeting: Meeting) -> list[SpeakerEntry]:
    """Every speaker label of the record in order of first utterance, with their number of turns.

    A record without agenda headings (an imported Diet meeting has none) is contents by speaker:
    in a 委員会 each questioner's turn is one stretch of the record.
    """
    firsts: dict[str, Utterance] = {}
    counts: dict[str, int] = {}
    for utterance in meeting.utterances:
        firsts.setdefault(utterance.speaker.label, utterance)
        counts[utterance.speaker.label] = counts.get(utterance.speaker.label, 0) + 1
    return [SpeakerEntry(label, first, counts[label]) for label, first in firsts.items()]


@dataclass
class Body:
    """A body (会議体) such as a council or committee: one folder of meetings."""

    slug: str
    title: str
    description: str | None = None
    meetings: list[Meeting] = field(default_factory=list)
    group: str | None = None
    """The home page's heading this body is listed under (本会議, 常任委員会, …), from `_index.md`."""
    organization: str | None = None
    """Who holds this body's meetings (安平町, 国会), when it is not the site's organization."""
    house: str | None = None
    """The house or council this body belongs to (安平町議会, 衆議院): the open data's nameOfHouse."""

    def publisher(self, config: SiteConfig) -> str:
        """Who publishes this body's minutes: its own organization, else the site's, else the site title."""
        return self.organization or config.organization or config.title

    def house_name(self, config: SiteConfig) -> str:
        """The body's house or council (nameOfHouse): its own `house`, else its publisher."""
        return self.house or self.publisher(config)


OTHER_GROUP = "その他"
"""The home page's group for bodies whose `_index.md` names none, when some others do."""


@dataclass(frozen=True)
class BodyGroup:
    """Bodies listed together on the home page under one heading."""

    title: str
    bodies: list[Body]


def group_bodies(bodies: list[Body]) -> list[BodyGroup]:
    """The bodies in groups, in the order each group first appears, ungrouped ones last under その他.

    When no body names a group, the result is one untitled group: a small archive keeps its flat list.
    """
    if not any(body.group for body in bodies):
        return [BodyGroup("", list(bodies))] if bodies else []
    groups: dict[str, list[Body]] = {}
    for body in bodies:
        if body.group:
            groups.setdefault(body.group, []).append(body)
    # A body naming その他 itself joins the ungrouped ones rather than making a second その他.
    others = groups.pop(OTHER_GROUP, []) + [body for body in bodies if not body.group]
    result = [BodyGroup(title, members) for title, members in groups.items()]
    return result + ([BodyGroup(OTHER_GROUP, others)] if others else [])


@dataclass
class SiteConfig:
    """The archive's settings from `content/_index.md`."""

    title: str
    organization: str | None = None
    base_url: str | None = None
    description: str | None = None
    introduction: str = ""
    """Markdown of the home page's introduction (the body of `content/_index.md`)."""


@dataclass
class Archive:
    """Everything read from a content folder: settings, bodies and their meetings."""

    config: SiteConfig
    bodies: list[Body] = field(default_factory=list)

    @property
    def meetings(self) -> list[Meeting]:
        """Every meeting of every body, in body then date order."""
        return [meeting for body in self.bodies for meeting in body.meetings]
