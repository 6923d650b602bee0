"""`minutes serve` without sockets: how changes are sorted, what each rebuild does, what is served."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build_site, plan_pages
from generator.content import load_archive
from generator.serve.changes import (
    ChangeKind,
    KnownContent,
    PageWork,
    SourceFolders,
    classify,
    order_pages,
    plan_rebuild,
)
from generator.serve.live_site import LiveSite
from generator.serve.server import TargetKind, resolve_target, respond
from generator.serve.snapshot import Snapshot
from generator.serve.watcher import ChangeQueue
from tests.conftest import TEMPLATES, meeting

MEETINGS = {
    "test/2021-05-10.md": meeting("第1回 テスト審議会", "2021-05-10", "○会長　開会します。\n"),
    "test/2022-02-14.md": meeting("第2回 テスト審議会", "2022-02-14", "○会長　始めます。\n\n○委員　質問です。\n"),
    "other/2020-01-20.md": meeting("第1回 別の会議", "2020-01-20", "○議長　開きます。\n"),
    "other/_index.md": "---\ntitle: 別の会議\n---\n",
}


@pytest.fixture
def folders(tmp_path: Path) -> SourceFolders:
    for rel in ("content/test", "templates/static", "site"):
        (tmp_path / rel).mkdir(parents=True)
    return SourceFolders(tmp_path / "content", tmp_path / "templates", tmp_path / "site")


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Classifying one path -------------------------------------------------------------------------


def test_each_kind_of_source_is_recognized(folders: SourceFolders) -> None:
    content, templates = folders.content, folders.templates
    cases = {
        touch(content / "_index.md"): (ChangeKind.SITE, "_index.md"),
        touch(content / "test" / "_index.md"): (ChangeKind.BODY, "test/_index.md"),
        touch(content / "test" / "2022-02-14.md"): (ChangeKind.MEETING, "test/2022-02-14.md"),
        touch(content / "test" / "2022-02-14-2.markdown"): (ChangeKind.MEETING, "test/2022-02-14-2.markdown"),
        content / "test": (ChangeKind.CONTENT_ENTRY, "test"),
        touch(templates / "meeting.html"): (ChangeKind.TEMPLATE, "meeting.html"),
        touch(templates / "partials" / "nav.html"): (ChangeKind.TEMPLATE, "partials/nav.html"),
        touch(templates / "static" / "style.css"): (ChangeKind.STATIC, "style.css"),
        touch(templates / "static" / "img" / "logo.svg"): (ChangeKind.STATIC, "img/logo.svg"),
    }
    for path, (kind, rel) in cases.items():
        change = classify(path, folders)
        assert (change.kind, change.rel) == (kind, rel), path


def test_editor_scratch_files_output_and_unpublished_files_are_ignored(folders: SourceFolders) -> None:
    content = folders.content
    ignored = [
        content / "test" / ".2022-02-14.md.swp",  # vim swap file
        content / "test" / "2022-02-14.md~",  # backup
        content / "test" / "4913",  # vim's write probe
        content / "test" / ".#2022-02-14.md",  # emacs lock
        content / "test" / "#2022-02-14.md#",  # emacs autosave
        content / "test" / "2022-02-14.md___jb_tmp___",  # JetBrains safe write
        content / "test" / "notes.txt",  # not a meeting: never published
        content / "test" / "drafts" / "2022-03-01.md",  # too deep to be read
        content / ".git" / "index",
        folders.templates / ".meeting.html.swp",
        folders.output / "index.html",  # our own output
        folders.content.parent / "README.md",  # outside every watched folder
    ]
    for path in ignored:
        assert classify(path, folders).kind is ChangeKind.IGNORED, path


def test_a_removed_file_is_still_recognized(folders: SourceFolders) -> None:
    change = classify(folders.content / "test" / "2022-02-14.md", folders)
    assert (change.kind, change.exists) == (ChangeKind.MEETING, False)


# The rebuild plan -------------------------------------------------------------------------------

KNOWN = KnownContent(bodies=frozenset({"test"}), meetings=frozenset({"test/2022-02-14.md"}))


def plan_for(folders: SourceFolders, paths: list[Path], known: KnownContent = KNOWN):
    return plan_rebuild([classify(path, folders) for path in paths], known)


def test_an_edited_meeting_is_read_again_alone(folders: SourceFolders) -> None:
    plan = plan_for(folders, [touch(folders.content / "test" / "2022-02-14.md")])
    assert plan.meetings == {"test/2022-02-14.md"}
    assert not (plan.everything or plan.templates or plan.static or plan.bodies or plan.removed_meetings)


def test_an_editors_save_burst_is_one_meeting_to_read(folders: SourceFolders) -> None:
    # What vim does on :w with backups on: rename the file to a backup, write a new one, drop the backup.
    body = folders.content / "test"
    plan = plan_for(folders, [body / "4913", body / "2022-02-14.md~", touch(body / "2022-02-14.md"), body])
    assert plan.meetings == {"test/2022-02-14.md"}
    assert not plan.everything


def test_new_and_removed_meetings(folders: SourceFolders) -> None:
    body = folders.content / "test"
    plan = plan_for(folders, [touch(body / "2022-03-01.md"), body / "2022-02-14.md"])
    assert plan.meetings == {"test/2022-03-01.md"}
    assert plan.removed_meetings == {"test/2022-02-14.md"}
    assert not plan.everything


def test_a_meeting_file_that_came_and_went_changes_nothing(folders: SourceFolders) -> None:
    assert plan_for(folders, [folders.content / "test" / "2022-09-09.md"]).empty


def test_a_body_settings_edit_rereads_that_body_only(folders: SourceFolders) -> None:
    plan = plan_for(folders, [touch(folders.content / "test" / "_index.md")])
    assert plan.bodies == {"test"} and not plan.everything and not plan.meetings


@pytest.mark.parametrize(
    "make",
    [
        lambda c: touch(c / "_index.md"),  # the site's settings
        lambda c: c / "test" / "_index.md",  # a body losing its settings
        lambda c: touch(c / "new-body" / "2022-02-14.md"),  # a meeting in a new body folder
        lambda c: (c / "new-body").mkdir() or c / "new-body",  # a new body folder
    ],
)
def test_changes_that_are_not_local_reload_everything(folders: SourceFolders, make) -> None:
    plan = plan_for(folders, [make(folders.content)])
    assert plan.everything and plan.reasons


def test_a_removed_body_folder_reloads_everything(folders: SourceFolders) -> None:
    shutil.rmtree(folders.content / "test")
    assert plan_for(folders, [folders.content / "test"]).everything


def test_templates_rerender_without_rereading_content(folders: SourceFolders) -> None:
    plan = plan_for(folders, [touch(folders.templates / "base.html")])
    assert plan.templates and not plan.content and not plan.static


def test_a_static_file_is_only_copied(folders: SourceFolders) -> None:
    plan = plan_for(folders, [touch(folders.templates / "static" / "style.css")])
    assert plan.static and not plan.templates and not plan.content


def test_after_a_failed_load_any_content_change_loads_everything(folders: SourceFolders) -> None:
    meeting_path = touch(folders.content / "test" / "2022-02-14.md")
    template = touch(folders.templates / "base.html")
    failed = KnownContent(loaded=False)
    assert plan_for(folders, [meeting_path], failed).everything
    template_only = plan_for(folders, [template], failed)
    assert template_only.templates and not template_only.everything


# The debounce ---------------------------------------------------------------------------------


def test_a_burst_of_events_is_one_batch_once_quiet() -> None:
    now = [0.0]
    queue = ChangeQueue(quiet=0.1, max_delay=1.0, clock=lambda: now[0])
    queue.add([Path("a.md~")])
    now[0] = 0.05
    queue.add([Path("a.md"), Path("4913")])
    assert queue.take(0) is None  # still within the quiet time
    now[0] = 0.2
    assert queue.take(0) == {Path("a.md~"), Path("a.md"), Path("4913")}
    assert queue.take(0) is None


def test_a_steady_stream_of_events_still_gets_rebuilt() -> None:
    now = [0.0]
    queue = ChangeQueue(quiet=0.1, max_delay=1.0, clock=lambda: now[0])
    for step in range(13):
        now[0] = step * 0.09  # never quiet for 0.1 s, and the last at 1.08 s
        queue.add([Path(f"{step}.md")])
    assert queue.take(0) is not None  # the first event is over a second old


# Which pages come first -------------------------------------------------------------------------


def load(make_site, files: dict[str, str]):
    archive, diagnostics = load_archive(make_site(files))
    assert archive is not None, diagnostics
    return archive


def test_an_edited_speech_renders_its_page_and_its_lists_first_and_no_other_meeting(make_site) -> None:
    old = load(make_site, MEETINGS)
    edited = dict(MEETINGS, **{"test/2021-05-10.md": meeting("第1回 テスト審議会", "2021-05-10", "○会長　直しました。\n")})
    new = load(make_site, edited)
    order = order_pages(plan_pages(old), plan_pages(new), PageWork(meetings={"test/2021-05-10"}))
    assert order.first[:2] == ["", "test/"]  # the home page and the body page list it
    assert "test/2021-05-10/" in order.first
    assert "other/" not in order.first and "search/" not in order.first
    # The rest of the aggregates follow; other meetings' pages cannot show the edited speech.
    assert {"other/", "search/", "404.html"} <= set(order.rest)
    assert not {"test/2022-02-14/", "other/2020-01-20/"} & set(order.first + order.rest)


def test_a_changed_title_rerenders_every_page_that_may_show_it(make_site) -> None:
    archive = load(make_site, MEETINGS)
    pages = plan_pages(archive)
    order = order_pages(pages, pages, PageWork(meetings={"test/2021-05-10"}, listings=True))
    assert "test/2021-05-10/" in order.first
    assert {"test/2022-02-14/", "other/2020-01-20/", "other/"} <= set(order.rest)
    assert sorted(order.first + order.rest) == sorted(page.url for page in pages)


def test_a_template_change_renders_open_pages_first_then_all(make_site) -> None:
    pages = plan_pages(load(make_site, MEETINGS))
    order = order_pages(pages, pages, PageWork(all_pages=True), watched=frozenset({"other/2020-01-20/"}))
    assert order.first == ["other/2020-01-20/"]
    assert sorted(order.first + order.rest) == sorted(page.url for page in pages)


def test_a_removed_meeting_removes_its_page(make_site) -> None:
    old = load(make_site, MEETINGS)
    (old_content := make_site({})).joinpath("test", "2022-02-14.md").unlink()
    new, _ = load_archive(old_content)
    assert new is not None
    order = order_pages(plan_pages(old), plan_pages(new), PageWork(meetings={"test/2022-02-14"}, listings=True))
    assert order.removed == ["test/2022-02-14/"]
    assert "test/" in order.first


# The live site: rebuilds in memory --------------------------------------------------------------


def live(content: Path, templates: Path = TEMPLATES) -> LiveSite:
    site = LiveSite(content, templates, echo=lambda line: None)
    site.load_all()
    site.collect_assets()
    site.render_all()
    return site


def catch_up(site: LiveSite) -> None:
    while site.has_background_work:
        site.render_some()


def apply(site: LiveSite, folders: SourceFolders, *paths: Path) -> list[str]:
    site.apply(plan_rebuild([classify(p, folders) for p in paths], site.known()))
    return site.render_pending()


def site_folders(content: Path, templates: Path = TEMPLATES) -> SourceFolders:
    return SourceFolders(content.resolve(), templates.resolve())


def page(site: LiveSite, rel: str) -> str:
    return site.pages[rel].decode("utf-8")


def test_an_edited_meeting_is_published_without_reading_anything_else(make_site) -> None:
    content = make_site(MEETINGS)
    site = live(content)
    # Break another meeting behind the site's back: a rebuild that read it would report it.
    (content / "other" / "2020-01-20.md").write_text("no front matter\n", encoding="utf-8")
    (content / "test" / "2021-05-10.md").write_text(meeting("第1回 テスト審議会", "2021-05-10", "○会長　新しい発言です。\n"), encoding="utf-8")
    first = apply(site, site_folders(content), content / "test" / "2021-05-10.md")
    assert "新しい発言です。" in page(site, "test/2021-05-10/index.html")
    assert "test/2021-05-10/" in first and "test/2022-02-14/" not in first
    assert site.problems() == []


def test_a_template_change_rerenders_without_rereading_content(make_site, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    content = make_site(MEETINGS)
    site = live(content, templates)
    (content / "test" / "2021-05-10.md").write_text("no front matter\n", encoding="utf-8")
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<main id=\"main\">", "<main id=\"main\" data-edited=\"yes\">"), encoding="utf-8")
    apply(site, site_folders(content, templates), base)
    catch_up(site)
    assert site.problems() == []
    for rel, data in site.pages.items():
        assert b'data-edited="yes"' in data, rel
    assert "開会します。" in page(site, "test/2021-05-10/index.html")  # the content as first read


def test_a_static_file_change_updates_only_the_asset(make_site, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    site = live(make_site(MEETINGS), templates)
    pages_before = dict(site.pages)
    css = templates / "static" / "style.css"
    css.write_text("body { color: red }\n", encoding="utf-8")
    apply(site, site_folders(site.content_dir, templates), css)
    assert site.assets["assets/style.css"] == b"body { color: red }\n"
    assert all(site.pages[rel] is data for rel, data in pages_before.items())


def test_incremental_rebuilds_end_equal_to_a_full_build(make_site, tmp_path: Path) -> None:
    content = make_site(MEETINGS)
    site = live(content)
    folders = site_folders(content)
    body = content / "test"
    steps = [
        (body / "2021-05-10.md", meeting("改題した第1回", "2021-05-10", "○会長　直しました。\n")),  # title and speech
        (body / "2023-01-11.md", meeting("第3回 テスト審議会", "2023-01-11", "○会長　新しい会議です。\n")),  # new
        (body / "_index.md", "---\ntitle: 改名した審議会\ndescription: 説明\n---\n"),  # body settings
        (body / "2022-02-14.md", None),  # removed
    ]
    for path, text in steps:
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
        apply(site, folders, path)
    catch_up(site)
    build_site(content, TEMPLATES, tmp_path / "built")
    built = {p.relative_to(tmp_path / "built").as_posix(): p.read_bytes() for p in (tmp_path / "built").rglob("*.html")}
    assert site.pages == built


def test_a_broken_meeting_keeps_the_last_good_pages_and_names_file_and_line(make_site) -> None:
    content = make_site(MEETINGS)
    site = live(content)
    folders = site_folders(content)
    good = site.pages["test/2021-05-10/index.html"]
    path = content / "test" / "2021-05-10.md"
    path.write_text("---\ntitle: 第1回\ndate: 2021-05-10\nvenue: [unclosed\n---\n\n○会長　壊れた版。\n", encoding="utf-8")
    apply(site, folders, path)
    assert [str(p) for p in site.problems()] == [
        f"{content.as_posix()}/test/2021-05-10.md:4: error: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert site.pages["test/2021-05-10/index.html"] is good
    # Edits elsewhere wait too, and appear with the fix.
    other = content / "test" / "2022-02-14.md"
    other.write_text(meeting("第2回 テスト審議会", "2022-02-14", "○会長　待っていた編集。\n"), encoding="utf-8")
    apply(site, folders, other)
    assert "待っていた編集" not in page(site, "test/2022-02-14/index.html")
    path.write_text(meeting("第1回 テスト審議会", "2021-05-10", "○会長　直した版。\n"), encoding="utf-8")
    apply(site, folders, path)
    catch_up(site)
    assert site.problems() == []
    assert "直した版。" in page(site, "test/2021-05-10/index.html")
    assert "待っていた編集" in page(site, "test/2022-02-14/index.html")


def test_a_template_error_names_the_template_line_and_keeps_the_pages(make_site, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    site = live(make_site(MEETINGS), templates)
    good = dict(site.pages)
    template = templates / "body.html"
    lines = template.read_text(encoding="utf-8").split("\n")
    at = lines.index("<h1>{{ body.title }}</h1>")
    lines[at] = "<h1>{{ body.title | no_such_filter }}</h1>"
    template.write_text("\n".join(lines), encoding="utf-8")
    apply(site, site_folders(site.content_dir, templates), template)
    catch_up(site)
    problems = [str(p) for p in site.problems()]
    assert len(problems) == 1
    assert problems[0].startswith(f"{templates.as_posix()}/body.html:{at + 1}: error: No filter named 'no_such_filter'")
    assert site.pages == good
    lines[at] = "<h1>{{ body.title }}</h1>"
    template.write_text("\n".join(lines), encoding="utf-8")
    apply(site, site_folders(site.content_dir, templates), template)
    catch_up(site)
    assert site.problems() == []


# What a request gets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/assets/..%2f..%2fpyproject.toml",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/./index.html",
        "/assets\\..\\x",
        "/index.html%00.css",
        "http://127.0.0.1/etc/passwd",
        "*",
        "/minutes/../index.html",
    ],
)
def test_paths_outside_the_site_are_refused(raw: str) -> None:
    assert resolve_target(raw, "/").kind is TargetKind.NOT_FOUND
    snapshot = Snapshot(1, {"index.html": b"<html><body>home</body></html>", "404.html": b"<body>missing</body>"})
    response = respond(snapshot, raw)
    assert response.status == 404
    assert b"home" not in response.body


def test_pages_under_the_base_path() -> None:
    assert resolve_target("/minutes/joho/?q=1", "/minutes/").rel_path == "joho/index.html"
    assert resolve_target("/minutes", "/minutes/").location == "/minutes/"
    assert resolve_target("/joho/", "/minutes/").kind is TargetKind.NOT_FOUND
    assert resolve_target("/%E4%BC%9A%E8%AD%B0/", "/").rel_path == "会議/index.html"


def test_served_pages_get_the_overlay_escaped_and_the_reload_script() -> None:
    from generator.diagnostics import error

    problem = error("content/test/2022-02-14.md", 3, "title '<script>alert(1)</script>' & more")
    snapshot = Snapshot(2, {"test/index.html": b"<html><body class=x><p>page</p></body></html>"}, (problem,))
    body = respond(snapshot, "/test/").body.decode()
    assert body.index('<div id="minutes-problems"') < body.index("<p>page</p>")
    assert "content/test/2022-02-14.md:3: error: title &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; more" in body
    assert "<script>alert(1)" not in body
    assert body.index("EventSource") < body.index("</body>")
    assert respond(snapshot, "/test").status == 301  # a folder without its slash


def test_build_output_holds_no_reload_code(make_site, tmp_path: Path) -> None:
    build_site(make_site(MEETINGS), TEMPLATES, tmp_path / "site")
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"EventSource" not in data and b"__minutes__" not in data and b"minutes-problems" not in data, path
