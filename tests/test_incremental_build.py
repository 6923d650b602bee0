"""Warm builds: unchanged files are linked from the last site, unchanged meetings are not rendered
again, and whatever changed, the site is byte for byte the one a cold build makes."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from generator import build as build_module
from generator import output
from generator.build import build_site
from generator.content import load_archive
from generator.speaker_pages import collect_speakers
from generator.diagnostics import ContentError
from generator.output_reuse import RECORD_DIR, load_record, spare_path
from tests.conftest import CORPUS, REPO, TEMPLATES

BASE_URL = "https://example.org/minutes/"
KOKKAI_MEETINGS = 4
SPEECHES = 20


def kokkai_slice(content: Path) -> None:
    """Write the first meetings of a Diet API file of the corpus as a body of Markdown minutes."""
    data = json.loads((CORPUS / "kokkai" / "kokkai-2024-10.json").read_text(encoding="utf-8"))
    body = content / "kokkai"
    body.mkdir()
    (body / "_index.md").write_text("---\ntitle: 国会\n---\n", encoding="utf-8")
    for record in data["meetingRecord"][:KOKKAI_MEETINGS]:
        speeches = [s["speech"].replace("\r\n", "") for s in record["speechRecord"][1 : SPEECHES + 1]]
        title = f"{record['nameOfHouse']} {record['nameOfMeeting']} {record['issue']}"
        text = f"---\ntitle: {title}\ndate: {record['date']}\n---\n\n" + "\n\n".join(speeches) + "\n"
        name = f"{record['date']}-{record['issueID'][-12:-8]}.md"
        (body / name).write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled archive and a slice of the corpus's Diet minutes."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: these tests read ../shared/corpus")
    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    kokkai_slice(folder)
    return folder


def build(content: Path, out: Path, cache: Path | None, templates: Path = TEMPLATES) -> None:
    build_site(content, templates, out, base_url=BASE_URL, jobs=1, cache_dir=cache)


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


class Witness:
    """Every file of a site held open by its inode (a link would change the files' ctime), and its bytes now."""

    def __init__(self, site: Path):
        self.handles = {p.relative_to(site).as_posix(): p.open("rb") for p in sorted(site.rglob("*")) if p.is_file()}
        self.before = {rel: handle.read() for rel, handle in self.handles.items()}

    def now(self) -> dict[str, bytes]:
        """The bytes each held file has now."""
        now = {}
        for rel, handle in self.handles.items():
            handle.seek(0)
            now[rel] = handle.read()
            handle.close()
        return now


def add_meeting(content: Path, templates: Path) -> None:
    (content / "joho-kokai" / "2022-03-14.md").write_text(
        "---\ntitle: 第2回 情報公開・個人情報保護審議会\ndate: 2022-03-14\n---\n\n○会長　開会します。\n\n○委員（目黒花子）　質問します。\n",
        encoding="utf-8",
    )


def edit_utterance(content: Path, templates: Path) -> None:
    meeting = sorted((content / "kokkai").glob("2*.md"))[1]
    text = meeting.read_text(encoding="utf-8")
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("○") and "。" in line)
    lines[number] = lines[number].replace("。", "。（訂正）", 1)
    meeting.write_text("\n".join(lines), encoding="utf-8")


def remove_meeting(content: Path, templates: Path) -> None:
    sorted((content / "kokkai").glob("2*.md"))[0].unlink()


def retitle_body(content: Path, templates: Path) -> None:
    (content / "kokkai" / "_index.md").write_text("---\ntitle: 国会（衆議院）\n---\n", encoding="utf-8")


def change_template(content: Path, templates: Path) -> None:
    page = templates / "meeting.html"
    page.write_text(page.read_text(encoding="utf-8").replace("ページの先頭へ", "このページの先頭へ"), encoding="utf-8")


CHANGES: dict[str, Callable[[Path, Path], None]] = {
    "add a meeting": add_meeting,
    "edit one utterance": edit_utterance,
    "remove a meeting": remove_meeting,
    "retitle a body": retitle_body,
    "change a template": change_template,
}


def spare(cache: Path, site: Path) -> Path:
    """The spare site the last build into `site` kept in `cache`."""
    path = spare_path(cache, site)
    assert path is not None
    return path


@pytest.mark.parametrize("earlier", [1, 2], ids=["second build", "third build, over the spare site"])
@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_warm_build_after_a_change_is_the_cold_build_and_leaves_the_old_site_alone(change: str, earlier: int, content: Path, tmp_path: Path) -> None:
    """The second build writes into a fresh folder; from the third on, the site the last build
    replaced is written over: what it holds that the new site no longer has is gone, what
    changed is replaced, and the live site's files are never written through."""
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(TEMPLATES / "meeting.html", templates / "meeting.html")
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache, templates)
    assert not spare(cache, site).exists(), "a first build replaces no site"
    if earlier == 2:
        build(content, site, cache, templates)
        assert spare(cache, site).is_dir(), "the replaced site shares its files with the new one: it is kept"
    unchanged_page = site / "joho-kokai" / "2022-02-14" / "meeting.json"
    inode = unchanged_page.stat().st_ino
    old = Witness(site)

    CHANGES[change](content, templates)
    build(content, site, cache, templates)
    build(content, tmp_path / "cold", tmp_path / "cold-cache", templates)

    warm = site_files(site)
    assert warm == site_files(tmp_path / "cold")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == sorted(p.relative_to(tmp_path / "cold") for p in (tmp_path / "cold").rglob("*"))
    assert warm != old.before, "the change must show in the site"
    # The old site's files, held by their inodes, still have the bytes they had before the build.
    assert old.now() == old.before
    # An unchanged meeting's open data is the old file, linked, not written again.
    assert unchanged_page.stat().st_ino == inode
    assert spare(cache, site).is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_whatever_the_spare_site_holds_the_build_over_it_is_the_cold_build(content: Path, tmp_path: Path) -> None:
    """The spare is a folder in the cache: files put there, a file where the site has a folder
    and the other way round, a file with other bytes, are all set right."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    build(content, site, cache)
    kept = spare(cache, site)
    (kept / "stray.html").write_text("stray", encoding="utf-8")
    (kept / "old-body" / "2020-01-01").mkdir(parents=True)
    (kept / "old-body" / "2020-01-01" / "index.html").write_text("gone", encoding="utf-8")
    shutil.rmtree(kept / "joho-kokai" / "2022-02-14")
    (kept / "joho-kokai" / "2022-02-14").write_text("a file where a folder belongs", encoding="utf-8")
    (kept / "feed.xml").unlink()
    (kept / "feed.xml").mkdir()
    (kept / "feed.xml" / "index.html").write_text("a folder where a file belongs", encoding="utf-8")
    page = kept / "kokkai" / "index.html"
    page.unlink()
    page.write_text("other bytes", encoding="utf-8")
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == sorted(p.relative_to(tmp_path / "cold") for p in (tmp_path / "cold").rglob("*"))


def test_a_build_over_the_spare_site_leaves_the_files_it_shares_with_the_live_one_as_they_are(content: Path, tmp_path: Path) -> None:
    """No link, no write for a file unchanged since the site before: its inode's ctime, which any
    link or unlink of it moves, stays where it was."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    build(content, site, cache)
    unchanged = site / "joho-kokai" / "2022-02-14" / "index.html"
    before = unchanged.stat()
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    after = unchanged.stat()
    assert (after.st_ino, after.st_ctime_ns) == (before.st_ino, before.st_ctime_ns)


def test_a_cache_folder_inside_the_site_keeps_no_spare_site(content: Path, tmp_path: Path) -> None:
    """The spare would be moved away with the site it stands in: the old site is removed instead."""
    site = tmp_path / "site"
    cache = site / "cache"
    build(content, site, cache)
    build(content, site, cache)
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    assert [p for p in site.rglob("*") if p.name.endswith(".spare")] == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
    build(content, tmp_path / "cold", None)
    assert {rel: data for rel, data in site_files(site).items() if not rel.startswith("cache/")} == site_files(tmp_path / "cold")


def test_an_old_site_that_cannot_be_kept_as_the_spare_is_removed(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache on another file system than the site: the rename fails, the build does not."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    real_rename = os.rename

    def rename(source, target):  # noqa: ANN001, ANN202 - os.rename's signature
        if Path(target) == spare(cache, site):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(source, target)

    monkeypatch.setattr(output.os, "rename", rename)
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    assert not spare(cache, site).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold")


def test_only_the_pages_that_show_an_edited_meeting_are_rendered_again(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    edit_utterance(content, TEMPLATES)
    rendered: list[str] = []
    real = build_module.render_page

    def counting(env, page, urls, context):  # noqa: ANN001, ANN202 - the same signature as render_page
        rendered.append(page.url)
        return real(env, page, urls, context)

    monkeypatch.setattr(build_module, "render_page", counting)
    build(content, site, cache)
    edited = "kokkai/" + sorted((content / "kokkai").glob("2*.md"))[1].stem
    archive, _ = load_archive(content)
    speakers = collect_speakers(archive)
    assert any(a.meeting.path == edited for s in speakers for a in s.appearances)
    assert any(all(a.meeting.path != edited for a in s.appearances) for s in speakers)
    expected_speakers = {s.url for s in speakers if any(a.meeting.path == edited for a in s.appearances)}
    assert {url for url in rendered if url.startswith("speakers/") and url != "speakers/"} == expected_speakers
    meeting_and_body_pages = {url for url in rendered if url.startswith(("kokkai/", "joho-kokai/"))}
    assert meeting_and_body_pages == {f"{edited}/", "kokkai/"}


def test_a_warm_build_makes_only_the_search_files_of_what_changed(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept index knows which shards and text files it wrote from what: the others are linked without being made."""
    from generator.search import shards

    made_shards: list[bytes] = []
    made_texts: list[tuple[int, bytes]] = []  # (the meeting's place, the file)
    real_shard, real_text = shards._shard, shards._text_file

    def shard(terms):  # noqa: ANN001, ANN202
        made_shards.append(real_shard(terms))
        return made_shards[-1]

    def text_file(run):  # noqa: ANN001, ANN202
        made_texts.append((run[0].meeting, real_text(run)))
        return made_texts[-1][1]

    def search_files(site: Path, folder: str) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in (site / "search" / folder).iterdir()}

    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    monkeypatch.setattr(shards, "_shard", shard)
    monkeypatch.setattr(shards, "_text_file", text_file)
    build(content, site, cache)
    assert made_shards == [] and made_texts == [], "nothing changed: every shard and text file is the last build's"
    before = {folder: search_files(site, folder) for folder in ("shards", "text")}
    edit_utterance(content, tmp_path)
    build(content, site, cache)
    after = {folder: search_files(site, folder) for folder in ("shards", "text")}
    changed = {folder: sorted(data for name, data in after[folder].items() if before[folder].get(name) != data) for folder in after}
    # The utterance's terms sit in most of this small archive's shards, yet not in all of them:
    # exactly the shards whose bytes change are made.
    assert changed["shards"] and len(changed["shards"]) < len(after["shards"])
    assert sorted(made_shards) == changed["shards"]
    # Text files are made for the edited meeting only (all of its files, whichever changed).
    assert changed["text"] and {meeting for meeting, _ in made_texts} == {made_texts[0][0]}
    assert set(changed["text"]) <= {data for _, data in made_texts} and len(made_texts) < len(after["text"]) / 10
    build(content, tmp_path / "cold", tmp_path / "cold-cache")
    assert site_files(site) == site_files(tmp_path / "cold")


def test_after_each_build_the_record_matches_every_file_of_the_site_so_the_next_build_reads_none(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking a file and removing the old site's name of it both move its ctime: the record is
    taken once both happened, else the next build would read and hash every file to trust it."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    build(content, site, cache)
    edit_utterance(content, tmp_path)
    build(content, site, cache)
    record = load_record(cache, site)
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {output.SITE_MARKER}
    assert set(record.files) == on_disk
    assert [rel for rel, kept in record.files.items() if not kept.matches(os.lstat(site / rel))] == []
    read: list[str] = []
    real_read = output._read
    monkeypatch.setattr(output, "_read", lambda path: read.append(path) or real_read(path))
    build(content, site, cache)
    assert read == []


def test_a_build_that_fails_on_content_errors_leaves_the_site_untouched(content: Path, tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    edit_utterance(content, TEMPLATES)
    (content / "kokkai" / "2024-13-40.md").write_text("---\ntitle: 壊れた会議\ndate: 2024-13-40\n---\n\n○議長　開会します。\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build(content, site, cache)
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_a_file_edited_by_hand_in_the_site_is_written_again(content: Path, tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    cold = site_files(site)
    page = site / "joho-kokai" / "2022-02-14" / "index.html"
    feed = site / "feed.xml"
    with page.open("ab") as out:
        out.write(b"<!-- edited by hand -->")
    # A search text file and a shard, which the kept index knows it wrote: the record says they are not as written.
    text = sorted((site / "search" / "text").iterdir())[0]
    shard = sorted((site / "search" / "shards").iterdir())[0]
    for path in (text, shard):
        with path.open("ab") as out:
            out.write(b" ")
    # Same size and the old mtime: only the inode's contents changed (the record's inode check is all
    # that could tell), so a file put back with another inode is not trusted either.
    stat = feed.stat()
    feed.unlink()
    feed.write_bytes(cold["feed.xml"].replace(b"<", b"[", 1))
    os.utime(feed, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    build(content, site, cache)
    assert site_files(site) == cold


def test_a_site_restored_from_a_copy_is_reused_where_its_bytes_are_the_recorded_ones(content: Path, tmp_path: Path) -> None:
    """A CI cache or `cp -r` gives every file a new inode and ctime: the bytes decide, not the inode."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    site.rename(tmp_path / "moved")
    shutil.copytree(tmp_path / "moved", site)
    unchanged_page = site / "joho-kokai" / "2022-02-14" / "meeting.json"
    inode = unchanged_page.stat().st_ino
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold")
    assert unchanged_page.stat().st_ino == inode


def test_an_unreadable_record_is_a_cold_build(content: Path, tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    cold = site_files(site)
    for record in (cache / RECORD_DIR).iterdir():
        record.write_text('{"format": 1, "out": "', encoding="utf-8")
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold") != cold


def test_the_bulk_files_are_the_json_of_every_record(content: Path, tmp_path: Path) -> None:
    """data/meetings.json is put together from the meetings' own files: it must read as the records they hold."""
    site = tmp_path / "site"
    build(content, site, None)
    bulk = json.loads((site / "data" / "meetings.json").read_text(encoding="utf-8"))
    own = [json.loads(p.read_text(encoding="utf-8"))["meetingRecord"][0] for p in sorted(site.glob("*/*/meeting.json"))]
    assert sorted(bulk["meetingRecord"], key=lambda r: r["meetingPath"]) == sorted(own, key=lambda r: r["meetingPath"])
    assert (bulk["numberOfRecords"], bulk["numberOfReturn"], bulk["nextRecordPosition"]) == (len(own), len(own), None)
    text = (site / "data" / "meetings.json").read_text(encoding="utf-8")
    assert text == json.dumps(bulk, ensure_ascii=False, indent=1) + "\n"


HELPED_BUILD = """
import sys
from pathlib import Path
from generator import build
build.AGGREGATES_HELPER_MIN_UTTERANCES = 0
content, site, cache, templates = map(Path, sys.argv[1:5])
summary = build.build_site(content, templates, site, base_url=sys.argv[5], jobs=None, cache_dir=cache)
print(summary.memory.aggregates_writer)
"""


def helped_build(content: Path, site: Path, cache: Path) -> int:
    """A build with helpers allowed (jobs=None), in a fresh process: a test process may run other
    threads, and then the build forks no helper. Returns the open data writer's own memory."""
    done = subprocess.run(
        [sys.executable, "-c", HELPED_BUILD, str(content), str(site), str(cache), str(TEMPLATES), BASE_URL],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.split()[-1])


def test_helper_processes_write_the_same_site_and_the_record_knows_their_files(content: Path, tmp_path: Path) -> None:
    """With helpers allowed, forked processes write the open data and part of the search files;
    what they wrote is linked by the next build as what this process wrote."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    assert helped_build(content, site, cache) > 0, "the open data was not written by a helper"
    unchanged_data = site / "joho-kokai" / "2022-02-14" / "meeting.json"
    inode = unchanged_data.stat().st_ino
    edit_utterance(content, TEMPLATES)
    assert helped_build(content, site, cache) > 0
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold")
    assert unchanged_data.stat().st_ino == inode
    # The third build writes over the spare site, the helpers too.
    remove_meeting(content, TEMPLATES)
    assert helped_build(content, site, cache) > 0
    build(content, tmp_path / "cold-2", None)
    assert site_files(site) == site_files(tmp_path / "cold-2")
    assert unchanged_data.stat().st_ino == inode


def test_a_warm_build_does_not_compile_the_templates_again(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(content, site, cache)
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001, ANN202 - Jinja's signature
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    edit_utterance(content, TEMPLATES)
    build(content, site, cache)
    assert compiled == []
    build(content, tmp_path / "cold", None)
    assert site_files(site) == site_files(tmp_path / "cold")
    assert compiled, "without a cache the templates are compiled"
