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
from .models import Archive, Meeting, Utterance
from .pages import Page

MANIFEST_NAME = "permalinks.json"
MANIFEST_VERSION = 1
_WHITESPACE = re.compile(r"\s+")


class ManifestError(RuntimeError):
    """A previous manifest that cannot be read or is not a version 1 permalinks.json."""


def speech_digest(utterance: Utterance) -> str:
    """The SHA-256 of the speech after NFKC with all whitespace removed: reflowing text keeps it."""
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", utterance.text))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
            raise ManifestError(f"{source} is not JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("anchors"), dict):
            raise ManifestError(f"{source} is not a version {MANIFEST_VERSION} {MANIFEST_NAME}")
        anchors = data["anchors"]
        if not all(isinstance(v, dict) for v in anchors.values()):
            raise ManifestError(f"{source}: every meeting must map anchors to digests")
        return cls({str(path): {str(a): str(d) for a, d in found.items()} for path, found in anchors.items()})


def read_manifest(source: str) -> Manifest:
    """Read a manifest from a file path or an http(s) URL (the deployed site's permalinks.json)."""
    if re.match(r"https?://", source):
        try:
            with urllib.request.urlopen(source, timeout=30) as response:
                text = response.read().decode("utf-8")
        except OSError as exc:
            raise ManifestError(f"cannot fetch {source}: {exc}") from exc
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise ManifestError(f"cannot read {source}: {exc.strerror or exc}") from exc
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


def _ranges(anchors: list[str]) -> str:
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
                        f"meeting {path} is gone: its anchors {_ranges(list(old))} would stop working; "
                        f"if it moved, add 'aliases: [{path}]' to its new file",
                    )
                )  # fmt: skip
            continue
        diagnostics += _compare_meeting(meeting, path, old, content_dir)
    return diagnostics


def _compare_meeting(meeting: Meeting, old_path: str, old: dict[str, str], content_dir: Path) -> list[Diagnostic]:
    """The anchors of one published meeting that are gone or changed, not acknowledged by `renumbered:`."""
    shown = (content_dir / meeting.source).as_posix()
    current = {u.anchor: u for u in meeting.utterances}
    where_now = {}
    for utterance in meeting.utterances:
        where_now.setdefault(speech_digest(utterance), utterance.anchor)
    gone: list[str] = []
    changed: list[Utterance] = []
    for anchor, digest in old.items():
        if anchor in meeting.renumbered:
            continue
        utterance = current.get(anchor)
        if utterance is None:
            gone.append(anchor)
        elif speech_digest(utterance) != digest:
            changed.append(utterance)
    diagnostics = []
    name = meeting.path if old_path == meeting.path else f"{meeting.path} (formerly {old_path})"
    if gone:
        diagnostics.append(
            error(shown, meeting.utterances[-1].line if meeting.utterances else 1,
                  f"meeting {name}: anchors {_ranges(gone)} would disappear (the meeting now ends at "
                  f"s{len(meeting.utterances)}); map them in 'renumbered:'")
        )  # fmt: skip
    moved = {u.anchor: where_now[old[u.anchor]] for u in changed if old[u.anchor] in where_now}
    for utterance in changed:
        hint = f" (its old text is now at {moved[utterance.anchor]})" if utterance.anchor in moved else ""
        diagnostics.append(
            error(shown, utterance.line,
                  f"meeting {name}: anchor {utterance.anchor} now points to different text{hint}; "
                  f"acknowledge it in 'renumbered:' ({utterance.anchor}: {moved.get(utterance.anchor, utterance.anchor)})")
        )  # fmt: skip
    return diagnostics


def redirect_pages(archive: Archive) -> list[Page]:
    """A page at every `aliases:` path that sends readers (and their #fragment) to the meeting."""
    return [
        Page(f"{alias}/", "redirect.html", {"target": f"{meeting.path}/", "meeting": meeting})
        for meeting in archive.meetings
        for alias in meeting.aliases
    ]
