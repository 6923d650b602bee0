"""Archives for the search tests, built straight from ../shared/corpus without the importers.

Small readers of their own: the tokyo-assembly JSON (a list of speaker and utterance per
meeting), the Diet API JSON, and the raw text of the Meguro meeting (labels 会長/区側/委員 at the
start of a line). They only need to give the search the same utterances every run.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.models import AgendaItem, Archive, Body, Meeting, Paragraph, SiteConfig, Utterance
from generator.search.index import SearchIndex, build_search_index, write_search_index
from generator.speakers import parse_label

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


def utterance(number: int, label: str, text: str, item_id: str | None = None) -> Utterance:
    """An utterance whose speech is `text`, one paragraph per line."""
    parts = [Paragraph(line, number) for line in text.split("\n")]
    # As the reader does: the label's shape gives the name the speaker filter and pages key on.
    return Utterance(number=number, speaker=parse_label(label), line=number, parts=parts, item_id=item_id)


def make_meeting(body: str, slug: str, title: str, date: dt.date, speeches: list[tuple[str, str]]) -> Meeting:
    """A meeting of `body` with one utterance per (label, text)."""
    meeting = Meeting(source=Path(f"{body}/{slug}.md"), body_slug=body, slug=slug, title=title, date=date)
    meeting.record = [utterance(n, label, text) for n, (label, text) in enumerate(speeches, 1)]
    return meeting


def archive(*bodies: Body) -> Archive:
    """An archive of `bodies`."""
    return Archive(config=SiteConfig(title="テスト会議録"), bodies=list(bodies))


def _slugs(meetings: list[Meeting]) -> None:
    """Give meetings that share a date the names `<date>`, `<date>-2`, … as the format does."""
    seen: dict[str, int] = {}
    for meeting in meetings:
        count = seen.get(meeting.slug, 0) + 1
        seen[meeting.slug] = count
        if count > 1:
            meeting.slug = f"{meeting.slug}-{count}"
            meeting.source = Path(f"{meeting.body_slug}/{meeting.slug}.md")


def tokyo_body(file_name: str, meetings: int | None = None) -> Body:
    """A body from one tokyo-assembly file (its first `meetings` dated meetings)."""
    data = json.loads((CORPUS / "tokyo-assembly" / file_name).read_text(encoding="utf-8"))
    slug = file_name.removeprefix("utterances_tokyo_").removesuffix(".json").removesuffix("_withURL")
    result: list[Meeting] = []
    for record in data:
        if not record["Date"]:
            continue
        date = dt.datetime.strptime(record["Date"], "%Y/%m/%d").date()
        speeches = [(u["Speaker"], u["Utterance"]) for u in record["Proceeding"] if u["Speaker"] != "null"]
        result.append(make_meeting(slug, date.isoformat(), record["ProceedingTitle"], date, speeches))
        if meetings is not None and len(result) == meetings:
            break
    result.sort(key=lambda m: m.date)
    _slugs(result)
    return Body(slug=f"tokyo-{slug}", title=f"東京都議会 {slug}", meetings=result)


SMALL_SPEECHES = [
    # One meeting of short speeches, each a case of the search tests; #N is the utterance number.
    ("会長", "ＧＩＧＡスクール構想の端末について、区から説明をお願いします。"),  # 1
    ("区側", "GIGAの端末はiPadです。スクールでの利用を進めます。"),  # 2
    ("委員", "子どもの安全について伺います。"),  # 3
    ("委員", "こどもの居場所づくりはどうですか。"),  # 4
    ("区側", "東日本大震災の教訓を踏まえ、マイナ保険証の扱いを検討します。"),  # 5
    ("委員", "大きな被害があった震災でした。"),  # 6
    ("委員", "東京都から要請が出ております。"),  # 7
    ("委員", "京都府の例を紹介します。"),  # 8
    ("委員", "日本人の観光客が増えました。"),  # 9
    ("区側", "本人の同意を得ております。"),  # 10
    ("議長", "本日はこれにて散会いたします。\n午後二時十一分散会"),  # 11
    ("委員", "機能の分散を図るべきです。"),  # 12
    ("委員", "リオデジャネイロ大会の例があります。"),  # 13
    ("委員", "ＬＧＷＡＮ－ＡＳＰの利用について、めぐろ区報で周知します。"),  # 14
    ("委員", "𠮟責ではなく、𠮟咤激励です。ｉＰａｄを使います。"),  # 15
]
BAD_QUERIES = [
    # lunr query syntax, punctuation only, very long, markup, control and broken characters.
    "10:00", "第1回:議事", "foo^", "-", "*", "~", "^", ":", "+-", "***", "。、・「」",
    "あ" * 1000, "ＧＩＧＡ" * 250, "<img src=x onerror=alert(1)>", "", "   ", "\u3000", "\x00", "𠮟",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "term~2", "field:term", "+GIGA -端末",
]  # fmt: skip




def write_small_site(out: Path, base_path: str) -> Path:
    """Write the search index of one meeting of SMALL_SPEECHES into `out` and return `out`."""
    from generator.search.index import build_search_index, write_search_index

    meeting = make_meeting("test", "2022-02-14", "第1回 テスト審議会", dt.date(2022, 2, 14), SMALL_SPEECHES)
    write_search_index(build_search_index(archive(Body("test", "テスト審議会", meetings=[meeting])), base_path), out)
    return out


_KOKKAI_LABEL = re.compile(r"^[○〇](?P<label>[^\u3000]+)\u3000")


def kokkai_body(file_name: str, meetings: int | None = None) -> Body:
    """A body from one Diet API file (its first `meetings` meetings), without the 会議録情報 headers."""
    data = json.loads((CORPUS / "kokkai" / file_name).read_text(encoding="utf-8"))
    result: list[Meeting] = []
    for record in data["meetingRecord"][:meetings]:
        speeches = []
        for speech in record["speechRecord"]:
            if speech["speechOrder"] == 0:
                continue
            text = speech["speech"].replace("\r\n", "\n")
            match = _KOKKAI_LABEL.match(text)
            label = match["label"] if match else speech["speaker"]
            speeches.append((label, text[match.end() :] if match else text))
        date = dt.date.fromisoformat(record["date"])
        title = f"第{record['session']}回国会 {record['nameOfHouse']} {record['nameOfMeeting']} {record['issue']}"
        result.append(make_meeting("kokkai", date.isoformat(), title, date, speeches))
    result.sort(key=lambda m: m.date)
    _slugs(result)
    return Body(slug="kokkai", title="国会", meetings=result)


_MEGURO_LABEL = re.compile(r"^ ?(?P<label>会長|区側|委員)(?:[ \u3000]+|$)")
_MEGURO_HEADING = re.compile(r"^[１-９][ \u3000]\S")
_PAGE_NUMBER = re.compile(r"^\s*-\s*\d+\s*-\s*$")


def meguro_body() -> Body:
    """The Meguro meeting of 2022-02-14 from its raw PDF text (a rough reading: enough for search)."""
    lines = (CORPUS / "raw" / "meguro-joho-kokai-2022-02-14.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if "発言記録＞" in line)
    meeting = Meeting(
        source=Path("joho-kokai/2022-02-14.md"), body_slug="joho-kokai", slug="2022-02-14",
        title="令和３年度第７回 情報公開・個人情報保護審議会", date=dt.date(2022, 2, 14),
    )  # fmt: skip
    record: list[AgendaItem | Utterance] = []
    current: list[str] | None = None
    label = ""
    item_id: str | None = None

    def close() -> None:
        if current is not None and "".join(current).strip():
            number = sum(isinstance(block, Utterance) for block in record) + 1
            record.append(utterance(number, label, "".join(current).strip(), item_id))

    for line in lines[start + 1 :]:
        line = line.rstrip()
        if not line.strip() or _PAGE_NUMBER.match(line):
            continue
        match = _MEGURO_LABEL.match(line)
        if _MEGURO_HEADING.match(line):
            close()
            current = None
            item_id = f"item-{sum(isinstance(block, AgendaItem) for block in record) + 1}"
            record.append(AgendaItem(id=item_id, level=2, title=line.strip(), line=0))
        elif match:
            close()
            label, current = match["label"], [line[match.end() :]]
        elif current is not None:
            current.append(line)
    close()
    meeting.record = list(record)
    return Body(slug="joho-kokai", title="情報公開・個人情報保護審議会", meetings=[meeting])


def sample_archive() -> Archive:
    """The archive the search tests run on: the bundled meeting and a slice of every corpus kind.

    The Meguro meeting read from its raw text (every topic of the issue's examples), one month of
    Diet meetings (大震災, マイナ保険証, 十一分散会) and the first Tokyo Olympic committee meetings
    (リオデジャネイロ, 東京都 and 京都): about 1,700 utterances, a build of a few seconds.
    """
    from generator.content import load_archive

    seed, _ = load_archive(REPO / "content")
    assert seed is not None, "content/ does not load: run 'minutes check'"
    meguro = meguro_body()
    meguro.slug = "meguro"
    for meeting in meguro.meetings:
        meeting.body_slug = "meguro"
    return Archive(
        config=seed.config,
        bodies=[*seed.bodies, meguro, kokkai_body("kokkai-2024-10.json"), tokyo_body("utterances_tokyo_olympic.json", 12)],
    )


@functools.cache
def sample_index(base_path: str = "/") -> SearchIndex:
    """The search index of `sample_archive()`, built once per test run."""
    return build_search_index(sample_archive(), base_path)


@functools.cache
def built_site(base_path: str = "/") -> Path:
    """A site folder holding the search files of `sample_index()`, written once per test run."""
    folder = Path(tempfile.mkdtemp(prefix="search-site-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    write_search_index(sample_index(base_path), folder)
    return folder


def run_node(script: str, arguments: list[str], queries: list[str]) -> list[dict]:
    """Run a Node script of tests/ with `arguments`, the queries as JSON on stdin; its JSON output."""
    node = shutil.which("node")
    assert node, "node is missing: the parity tests run the browser engine in Node"
    assert (REPO / "node_modules" / "lunr").is_dir(), "node_modules/lunr is missing: run 'npm ci' (make setup does)"
    completed = subprocess.run(
        [node, str(REPO / "tests" / script), *arguments],
        input=json.dumps(queries), capture_output=True, text=True, check=True,
        env={**os.environ, "NODE_PATH": str(REPO / "node_modules")},
    )  # fmt: skip
    return json.loads(completed.stdout)


def run_engine(site: Path, queries: list[str]) -> list[dict]:
    """Run the browser engine (templates/static/search-engine.js) in Node on `queries`."""
    return run_node("search_engine_runner.js", [str(site / "search")], queries)
