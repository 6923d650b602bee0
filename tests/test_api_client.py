"""Open data that 国会会議録 API clients read unchanged, and one archive holding several organizations.

`tests/api_client.py` is a client written from the API's documentation; it reads the corpus's real
answers and the site's files with the same code.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import main
from generator.content import load_archive
from tests import api_client
from tests.conftest import CORPUS, REPO, SITE_INDEX, TEMPLATES, meeting

FIXTURE = Path(__file__).parent / "fixtures" / "kokkai" / "meeting-one.json"


def run(*args: str | Path) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def squeezed(text: str) -> str:
    """Text without its spaces and line breaks, which the format lays out anew."""
    return re.sub(r"[\s\u3000]+", "", text)


def site_meetings(site: Path) -> dict[str, api_client.Meeting]:
    """Every meeting.json of a built site read by the client, by issueID."""
    found = {}
    for path in sorted(site.glob("*/*/meeting.json")):
        (record,) = api_client.read_answer(read_json(path), str(path))
        found[record.issue_id] = record
    return found


def bulk_meetings(site: Path) -> list[api_client.Meeting]:
    """data/meetings.json and the pages after it, followed by nextRecordPosition as a client would."""
    fetch = lambda start: read_json(site / f"data/meetings-{start}.json")  # noqa: E731
    return list(api_client.read_paged(read_json(site / "data/meetings.json"), fetch))


def test_the_client_reads_the_fixture_and_the_corpus(corpus: Path) -> None:
    (one,) = api_client.read_answer(read_json(FIXTURE))
    assert (one.house, one.name, one.issue) == ("参議院", "北朝鮮による拉致問題等に関する特別委員会", "第2号")
    meetings = [m for path in sorted((corpus / "kokkai").glob("*.json")) for m in api_client.read_answer(read_json(path), path.name)]
    assert len(meetings) == 155 and sum(len(m.speeches) for m in meetings) == 1588


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "site"
    build_site(REPO / "content", TEMPLATES, out)
    return out


def test_the_client_reads_every_meeting_json_of_the_seed_site(seed_site: Path) -> None:
    archive, _ = load_archive(REPO / "content")
    meetings = site_meetings(seed_site)
    assert len(meetings) == len(archive.meetings)
    for source in archive.meetings:
        read = meetings[source.path]
        assert (read.house, read.date) == ("目黒区", source.date.isoformat())
        assert read.header  # speechOrder 0, the meeting's header, is there
        assert [(s.order, s.label) for s in read.speeches] == [(u.number, u.speaker.label) for u in source.utterances]
        assert [squeezed(s.text) for s in read.speeches] == [squeezed(u.text) for u in source.utterances]
    assert [m.issue_id for m in bulk_meetings(seed_site)] == [m.path for m in archive.meetings]


def test_the_bulk_file_pages_are_followed_to_the_last_meeting(seed_site: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("generator.opendata.MEETINGS_PER_PAGE", 1)
    build_site(REPO / "content", TEMPLATES, tmp_path / "site")
    assert [m.issue_id for m in bulk_meetings(tmp_path / "site")] == [m.issue_id for m in bulk_meetings(seed_site)]


@pytest.fixture(scope="module")
def diet_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: these tests read ../shared/corpus")
    corpus = CORPUS
    root = tmp_path_factory.mktemp("diet")
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
    run("import", *sorted((corpus / "kokkai").glob("*.json")), "--content", content, "--body", "kokkai")
    build_site(content, TEMPLATES, root / "site")
    return root / "site"


def test_the_client_reads_an_imported_diet_meeting_as_the_api_gave_it(corpus: Path, diet_site: Path) -> None:
    sources = {m.issue_id: m for path in sorted((corpus / "kokkai").glob("*.json")) for m in api_client.read_answer(read_json(path))}
    published = site_meetings(diet_site)
    assert published.keys() == sources.keys()
    for issue_id, source in sources.items():
        read = published[issue_id]
        # 衆議院 / 本会議 / 第4号, as the API names them; not the site's organization (テスト区).
        assert (read.house, read.name, read.issue, read.date) == (source.house, source.name, source.issue, source.date)
        assert [(s.order, s.speaker, s.position, s.group, s.role, s.reading, s.label) for s in read.speeches] == [
            (s.order, s.speaker, s.position, s.group, s.role, s.reading, s.label) for s in source.speeches
        ]
        assert [squeezed(s.text) for s in read.speeches] == [squeezed(s.text) for s in source.speeches]
    assert len(bulk_meetings(diet_site)) == len(sources)


def test_speaker_role_and_reading_survive_import_and_build(tmp_path: Path) -> None:
    answer = read_json(FIXTURE)
    speeches = answer["meetingRecord"][0]["speechRecord"]
    speech = speeches[1]
    for same in speeches:
        if same["speaker"] == speech["speaker"]:
            same["speakerRole"], same["speakerYomi"] = "参考人", "てすとよみ"
    source = tmp_path / "answer.json"
    source.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
    run("import", source, "--content", content, "--body", "kokkai")
    (markdown,) = content.glob("kokkai-*/2*.md")
    assert "role: 参考人" in markdown.read_text(encoding="utf-8") and "reading: てすとよみ" in markdown.read_text(encoding="utf-8")
    build_site(content, TEMPLATES, tmp_path / "site")
    (read,) = site_meetings(tmp_path / "site").values()
    said = read.speeches[0]
    assert (said.role, said.reading, said.position) == ("参考人", "てすとよみ", speech["speakerPosition"])


TOWN_INDEX = "---\ntitle: 安平町議会 定例会\norganization: 安平町\nhouse: 安平町議会\n---\n"


def test_a_site_holding_a_town_and_the_diet_names_each_meetings_own_organization(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")  # organization: テスト区
    (content / "abira").mkdir()
    (content / "abira/_index.md").write_text(TOWN_INDEX, encoding="utf-8")
    (content / "abira/2024-03-05.md").write_text(meeting(title="令和6年第1回定例会", date="2024-03-05"), encoding="utf-8")
    run("import", FIXTURE, "--content", content, "--body", "kokkai")
    site = tmp_path / "site"
    build_site(content, TEMPLATES, site, base_url="https://example.org/")
    houses = {m.issue_id: (m.house, m.name, m.issue) for m in site_meetings(site).values()}
    assert houses == {
        "abira/2024-03-05": ("安平町議会", "定例会", "令和6年第1回定例会"),
        "121415253X00220241009": ("参議院", "北朝鮮による拉致問題等に関する特別委員会", "第2号"),
    }
    town = (site / "abira/2024-03-05/index.html").read_text(encoding="utf-8")
    (diet,) = [p.read_text(encoding="utf-8") for p in site.glob("kokkai-*/*/index.html")]
    for page, organization in ((town, "安平町"), (diet, "国会")):
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
        assert ld["publisher"]["name"] == ld["recordedAt"]["organizer"]["name"] == organization
        assert f'data-organization="{organization}"' in page  # the citation the page copies starts with it
        assert "テスト区" not in ld["publisher"]["name"]
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    authors = re.findall(r"<author>\s*<name>(.*?)</name>\s*</author>", feed)
    assert sorted(authors) == ["テスト区", "国会", "安平町"]  # the feed's own, then one per entry


def test_import_of_a_sites_meeting_json_gives_back_the_same_meetings(seed_site: Path, tmp_path: Path) -> None:
    archive, _ = load_archive(REPO / "content")
    for index, source in enumerate(archive.meetings):
        content = tmp_path / f"c{index}"
        content.mkdir()
        (content / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
        run("import", seed_site / source.path / "meeting.json", "--content", content, "--body", "x")
        back, problems = load_archive(content)
        assert back is not None, problems
        (again,) = back.meetings
        assert (again.title, again.date, again.time, again.venue) == (source.title, source.date, source.time, source.venue)
        assert [(u.number, u.speaker.label, u.speaker.name, u.speaker.position, u.speaker.group, u.text, u.item_id) for u in again.utterances] == [
            (u.number, u.speaker.label, u.speaker.name, u.speaker.position, u.speaker.group, u.text, u.item_id) for u in source.utterances
        ]
        assert [(d.item, d.result, d.subject, d.votes_for, d.votes_against, d.method) for d in again.decisions] == [
            (d.item, d.result, d.subject, d.votes_for, d.votes_against, d.method) for d in source.decisions
        ]
        assert [(a.id, a.title) for a in again.agenda] == [(a.id, a.title) for a in source.agenda]
        shutil.rmtree(content)
