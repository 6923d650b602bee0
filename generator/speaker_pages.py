"""Speaker pages: for each person the minutes name, where they spoke, how often, and links there.

Copyright Act art. 40(1) frees speeches made in public (a council's debates) for any use, except
compiling one speaker's speeches. A speaker page is such a compilation if it reprints them, so it
lists meetings and links to each utterance in its meeting page and never shows the speech text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from .models import Archive, Body, Meeting, Speaker, Utterance
from .pages import Page
from .speakers import page_name, speaker_key, speaker_page_path

SPEAKERS_URL = "speakers/"


@dataclass
class Appearance:
    """One meeting a speaker spoke in, with their utterances there in order."""

    body: Body
    meeting: Meeting
    utterances: list[Utterance] = field(default_factory=list)

    @property
    def roles(self) -> list[str]:
        """The roles the speaker spoke under in this meeting, as printed, first use first."""
        return _distinct(role for u in self.utterances for role in (u.speaker.position, u.speaker.role))


@dataclass
class SpeakerProfile:
    """Everything a speaker page shows about one named person, from the archive already loaded."""

    key: str
    name: str
    appearances: list[Appearance] = field(default_factory=list)
    """Newest meeting first."""

    @property
    def url(self) -> str:
        """The page's site path, not %-encoded (the folder the page is written to)."""
        return speaker_page_path(self.name)

    @property
    def href(self) -> str:
        """The page's site path %-encoded, for links to it."""
        return quote(self.url)

    @property
    def count(self) -> int:
        """How many utterances the speaker made across the archive."""
        return sum(len(a.utterances) for a in self.appearances)

    @property
    def roles(self) -> list[str]:
        """Every role and position printed for the speaker, most recent first."""
        return _distinct(role for a in self.appearances for role in a.roles)

    @property
    def groups(self) -> list[str]:
        """The 会派 the `speakers:` map gives for the speaker, most recent first."""
        return _distinct(u.speaker.group for a in self.appearances for u in a.utterances)

    @property
    def per_year(self) -> list[tuple[int, int]]:
        """(calendar year, utterances) from the first year the speaker spoke to the last, gaps as 0."""
        counts: Counter[int] = Counter()
        for appearance in self.appearances:
            counts[appearance.meeting.date.year] += len(appearance.utterances)
        if not counts:
            return []
        return [(year, counts[year]) for year in range(min(counts), max(counts) + 1)]

    def by_body(self, body: Body) -> int:
        """How many utterances the speaker made in `body`."""
        return sum(len(a.utterances) for a in self.appearances if a.body is body)

    def roles_in(self, body: Body) -> list[str]:
        """The roles the speaker spoke under in `body`, most recent first."""
        return _distinct(role for a in self.appearances if a.body is body for role in a.roles)


@dataclass(frozen=True)
class BodySpeakers:
    """One section of the speakers index: a body and its named speakers, most utterances first."""

    body: Body
    speakers: list[tuple[SpeakerProfile, int, list[str]]]
    """(profile, utterances in this body, roles in this body)."""


def collect_speakers(archive: Archive) -> list[SpeakerProfile]:
    """Every named speaker of `archive` with their appearances, in order of their key."""
    profiles: dict[str, SpeakerProfile] = {}
    for body in archive.bodies:
        for meeting in body.meetings:
            here: dict[str, Appearance] = {}
            for utterance in meeting.utterances:
                name = page_name(utterance.speaker)
                if name is None:
                    continue
                key = speaker_key(name)
                profile = profiles.setdefault(key, SpeakerProfile(key, name))
                if key not in here:
                    here[key] = Appearance(body, meeting)
                    profile.appearances.append(here[key])
                here[key].utterances.append(utterance)
    for profile in profiles.values():
        profile.appearances.sort(key=lambda a: (a.meeting.date, a.meeting.path), reverse=True)
    return [profiles[key] for key in sorted(profiles)]


def group_by_body(archive: Archive, profiles: list[SpeakerProfile]) -> list[BodySpeakers]:
    """The speakers index: per body in the archive's order, its speakers by utterances there, then name.

    Names cannot be put in 五十音 order: the minutes print no readings, and kanji order says
    nothing to a reader. Who spoke in which body is what residents look for, so the index
    follows the bodies, as the home page does.
    """
    members: dict[str, list[tuple[SpeakerProfile, int]]] = defaultdict(list)
    for profile in profiles:
        for body in _distinct(a.body.slug for a in profile.appearances):
            members[body].append(profile)
    sections = []
    for body in archive.bodies:
        ranked = [(p, p.by_body(body), p.roles_in(body)) for p in members.get(body.slug, [])]
        if ranked:
            ranked.sort(key=lambda item: (-item[1], item[0].key))
            sections.append(BodySpeakers(body, ranked))
    return sections


def speaker_pages(archive: Archive) -> list[Page]:
    """The speakers index and one page per named speaker, built from the loaded archive."""
    profiles = collect_speakers(archive)
    pages = [Page(SPEAKERS_URL, "speakers.html", {"sections": group_by_body(archive, profiles), "total": len(profiles)})]
    for profile in profiles:
        peak = max((count for _, count in profile.per_year), default=0)
        pages.append(Page(profile.url, "speaker.html", {"speaker": profile, "peak": peak}))
    return pages


def speaker_href(speaker: Speaker) -> str | None:
    """The %-encoded site path of `speaker`'s page, or None when they have none (templates link it)."""
    name = page_name(speaker)
    return quote(speaker_page_path(name)) if name is not None else None


def _distinct(values: Iterable[str | None]) -> list[str]:
    """The non-empty `values` once each, in first-seen order."""
    return list(dict.fromkeys(v for v in values if v))
