"""The 東京都議会 minutes of ../shared/corpus/tokyo-assembly/ as Markdown minutes, for the benchmarks.

Each JSON file there is a plain list of meetings, `[{"Date": "2011/12/15", "ProceedingTitle": …,
"URL": …, "Proceeding": [{"Speaker": "中村議長", "Utterance": "…"}]}]`, with no importer of its
own. This helper maps every meeting onto the importer's `ImportedMeeting` and lets the importer's
writer produce the Markdown, so the format's escaping rules stay in one place
(generator/importer/writer.py). One body per JSON file:

    content/tokyo-<name>/_index.md          title: the committee's name, from the meeting titles
    content/tokyo-<name>/<date>[-N].md      N counts meetings of one date from 2, in file order

How the corpus's flaws are handled (each also reported as a warning):

- a meeting with an empty `Date` is skipped;
- a `"null"` speaker is a header: the first one (room, time, attendance, agenda) becomes the
  preamble; a later one (a document read into the record, the header of a later section) becomes
  a `##` heading of its first line and plain paragraphs of the rest, since a paragraph that
  merely followed an utterance would be read as part of that speech;
- an utterance with no text is skipped (the format has no empty utterance);
- a label with spaces in it (`議長 (石川良一君）`) loses the spaces (a label ends at the first space).

Every line of a speech becomes a paragraph of the utterance, its full-width indent trimmed.

Usage: `python benchmarks/tokyo_corpus.py CONTENT_DIR` writes the files (the folder must not
hold tokyo-* bodies yet) and prints the warnings; then `minutes check --content CONTENT_DIR`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    # Run as a script from anywhere: the generator package lives in the repository root.
    sys.path.insert(0, str(REPO))

from generator.importer.record import ImportedHeading, ImportedMeeting, ImportedParagraph, ImportedUtterance  # noqa: E402
from generator.importer.writer import meeting_to_markdown  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
TOKYO_DIR = "tokyo-assembly"
HEADER_SPEAKER = "null"
_WHITESPACE = re.compile(r"\s+")
# The record kind and issue number that end every meeting title: 速記録第一号, 会議録第七号, 会議録.
_TITLE_TAIL = re.compile(r"(?:速記録|会議録)(?:第.+号)?$")


@dataclass
class TokyoBody:
    """One tokyo-assembly file as a body: its folder name, title and dated meetings."""

    slug: str
    title: str
    source: Path
    meetings: list[ImportedMeeting] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def body_slug(path: Path) -> str:
    """The body folder of a file: `utterances_tokyo_bank.json` → `tokyo-bank`."""
    stem = path.stem.removeprefix("utterances_tokyo_").removesuffix("_withURL")
    return "tokyo-" + re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-")


def body_title(titles: list[str]) -> str:
    """The committee's name: the most common meeting title without its 速記録第…号 tail."""
    names = Counter(_TITLE_TAIL.sub("", title).strip() for title in titles)
    name = names.most_common(1)[0][0] if names else ""
    return f"東京都議会 {name}" if name else "東京都議会"


def _lines(text: str | None) -> list[str]:
    """The non-empty lines of `text`, each trimmed of its indent (half- and full-width spaces)."""
    lines = (line.strip() for line in (text or "").replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line]


def parse_meeting(item: dict, where: str, warnings: list[str]) -> ImportedMeeting | None:
    """One meeting of a tokyo-assembly file, or None (with a warning) when it has no date."""
    title = (item.get("ProceedingTitle") or "").strip() or "（無題）"
    if not item.get("Date"):
        warnings.append(f"{where}: warning: '{title}' has no date; skipped")
        return None
    year, month, day = (int(part) for part in item["Date"].split("/"))
    meeting = ImportedMeeting(title=title, date=dt.date(year, month, day), source_url=item.get("URL") or None)
    for number, speech in enumerate(item.get("Proceeding") or [], 1):
        speaker = (speech.get("Speaker") or "").strip()
        lines = _lines(speech.get("Utterance"))
        if speaker == HEADER_SPEAKER:
            if meeting.blocks and lines:
                meeting.blocks.append(ImportedHeading(2, lines[0], number))
                meeting.blocks.extend(ImportedParagraph(line, number) for line in lines[1:])
            else:
                meeting.preamble.extend(lines)
            continue
        if not lines:
            warnings.append(f"{where}: warning: '{title}' ({item['Date']}): utterance {number} of {speaker!r} is empty; skipped")
            continue
        label = _WHITESPACE.sub("", speaker)
        if label != speaker:
            warnings.append(f"{where}: warning: label {speaker!r} written as {label!r} (a label has no spaces)")
        meeting.blocks.append(ImportedUtterance(label=label, line=number, parts=[ImportedParagraph(line, number) for line in lines]))
    return meeting


def read_body(path: Path) -> TokyoBody:
    """Read one tokyo-assembly JSON file as a body of dated meetings."""
    items = json.loads(path.read_text(encoding="utf-8"))
    body = TokyoBody(slug=body_slug(path), title=body_title([i.get("ProceedingTitle") or "" for i in items]), source=path)
    for position, item in enumerate(items, 1):
        meeting = parse_meeting(item, f"{path.name}[{position}]", body.warnings)
        if meeting is not None:
            body.meetings.append(meeting)
    return body


def meeting_files(body: TokyoBody) -> dict[str, str]:
    """The Markdown files of `body`: path relative to the content folder → text."""
    files = {f"{body.slug}/_index.md": f"---\ntitle: {json.dumps(body.title, ensure_ascii=False)}\n---\n"}
    per_date: Counter[str] = Counter()
    for meeting in body.meetings:
        date = meeting.date.isoformat()
        per_date[date] += 1
        name = date if per_date[date] == 1 else f"{date}-{per_date[date]}"
        files[f"{body.slug}/{name}.md"] = meeting_to_markdown(meeting)
    return files


def write_tokyo(content: Path, corpus: Path = CORPUS, limit: int | None = None) -> tuple[int, list[str]]:
    """Write the tokyo-assembly bodies into `content`; returns (meetings written, warnings).

    `limit` keeps only the first meetings of each body in turn until that many are written, so a
    smaller corpus still spans every body.
    """
    bodies = [read_body(path) for path in sorted((corpus / TOKYO_DIR).glob("*.json"))]
    if limit is not None:
        _trim(bodies, limit)
    warnings: list[str] = []
    written = 0
    for body in bodies:
        warnings.extend(body.warnings)
        if not body.meetings:
            continue
        for rel, text in meeting_files(body).items():
            path = content / rel
            if path.exists():
                raise FileExistsError(f"{path} exists: write into a folder without tokyo-* bodies")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written += len(body.meetings)
    return written, warnings


def _trim(bodies: list[TokyoBody], limit: int) -> None:
    """Keep `limit` meetings in all, taken round-robin from the bodies, each in file order."""
    kept = [0] * len(bodies)
    remaining = limit
    while remaining > 0 and any(kept[i] < len(b.meetings) for i, b in enumerate(bodies)):
        for i, body in enumerate(bodies):
            if remaining and kept[i] < len(body.meetings):
                kept[i] += 1
                remaining -= 1
    for i, body in enumerate(bodies):
        body.meetings = body.meetings[: kept[i]]


def main(argv: list[str]) -> int:
    """Write the bodies into the folder named on the command line and print the warnings."""
    if len(argv) != 1:
        print(__doc__.split("Usage: ")[1].split("\n")[0], file=sys.stderr)
        return 2
    written, warnings = write_tokyo(Path(argv[0]))
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(f"wrote {written} meetings into {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
