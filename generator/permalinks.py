"""The permalink guard: a manifest of every anchor's text, and the comparison with a deployed one."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, error
from .i18n import _, ngettext
from .models import Archive, Meeting, Utterance
from .pages import Page

MANIFEST_NAME = "permalinks.json"
MANIFEST_VERSION = 1
_ANCHOR = re.compile(r"s[0-9]{1,9}")
"""An utterance's anchor; a billion utterances is more than any meeting holds."""


class ManifestError(RuntimeError):
    """A previous manifest that cannot be read or is not a version 1 permalinks.json."""


def speech_digest(utterance: Utterance) -> str:
    """The SHA-256 of the speech after NFKC with all whitespace removed: reflowing text keeps it."""
    text = utterance.text
    # Most speeches are in NFKC already (20,037 of the corpus's 24,233), and telling so costs less
    # than normalizing; splitting on whitespace removes what `\s+` matches, at a third of the
    # cost. The corpus's digests: 0.40 -> 0.35 s (the speeches that need NFKC are the long ones).
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


@dataclass
class Manifest:
    """Each meeting path's anchors (`s1`, `s2`, …) with the digest of the speech each points to."""

    anchors: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of_archive(cls, archive: Archive) -> Manifest:
        """The manifest of the archive as it is now."""
        return cls({m.path: {u.anchor: speech_digest(u) for u in m.utterances} for m in archive.meetings})

    def to_json(self) -> str:
        """The manifest as JSON, keys in a stable order (meeting paths sorted, anchors by number)."""
        anchors = {
            path: dict(sorted(self.anchors[path].items(), key=lambda kv: int(kv[0][1:]))) for path in sorted(self.anchors)
        }
        return json.dumps({"version": MANIFEST_VERSION, "anchors": anchors}, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> Manifest:
        """Read a manifest; ManifestError when it is not one."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(_("{source} is not JSON: {problem}").format(source=source, problem=exc)) from exc
        except RecursionError as exc:
            # Python's parser recurses once per level; a manifest is three levels deep.
            raise ManifestError(_("{source} is not a {name}: its JSON is nested too deeply").format(source=source, name=MANIFEST_NAME)) from exc
        except ValueError as exc:  # a number beyond Python's limit of 4,300 digits
            raise ManifestError(_("{source} is not a {name}: it holds a number too long to read").format(source=source, name=MANIFEST_NAME)) from exc
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("anchors"), dict):
            raise ManifestError(_("{source} is not a version {version} {name}").format(source=source, version=MANIFEST_VERSION, name=MANIFEST_NAME))
        anchors = data["anchors"]
        if not all(isinstance(v, dict) for v in anchors.values()):
            raise ManifestError(_("{source}: every meeting must map anchors to digests").format(source=source))
        return cls({str(path): {str(a): str(d) for a, d in found.items()} for path, found in anchors.items()})


def read_manifest(source: str) -> Manifest:
    """Read a manifest from a file path or an http(s) URL (the deployed site's permalinks.json)."""
    if re.match(r"https?://", source):
        try:
            with urllib.request.urlopen(source, timeout=30) as response:
                data = response.read()
        except (OSError, ValueError) as exc:
            raise ManifestError(_("cannot fetch {source}: {problem}").format(source=source, problem=exc)) from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ManifestError(_("{source} is not UTF-8 text: {reason} at byte {byte}").format(source=source, reason=exc.reason, byte=exc.start)) from exc
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ManifestError(_("cannot read {source}: {problem}").format(source=source, problem=exc.strerror or exc)) from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ManifestError(_("{source} is not UTF-8 text: {reason} at byte {byte}").format(source=source, reason=exc.reason, byte=exc.start)) from exc
    return Manifest.from_json(text, source)


def published_anchor(meeting: Meeting, utterance: Utterance) -> str:
    """The fragment that opens `utterance` on its page, as the page's script reads `renumbered:`.

    Usually its own anchor; but when `renumbered:` sends that anchor elsewhere (a correction
    shifted the numbering), the lowest old anchor that now leads to it, as
    templates/static/meeting.js chooses.
    """
    anchor = utterance.anchor
    if anchor not in meeting.renumbered:
        return anchor
    sources = [old for old, new in meeting.renumbered.items() if new == anchor]
    if anchor in sources:
        return anchor
    return min(sources, key=lambda old: int(old[1:])) if sources else anchor


def _ranges_of(anchors: list[str]) -> str:
    """Anchors as compact runs: s3, s5–s9."""
    numbers = sorted(int(a[1:]) for a in anchors)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"s{a}" if a == b else f"s{a}–s{b}" for a, b in runs)


def compare(archive: Archive, previous: Manifest, content_dir: Path) -> list[Diagnostic]:
    """Every published anchor that would disappear or point to other text, unless the content says so.

    A meeting whose path is gone is acknowledged by `aliases:` in the meeting's new file; an anchor
    whose text changed or vanished is acknowledged by naming it in `renumbered:`.
    """
    by_path: dict[str, Meeting] = {m.path: m for m in archive.meetings}
    for meeting in archive.meetings:
        for alias in meeting.aliases:
            by_path.setdefault(alias, meeting)
    diagnostics: list[Diagnostic] = []
    for path in sorted(previous.anchors):
        old = previous.anchors[path]
        meeting = by_path.get(path)
        if meeting is None:
            if old:
                diagnostics.append(
                    error(
                        f"{(content_dir / path).as_posix()}.md", 1,
                        _(
                            "meeting {path} is gone: its anchors {anchors} would stop working; "
                            "if it moved, add 'aliases: [{path}]' to its new file"
                        ).format(path=path, anchors=_ranges_of(list(old))),
                    )
                )  # fmt: skip
            continue
        diagnostics += _compare_meeting(meeting, path, old, content_dir)
    return diagnostics


@dataclass(frozen=True)
class _Break:
    """A run of published anchors that would break alike: gone or changed, text moved by `shift`."""

    gone: bool
    first: int
    last: int
    shift: int | None
    """How far the old text moved (-1: from s13 to s12), or None when it is nowhere now."""

    def extends(self, gone: bool, number: int, shift: int | None) -> bool:
        return gone == self.gone and number == self.last + 1 and shift == self.shift


def _run(first: int, last: int, separator: str = "–") -> str:
    return f"s{first}" if first == last else f"s{first}{separator}s{last}"


def _likely_shift(number: int, places: list[int], previous: int | None) -> int | None:
    """How far the text of anchor `number` moved: as its neighbour's did if it can, else the least."""
    if not places:
        return None
    if previous is not None and number + previous in places:
        return previous
    return min((place - number for place in places), key=lambda shift: (abs(shift), shift))


def _compare_meeting(meeting: Meeting, old_path: str, old: dict[str, str], content_dir: Path) -> list[Diagnostic]:
    """The anchors of one published meeting that are gone or changed, not acknowledged by `renumbered:`.

    Consecutive anchors that broke alike (removing one utterance shifts all that follow) are
    reported as one run, with the `renumbered:` entry that would acknowledge it.
    """
    shown = (content_dir / meeting.source).as_posix()
    current = {u.anchor: u for u in meeting.utterances}
    # Short speeches (ありがとうございます。) recur: keep every place each text is at now.
    where_now: dict[str, list[int]] = {}
    for utterance in meeting.utterances:
        where_now.setdefault(speech_digest(utterance), []).append(utterance.number)
    runs: list[_Break] = []
    # Only anchors the site can have (s1, s2, …) are compared; anything else in a manifest is ignored.
    published = [anchor for anchor in old if _ANCHOR.fullmatch(anchor)]
    for anchor in sorted(published, key=lambda a: int(a[1:])):
        if anchor in meeting.renumbered:
            continue
        utterance = current.get(anchor)
        if utterance is not None and speech_digest(utterance) == old[anchor]:
            continue
        number = int(anchor[1:])
        shift = _likely_shift(number, where_now.get(old[anchor], []), runs[-1].shift if runs else None)
        if runs and runs[-1].extends(utterance is None, number, shift):
            runs[-1] = _Break(runs[-1].gone, runs[-1].first, number, shift)
        else:
            runs.append(_Break(utterance is None, number, number, shift))
    name = meeting.path if old_path == meeting.path else _("{path} (formerly {old_path})").format(path=meeting.path, old_path=old_path)
    count = len(meeting.utterances)
    diagnostics = []
    for run in runs:
        # One anchor or several: whole sentences per number, so that a translation needs no English grammar.
        anchors = 2 if run.first != run.last else 1
        if run.shift is None:
            hint, target = "", (run.first, run.last)
        else:
            target = (run.first + run.shift, run.last + run.shift)
            hint = ngettext("its old text is now at {target}", "their old text is now at {target}", anchors).format(target=_run(*target))
        entry = f"({_run(run.first, run.last, '-')}: {_run(*target, '-')})"
        if run.gone:
            line = meeting.utterances[-1].line if meeting.utterances else 1
            detail = _("the meeting now ends at s{count}").format(count=count)
            if hint:
                detail = _("{first}; {second}").format(first=detail, second=hint)
            message = ngettext(
                "anchor {anchors} would disappear ({detail}); map it in 'renumbered:'",
                "anchors {anchors} would disappear ({detail}); map them in 'renumbered:'",
                anchors,
            ).format(anchors=_run(run.first, run.last), detail=detail)
            if run.shift is not None:
                message += f" {entry}"
        else:
            line = current[f"s{run.first}"].line
            message = ngettext(
                "anchor {anchors} now points to different text{hint}; acknowledge it in 'renumbered:' {entry}",
                "anchors {anchors} now point to different text{hint}; acknowledge them in 'renumbered:' {entry}",
                anchors,
            ).format(anchors=_run(run.first, run.last), hint=_(" ({hint})").format(hint=hint) if hint else "", entry=entry)
        diagnostics.append(error(shown, line, _("meeting {name}: {message}").format(name=name, message=message)))
    return diagnostics


def redirect_pages(archive: Archive) -> list[Page]:
    """A page at every `aliases:` path that sends readers (and their #fragment) to the meeting."""
    return [
        Page(f"{alias}/", "redirect.html", {"target": f"{meeting.path}/", "meeting": meeting})
        for meeting in archive.meetings
        for alias in meeting.aliases
    ]
