"""`minutes check`: every diagnostic, with its exact text and the line it points at."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import meeting

M = "content/test/2022-02-14.md"

CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "yaml_does_not_parse": (
        {"test/2022-02-14.md": "---\ntitle: 第1回\ndate: 2022-02-14\nvenue: [会議室\n---\n\n○会長　開会します。\n"},
        [f"{M}:4: error: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"],
    ),
    "missing_title": (
        {"test/2022-02-14.md": "---\ndate: 2022-02-14\n---\n\n○会長　開会します。\n"},
        [f"{M}:1: error: missing 'title': every file of this kind needs one"],
    ),
    "invalid_date": (
        {"test/2022-02-14.md": meeting(date="2022-13-45")},
        [f"{M}:3: error: invalid date '2022-13-45': write a real date as YYYY-MM-DD"],
    ),
    "unknown_key": (
        {"test/2022-02-14.md": meeting(extra="place: 会議室\n")},
        [f"{M}:4: error: unknown front-matter key 'place' (known keys: title, date, time, venue, attendees, observers, materials, speakers, decisions, source_url, pdf_url, issue_id, updated, aliases, renumbered)"],
    ),
    "circle_without_label": (
        {"test/2022-02-14.md": meeting(body="○会長　開会します。\n\n○　本日は晴天です。\n")},
        [f"{M}:8: error: utterance has no speaker label: write ○<label>　<speech>, as in ○会長　本日は…"],
    ),
    "label_without_speech": (
        {"test/2022-02-14.md": meeting(body="○会長\n\n○区側　はい。\n")},
        [f"{M}:6: error: utterance '会長' has nothing after its label"],
    ),
    "no_space_after_label": (
        {"test/2022-02-14.md": meeting(body="○会長本日はお集まりいただき、どうもありがとうございます。それでは定刻になりましたので、ただいまより開会いたします。\n")},
        [f"{M}:6: error: utterance has no speaker label: put a full-width space after the label ('会長本日はお集まりいただ…' runs on for 57 characters)"],
    ),
    "same_url": (
        {"test/2022-02-14.md": meeting(), "test/2022-02-14.markdown": meeting()},
        ["content/test/2022-02-14.md:1: error: publishes to the same URL /test/2022-02-14/ as content/test/2022-02-14.markdown"],
    ),
    "not_utf8": (
        {"test/2022-02-14.md": meeting().encode("cp932")},
        [f"{M}:2: error: file is not UTF-8: save it as UTF-8 (minutes import converts Shift_JIS)"],
    ),
    "body_without_index": (
        {"other/2022-02-14.md": meeting()},
        ["content/other/_index.md:1: error: missing _index.md: every body folder needs one with a 'title'"],
    ),
    "file_name_date_differs": (
        {"test/2022-02-15.md": meeting()},
        ["content/test/2022-02-15.md:3: warning: file name says 2022-02-15 but date: is 2022-02-14"],
    ),
    "decision_names_unknown_item": (
        {"test/2022-02-14.md": meeting(extra="decisions:\n  - {item: item-9, result: 承認}\n", body="## １ 議事\n\n○会長　承認します。\n")},
        [f"{M}:5: error: decision names unknown agenda item 'item-9' (items: item-1)"],
    ),
    "list_in_record": (
        {"test/2022-02-14.md": meeting(body="○会長　開会します。\n\n- 箇条書き\n")},
        [f"{M}:8: error: a list is not allowed in the record: start the line with '\\' to keep it as text"],
    ),
    "wrong_heading_level": (
        {"test/2022-02-14.md": meeting(body="# 議事\n\n○会長　開会します。\n")},
        [f"{M}:6: error: agenda headings are '##' or '###', not '#'"],
    ),
    "no_front_matter": (
        {"test/2022-02-14.md": "○会長　開会します。\n"},
        [f"{M}:1: error: missing front matter: the file must start with a line '---'"],
    ),
    "control_character": (
        {"test/2022-02-14.md": meeting(body="○会長　開会\x0bします。\n")},
        [f"{M}:6: error: control character U+000B: remove it"],
    ),
    "source_url_not_http": (
        {"test/2022-02-14.md": meeting(extra="source_url: javascript:alert(1)\n")},
        [f"{M}:4: error: source_url 'javascript:alert(1)' must be an absolute http(s) URL"],
    ),
    "speaker_entry_line": (
        {"test/2022-02-14.md": meeting(extra="speakers:\n  会長: {name: 山田}\n  委員: 鈴木\n")},
        [f"{M}:6: error: speaker '委員' must be a mapping with keys name, position, group, side, role, reading"],
    ),
    "body_group_not_text": (
        {"test/_index.md": "---\ntitle: テスト審議会\ndescription: 説明\ngroup: [常任委員会, 特別委員会]\n---\n", "test/2022-02-14.md": meeting()},
        ["content/test/_index.md:4: error: 'group' must be text"],
    ),
    "body_unknown_key": (
        {"test/_index.md": "---\ntitle: テスト審議会\ngroups: 審議会\n---\n", "test/2022-02-14.md": meeting()},
        ["content/test/_index.md:3: error: unknown front-matter key 'groups' (known keys: title, description, group, organization, house)"],
    ),
    "body_organization_not_text": (
        {"test/_index.md": "---\ntitle: テスト審議会\norganization: [安平町, 国会]\nhouse: {a: 1}\n---\n", "test/2022-02-14.md": meeting()},
        ["content/test/_index.md:3: error: 'organization' must be text", "content/test/_index.md:4: error: 'house' must be text"],
    ),
    "reserved_body_folder": (
        {"search/_index.md": "---\ntitle: 検索\n---\n"},
        ["content/search:1: error: body folder 'search' would publish to the same URL as the site's own /search/ pages: rename it"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_diagnostic(case: str, make_site, monkeypatch) -> None:
    files, expected = CASES[case]
    content = make_site(files)
    monkeypatch.chdir(content.parent)
    result = CliRunner().invoke(main, ["check", "--content", "content"])
    lines = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert lines == expected
    assert result.exit_code == (1 if any(": error: " in line for line in expected) else 0)


def test_missing_site_index(make_site, monkeypatch) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    (content / "_index.md").unlink()
    monkeypatch.chdir(content.parent)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "content/_index.md:1: error: missing _index.md: the archive needs one with a 'title'" in result.stderr


def test_every_problem_is_reported_at_once(make_site, monkeypatch) -> None:
    content = make_site(
        {
            "test/2022-02-14.md": meeting(date="2022-13-45"),
            "test/2022-03-01.md": meeting(date="2022-03-01", body="○　名前がありません。\n"),
        }
    )
    monkeypatch.chdir(content.parent)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "content/test/2022-02-14.md:3: error: invalid date '2022-13-45': write a real date as YYYY-MM-DD",
        "content/test/2022-03-01.md:6: error: utterance has no speaker label: write ○<label>　<speech>, as in ○会長　本日は…",
    ]


def test_clean_content_passes(make_site, monkeypatch) -> None:
    content = make_site({"test/2022-02-14.md": meeting()})
    monkeypatch.chdir(content.parent)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "check passed: 1 bodies, 1 meetings, 0 warning(s)\n"
