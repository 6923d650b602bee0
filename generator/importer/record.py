"""What an importer reads out of a source file, before it is written as Markdown.

Every importer (PDF text, 国会会議録 API JSON) produces `ImportedMeeting` values; one writer turns
them into the Markdown minutes format, so the format's rules live in a single place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

NoteKind = Literal["warning", "note"]


@dataclass(frozen=True)
class SourceNote:
    """A line of the import report about a line of the source (1-based): a warning or a note.

    A `warning` is something staff must check because the importer may have read the record
    wrong or left something out (a line that looks like a speaker but was not read as one);
    `--strict` refuses a file for any. A `note` says what the importer did by a rule it is sure
    of (a page number dropped, where the record starts); it is printed, and never refuses a file.
    """

    line: int
    message: str
    kind: NoteKind = "warning"


@dataclass
class ImportedHeading:
    """An agenda heading: level 2 (`１ 会長あいさつ`, `◎ 日程第４…`) or 3 (`（１）…`)."""

    level: int
    text: str
    line: int


@dataclass
class ImportedStageDirection:
    """A stage direction standing on its own: （投  票）, 〔「異議なし」と呼ぶ者あり〕."""

    text: str
    line: int


@dataclass
class ImportedParagraph:
    """A paragraph of text: one outside any utterance (before the first speaker, between sections), or one of a speech."""

    text: str
    line: int


@dataclass
class ImportedUtterance:
    """One speaker's turn: the label as printed and the speech's paragraphs.

    `parts` holds the speech in order: paragraphs and stage directions that stand as paragraphs
    of their own inside the turn, each with the source line it starts on (0 where the source has
    no lines). The first part may itself be a stage direction (`○区側　（資料により説明）（約６分）`).
    """

    label: str
    line: int
    parts: list[ImportedParagraph | ImportedStageDirection] = field(default_factory=list)
    marker: str = ""
    """The mark printed before the label in the source (`○`, `◆`, `◎`), empty when none was."""


ImportedBlock = ImportedHeading | ImportedStageDirection | ImportedParagraph | ImportedUtterance


@dataclass
class ImportedDecision:
    """A decision (議決) the record states, for the `decisions:` front matter."""

    item: str
    """The id of the agenda item decided (`item-2-1`); the format requires one."""
    result: str
    method: str | None = None
    subject: str | None = None
    votes_for: int | None = None
    votes_against: int | None = None


@dataclass
class ImportedMeeting:
    """One meeting read from a source, ready to be written as one Markdown file."""

    title: str
    date: dt.date
    body_title: str | None = None
    """The body's name without the session (情報公開・個人情報保護審議会), for a new `_index.md`."""
    body_settings: dict[str, str] = field(default_factory=dict)
    """More keys for a new body's `_index.md`: a Diet body's `organization` and `house`."""
    time: str | None = None
    venue: str | None = None
    attendees: dict[str, list[str]] | list[str] | None = None
    observers: str | int | None = None
    materials: list[str] = field(default_factory=list)
    speakers: dict[str, dict[str, str]] = field(default_factory=dict)
    """Label → {name, position, group, side, role, reading} for the `speakers:` map."""
    source_url: str | None = None
    pdf_url: str | None = None
    issue_id: str | None = None
    preamble: list[str] = field(default_factory=list)
    """Markdown paragraphs shown before the record (会議次第, a Diet record's 会議録情報)."""
    blocks: list[ImportedBlock] = field(default_factory=list)
    decisions: list[ImportedDecision] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)
    """The report's warnings (label-like lines not taken as labels, guesses) and notes (lines dropped by rule)."""

    @property
    def utterances(self) -> list[ImportedUtterance]:
        """The utterances in order."""
        return [b for b in self.blocks if isinstance(b, ImportedUtterance)]
