"""`minutes import`: whole imports that pass `minutes check`, and bad inputs that write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import SITE_INDEX
from generator.cli import main


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def api_record(issue_id: str, date: str, said: str, name: str = "本会議") -> dict[str, Any]:
    """A small meetingRecord of the API's `meeting` shape."""
    return {
        "issueID": issue_id, "nameOfHouse": "衆議院", "nameOfMeeting": name, "issue": "第1号", "date": date,
        "meetingURL": f"https://kokkai.ndl.go.jp/txt/{issue_id}", "pdfURL": None,
        "speechRecord": [
            {"speechOrder": 0, "speaker": "会議録情報", "speech": "令和六年十月九日（水曜日）\r\n○本日の会議に付した案件"},
            {"speechOrder": 1, "speaker": "額賀福志郎", "speakerPosition": "議長", "speakerGroup": "無所属",
             "speech": f"○議長（額賀福志郎君）　{said}"},
        ],
    }  # fmt: skip


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"meetingRecord": records}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "_index.md").write_text(SITE_INDEX, encoding="utf-8")
    return folder


@pytest.mark.corpus
def test_both_diet_files_import_and_pass_check(corpus: Path, content: Path) -> None:
    sources = [corpus / "kokkai" / "kokkai-2024-10.json", corpus / "kokkai" / "kokkai-2024-11.json"]
    result = run("import", *sources, "--body", "kokkai", "--content", content)
    assert result.exit_code == 0, result.output
    assert "imported 155 meetings (1588 utterances) from 2 files" in result.output
    written = files_under(content)
    assert len([f for f in written if not f.endswith("_index.md")]) == 155
    assert len([f for f in written if f.endswith("/_index.md")]) == 57
    assert "kokkai-05254/2024-10-09.md" in written
    assert (content / "kokkai-05254" / "_index.md").read_text(encoding="utf-8") == "---\ntitle: 衆議院 本会議\n---\n"
    # The report: where each meeting went, and who spoke how often.
    assert f"{content}/kokkai-05254/2024-10-09.md: 衆議院 本会議 第4号 (2024-10-09)" in result.output
    assert "  utterances: 80 (会長（浅田均君） 14, 野田佳彦君 13, 内閣総理大臣（石破茂君） 31, " in result.output

    check = run("check", "--content", content)
    assert check.exit_code == 0, check.output
    assert "check passed: 57 bodies, 155 meetings, 0 warning(s)" in check.output


@pytest.mark.corpus
def test_the_seed_meeting_imports_from_pdf_text_and_passes_check(corpus: Path, content: Path) -> None:
    seed = corpus / "raw" / "meguro-joho-kokai-2022-02-14.txt"
    result = run("import", seed, "--body", "joho-kokai", "--content", content)
    assert result.exit_code == 0, result.output
    assert f"{content}/joho-kokai/2022-02-14.md: 令和３年度第７回 情報公開・個人情報保護審議会 (2022-02-14)" in result.output
    assert "  utterances: 248 (会長 98, 区側 73, 委員 77)\n  headings: 11\n    ## １ 会長あいさつ\n" in result.output
    # Warnings name the source line, as `minutes check` does for content.
    assert f"{seed}:634: warning: dropped a page number" in result.output
    assert (content / "joho-kokai" / "_index.md").read_text(encoding="utf-8") == "---\ntitle: 情報公開・個人情報保護審議会\n---\n"
    check = run("check", "--content", content)
    assert check.exit_code == 0, check.output
    assert "check passed: 1 bodies, 1 meetings" in check.output


@pytest.mark.corpus
def test_body_title_names_a_new_body_and_one_date_twice_is_numbered(corpus: Path, content: Path, tmp_path: Path) -> None:
    text = (corpus / "raw" / "abira_20242001.txt").read_bytes()
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(text)
    # The same minutes in Shift_JIS: a second meeting of that body on that date.
    second.write_bytes(text.decode("utf-8").encode("cp932"))
    result = run("import", first, second, "--body", "abira", "--body-title", "安平町議会（臨時会）", "--content", content)
    assert result.exit_code == 0, result.output
    assert files_under(content / "abira") == ["2024-01-29-2.md", "2024-01-29.md", "_index.md"]
    assert (content / "abira" / "_index.md").read_text(encoding="utf-8") == "---\ntitle: 安平町議会（臨時会）\n---\n"
    assert f"{second}: warning: read as Shift_JIS (CP932)" in result.output
    assert (content / "abira" / "2024-01-29.md").read_bytes() == (content / "abira" / "2024-01-29-2.md").read_bytes()


def test_meetings_of_one_body_on_one_date_are_numbered_in_issue_order(tmp_path: Path, content: Path) -> None:
    source = write_json(
        tmp_path / "api.json",
        [
            api_record("121505254X00320241111", "2024-11-11", "三番目です。"),
            api_record("121505254X00120241111", "2024-11-11", "一番目です。"),
            api_record("121505254X00220241111", "2024-11-11", "二番目です。"),
            api_record("121504024X00120241111", "2024-11-11", "別の委員会です。", name="議院運営委員会"),
        ],
    )
    result = run("import", source, "--body", "diet", "--content", content)
    assert result.exit_code == 0, result.output
    said = {
        name: (content / "diet-05254" / name).read_text(encoding="utf-8").rsplit("　", 1)[1].strip()
        for name in ("2024-11-11.md", "2024-11-11-2.md", "2024-11-11-3.md")
    }
    assert said == {"2024-11-11.md": "一番目です。", "2024-11-11-2.md": "二番目です。", "2024-11-11-3.md": "三番目です。"}
    assert files_under(content / "diet-04024") == ["2024-11-11.md", "_index.md"]
    assert run("check", "--content", content).exit_code == 0


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path, content: Path) -> None:
    source = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "新しい記録です。")])
    target = content / "diet-05254" / "2024-10-09.md"
    target.parent.mkdir()
    target.write_text("staff's reviewed copy\n", encoding="utf-8")

    refused = run("import", source, "--body", "diet", "--content", content)
    assert refused.exit_code == 1
    assert f"{target}: error: file exists (from {source}); use --force to overwrite it" in refused.output
    assert target.read_text(encoding="utf-8") == "staff's reviewed copy\n"
    assert files_under(content / "diet-05254") == ["2024-10-09.md"]  # not even the body's _index.md

    forced = run("import", source, "--body", "diet", "--content", content, "--force")
    assert forced.exit_code == 0, forced.output
    assert "○議長（額賀福志郎君）　新しい記録です。" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.json", b"", "empty.json: error: file is empty"),
        ("blank.txt", b" \r\n\r\n", "blank.txt: error: file is empty"),
        ("binary.json", bytes(range(256)) * 4, "binary.json: error: binary file, not JSON"),
        ("broken.json", b'{"meetingRecord": [\n  {"issueID": }\n]}', "broken.json:2: error: not valid JSON: Expecting value"),
        ("list.json", b"[]", "list.json: error: list.json is not a 国会会議録検索システム API answer of the `meeting` shape"),
        ("speech.json", b'{"speechRecord": []}', "the `speech` shape"),
        ("binary.txt", bytes(range(256)) * 4, "binary.txt: error: binary file"),
        ("nobody.txt", "会議録\n\n本日は晴天なり。\n".encode(), "nobody.txt: error: no speaker found"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, content: Path, name: str, data: bytes, message: str
) -> None:
    good = write_json(tmp_path / "good.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    bad = tmp_path / name
    bad.write_bytes(data)
    result = run("import", good, bad, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing imported: 1 error" in result.output
    # The good file was read too, but nothing of it was written.
    assert files_under(content) == ["_index.md"]


def test_a_body_slug_that_cannot_be_a_url_is_refused(tmp_path: Path, content: Path) -> None:
    source = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", source, "--body", "会議", "--content", content)
    assert result.exit_code == 1
    assert "error: --body '会議' must be a folder name" in result.output
    assert files_under(content) == ["_index.md"]
