"""`minutes import`: whole imports that pass `minutes check`; a bad file writes nothing and the others are imported."""

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
    assert (content / "kokkai-05254" / "_index.md").read_text(encoding="utf-8") == "---\ntitle: 衆議院 本会議\norganization: 国会\nhouse: 衆議院\n---\n"
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
    # The report names the source line, as `minutes check` does for content; a page number
    # dropped by rule is a note, a line that looks like a speaker and is none a warning.
    assert f"{seed}:634: note: dropped a page number: '- 9 -'\n" in result.output
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
    # How the bytes were read is a note, not a warning: --strict does not refuse a Shift_JIS file for it.
    assert f"{second}: note: read as Shift_JIS (CP932): the file is not UTF-8" in result.output
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
    other = write_json(tmp_path / "other.json", [api_record("121405254X00520241010", "2024-10-10", "別の日です。")])
    target = content / "diet-05254" / "2024-10-09.md"
    target.parent.mkdir()
    target.write_text("staff's reviewed copy\n", encoding="utf-8")

    refused = run("import", source, other, "--body", "diet", "--content", content)
    assert refused.exit_code == 1
    assert f"refused {source}: 1 error, nothing written from it\n{target}: error: file exists (from {source}); use --force to overwrite it\n" in refused.output
    assert target.read_text(encoding="utf-8") == "staff's reviewed copy\n"
    # The existing file refuses its own source only: the other file is imported.
    assert files_under(content / "diet-05254") == ["2024-10-09.md", "2024-10-10.md", "_index.md"]
    assert refused.output.endswith(f"imported 1 meeting (1 utterances) from 1 file into {content}; refused 1 file\n")

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
        ("speech.json", b'{"speechRecord": []}', "speech.json: error: speech.json is not a 国会会議録検索システム API answer of the `meeting` shape: it holds `speechRecord` at the top (the `speech` shape)"),
        ("binary.txt", bytes(range(256)) * 4, "binary.txt: error: binary file"),
        ("nobody.txt", "会議録\n\n本日は晴天なり。\n".encode(), "nobody.txt: error: no speaker found"),
    ],
)
def test_a_bad_file_is_refused_and_the_others_are_imported(
    tmp_path: Path, content: Path, name: str, data: bytes, message: str
) -> None:
    good = write_json(tmp_path / "good.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    bad = tmp_path / name
    bad.write_bytes(data)
    result = run("import", good, bad, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert f"refused {bad}: 1 error, nothing written from it\n{tmp_path}/{message}" in result.output
    assert result.output.endswith(f"imported 1 meeting (1 utterances) from 1 file into {content}; refused 1 file\n")
    assert files_under(content) == ["_index.md", "diet-05254/2024-10-09.md", "diet-05254/_index.md"]
    assert run("check", "--content", content).exit_code == 0


def test_a_body_slug_that_cannot_be_a_url_is_refused(tmp_path: Path, content: Path) -> None:
    source = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", source, "--body", "会議", "--content", content)
    assert result.exit_code == 1
    assert "error: --body '会議' must be a folder name" in result.output
    assert result.output.endswith("nothing imported: 1 error\n")
    assert files_under(content) == ["_index.md"]


MINUTES = (
    "名称\n第１回 テスト審議会\n日時\n令和４年２月１４日（月）午後２時から午後４時３０分まで\n\n"
    "会長　開会します。\n委員　質問です。\n会長　どうぞ。\n区側　お答えします。\n委員　了解です。\n会長　閉会します。\n"
)
"""Minutes text of one meeting: 会長 speaks three times, 委員 twice, 区側 once (line 9)."""


def write_text(path: Path, text: str = MINUTES) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_batch_imports_every_sound_file_and_lists_the_refused_ones(tmp_path: Path, content: Path) -> None:
    text = write_text(tmp_path / "shingikai.txt")
    # Word's manual line break (U+000B) in a speech: `minutes check` would refuse the file written.
    broken = write_text(tmp_path / "broken.txt", MINUTES.replace("質問です。", "質問\vです。"))
    api = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", text, broken, api, "--body", "shingikai", "--content", content)
    assert result.exit_code == 1
    assert f"refused {broken}: 1 error, nothing written from it\n{broken}:7: error: control character U+000B: remove it\n" in result.output
    assert result.output.endswith(f"imported 2 meetings (7 utterances) from 2 files into {content}; refused 1 file\n")
    assert files_under(content) == [
        "_index.md",
        "shingikai-05254/2024-10-09.md",
        "shingikai-05254/_index.md",
        "shingikai/2022-02-14.md",
        "shingikai/_index.md",
    ]
    check = run("check", "--content", content)
    assert check.exit_code == 0, check.output


def test_every_file_sound_exits_0_and_counts_no_refused_file(tmp_path: Path, content: Path) -> None:
    result = run("import", write_text(tmp_path / "a.txt"), "--body", "shingikai", "--content", content)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"imported 1 meeting (6 utterances) from 1 file into {content}; refused 0 files\n")
    assert "refused " + str(tmp_path) not in result.output


def test_the_summary_marks_a_speaker_heard_once_in_minutes_text(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "a.txt")
    result = run("import", source, "--body", "shingikai", "--content", content)
    assert "  utterances: 6 (会長 3, 委員 2, 区側 1 (once: check it))\n" in result.output
    # API JSON names its speakers itself: nothing to check there.
    api = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", api, "--body", "diet", "--content", content)
    assert "  utterances: 1 (議長（額賀福志郎君） 1)\n" in result.output


MARKED_MINUTES = (
    "名称\n第１回 テスト審議会\n日時\n令和４年２月１４日（月）午後２時\n"
    "○会長（山田太郎君）　開会します。\n○委員（鈴木花子君）　質問です。\n"
    "○あいうえおかきくけこ、これは何でしょう。\n○会長（山田太郎君）　閉会します。\n"
)
"""Minutes with marked labels and, on line 7, a marked line that names no speaker: a warning."""


def test_strict_turns_every_warning_of_a_file_into_an_error_of_that_file(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "a.txt", MARKED_MINUTES)
    api = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    strict = run("import", source, api, "--body", "shingikai", "--content", content, "--strict")
    assert strict.exit_code == 1
    # The API file has no warning and is imported; the text file is refused whole.
    assert files_under(content) == ["_index.md", "shingikai-05254/2024-10-09.md", "shingikai-05254/_index.md"]
    assert strict.output.endswith(f"imported 1 meeting (1 utterances) from 1 file into {content}; refused 1 file\n")

    plain = run("import", source, "--body", "shingikai", "--content", content)
    assert plain.exit_code == 0, plain.output
    warnings = [line for line in plain.output.splitlines() if ": warning: " in line]
    assert warnings, plain.output
    errors = [line.replace(": warning: ", ": error: ", 1) + " (a warning, an error under --strict)" for line in warnings]
    assert f"refused {source}: {len(errors)} error{'s' * (len(errors) != 1)}, nothing written from it\n" + "\n".join(errors) + "\n" in strict.output
    assert errors == [
        f"{source}:7: error: ○あいうえおかきくけこ、これは何でしょう。 is no speaker label (no role, no name in brackets, no 君): "
        "kept as text (a warning, an error under --strict)"
    ]


def test_strict_refuses_no_file_for_its_notes(tmp_path: Path, content: Path) -> None:
    # Where the record starts, a label alone on its line, the end time: notes of what was read by
    # rule, printed as `note:`, which --strict lets through.
    text = MINUTES.replace("区側　お答えします。", "区側\nお答えします。") + "\n閉会　午後４時３０分\n"
    source = write_text(tmp_path / "a.txt", text)
    result = run("import", source, "--body", "shingikai", "--content", content, "--strict")
    assert result.exit_code == 0, result.output
    assert f"{source}:6: note: the record starts here: the lines before it are read as the header\n" in result.output
    assert f"{source}:9: note: speaker label 区側 alone on its line: its speech read from the lines after it\n" in result.output
    assert ": warning: " not in result.output
    assert files_under(content / "shingikai") == ["2022-02-14.md", "_index.md"]


@pytest.mark.corpus
def test_strict_imports_the_corpus_minutes_text(corpus: Path, content: Path) -> None:
    # The 目黒区 and 安平町 minutes are read right: their reports hold notes only (page numbers
    # dropped, label words inside sentences such as `委員、お願いいたします。`), no warning.
    sources = sorted((corpus / "raw").glob("*.txt"))
    result = run("import", *sources, "--body", "raw", "--content", content, "--strict")
    assert result.exit_code == 0, result.output
    assert ": warning: " not in result.output
    assert f"{corpus / 'raw' / 'meguro-joho-kokai-2022-02-14.txt'}:2314: note: begins with the speaker label 委員" in result.output
    assert result.output.endswith(f"from {len(sources)} files into {content}; refused 0 files\n")


def test_one_meeting_in_two_files_refuses_both(tmp_path: Path, content: Path) -> None:
    first = write_json(tmp_path / "a.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    second = write_json(tmp_path / "b.json", [api_record("121405254X00420241009", "2024-10-09", "別の記録です。")])
    other = write_json(tmp_path / "c.json", [api_record("121405254X00520241010", "2024-10-10", "翌日です。")])
    result = run("import", first, second, other, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    message = "meeting 121405254X00420241009 is also in {}: import each meeting from one file only"
    assert f"refused {first}: 1 error, nothing written from it\n{first}: error: {message.format(second)}\n" in result.output
    assert f"refused {second}: 1 error, nothing written from it\n{second}: error: {message.format(first)}\n" in result.output
    assert files_under(content / "diet-05254") == ["2024-10-10.md", "_index.md"]


def test_a_refused_file_keeps_its_place_in_the_numbering(tmp_path: Path, content: Path) -> None:
    first = write_json(tmp_path / "a.json", [api_record("121405254X00120241009", "2024-10-09", "一番目です。")])
    second = write_json(tmp_path / "b.json", [api_record("121405254X00220241009", "2024-10-09", "二番目です。")])
    reviewed = content / "diet-05254" / "2024-10-09.md"
    reviewed.parent.mkdir()
    reviewed.write_text("staff's reviewed copy\n", encoding="utf-8")
    result = run("import", first, second, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert f"{reviewed}: error: file exists (from {first})" in result.output
    # The second meeting of the day stays `-2`, as it is when both files are imported together.
    assert files_under(content / "diet-05254") == ["2024-10-09-2.md", "2024-10-09.md", "_index.md"]
    assert "二番目です。" in (content / "diet-05254" / "2024-10-09-2.md").read_text(encoding="utf-8")
    assert reviewed.read_text(encoding="utf-8") == "staff's reviewed copy\n"


def test_a_file_named_twice_is_read_once(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "a.txt")
    result = run("import", source, source, "--body", "shingikai", "--content", content)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{source}: note: given more than once: read once\n")
    assert files_under(content / "shingikai") == ["2022-02-14.md", "_index.md"]


def test_a_file_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path, content: Path) -> None:
    # One answer, two committees: the second folder's name is taken by a file, so the first
    # meeting, staged already, must go too, with the folder made for it.
    source = write_json(
        tmp_path / "api.json",
        [
            api_record("121405254X00420241009", "2024-10-09", "本会議です。"),
            api_record("121504024X00120241111", "2024-11-11", "委員会です。", name="議院運営委員会"),
        ],
    )
    blocker = content / "diet-05254"
    blocker.write_text("not a folder\n", encoding="utf-8")
    other = write_text(tmp_path / "a.txt")
    result = run("import", source, other, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert f"refused {source}: 1 error, nothing written from it\n{blocker}/_index.md: error: cannot write: Not a directory\n" in result.output
    assert files_under(content) == ["_index.md", "diet-05254", "diet/2022-02-14.md", "diet/_index.md"]
    assert sorted(p.name for p in content.iterdir()) == ["_index.md", "diet", "diet-05254"]


def test_a_fault_of_the_importer_refuses_its_file_only(tmp_path: Path, content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.importer.pdftext as pdftext

    def broken(text: str, source_name: str, date: object = None) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(pdftext, "parse_pdf_text", broken)
    text = write_text(tmp_path / "a.txt")
    api = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", text, api, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert f"{text}: error: the importer failed on this file (RuntimeError: boom); please report it\n" in result.output
    assert files_under(content) == ["_index.md", "diet-05254/2024-10-09.md", "diet-05254/_index.md"]


# --- the meeting's date: --date and the file's name -----------------------------------------------

UNDATED = (Path(__file__).parent / "fixtures" / "import" / "real" / "kagoshima-pref-2015-1st-day8" / "minutes.txt").read_text(encoding="utf-8")
"""鹿児島県議会 minutes that print no calendar date (only 第8日目)."""


def test_minutes_that_print_no_date_are_refused_naming_both_ways_out(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "day8.txt", UNDATED)
    result = run("import", source, "--body", "kagoshima", "--body-title", "鹿児島県議会", "--content", content)
    assert result.exit_code == 1
    assert (
        f"{source}: error: no meeting date found in the header (the text before line 11, where the record starts) nor in the "
        "file's name: give it with --date YYYY-MM-DD, or name the file by the date, e.g. 2015-03-10.txt\n"
    ) in result.output
    assert not content.joinpath("kagoshima").exists()


def test_date_option_dates_one_undated_file(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "day8.txt", UNDATED)
    result = run("import", source, "--body", "kagoshima", "--body-title", "鹿児島県議会", "--content", content, "--date", "2015-03-10")
    assert result.exit_code == 0, result.output
    assert f"{source}: note: date given with --date: 2015-03-10 (the header prints none)\n" in result.output
    assert "date: 2015-03-10\n" in (content / "kagoshima" / "2015-03-10.md").read_text(encoding="utf-8")


def test_date_option_wins_over_the_header_with_a_warning(tmp_path: Path, content: Path) -> None:
    source = write_text(tmp_path / "a.txt")
    result = run("import", source, "--body", "shingikai", "--content", content, "--date", "2022-02-15")
    assert result.exit_code == 0, result.output
    assert f"{source}:3: warning: the header gives the date 2022-02-14, --date 2022-02-15: kept 2022-02-15\n" in result.output
    assert files_under(content / "shingikai") == ["2022-02-15.md", "_index.md"]


@pytest.mark.parametrize("name", ["2015-03-10.txt", "20150310.txt"])
def test_the_file_name_dates_an_undated_file_with_a_warning(tmp_path: Path, content: Path, name: str) -> None:
    source = write_text(tmp_path / name, UNDATED)
    result = run("import", source, "--body", "kagoshima", "--body-title", "鹿児島県議会", "--content", content)
    assert result.exit_code == 0, result.output
    assert f"{source}: warning: no date in the header: the date is the one the file is named by, 2015-03-10\n" in result.output
    assert files_under(content / "kagoshima") == ["2015-03-10.md", "_index.md"]
    # A date guessed from a name is a warning: --strict refuses it.
    strict = run("import", source, "--body", "kagoshima", "--content", content, "--force", "--strict")
    assert strict.exit_code == 1
    assert (
        f"{source}: error: no date in the header: the date is the one the file is named by, 2015-03-10 (a warning, an error under --strict)\n"
    ) in strict.output


def test_date_option_goes_with_one_minutes_text_only(tmp_path: Path, content: Path) -> None:
    first, second = write_text(tmp_path / "a.txt"), write_text(tmp_path / "b.txt")
    api = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    two = run("import", first, second, "--body", "shingikai", "--content", content, "--date", "2022-02-14")
    assert two.exit_code == 1
    assert two.output == "error: --date is the date of one meeting: give it with one minutes file, not 2\nnothing imported: 1 error\n"
    json_file = run("import", api, "--body", "diet", "--content", content, "--date", "2024-10-09")
    assert json_file.exit_code == 1
    assert "error: --date is for minutes text: API JSON gives each meeting's date itself\n" in json_file.output
    bad = run("import", first, "--body", "shingikai", "--content", content, "--date", "2022/02/14")
    assert bad.exit_code == 2
    assert "'2022/02/14' does not match the format '%Y-%m-%d'" in bad.output
    assert files_under(content) == ["_index.md"]
