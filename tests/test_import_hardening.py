"""`minutes import` on hostile and damaged input: an error at the line, never a traceback, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.test_import_command import MINUTES, api_record, content, files_under, run, write_json  # noqa: F401

CARRIED = "1868-01-25 to 9998-12-31"


def refused(result: Result, source: Path, *errors: str) -> None:
    """Assert that `source` alone was refused, with exactly `errors`, and nothing was imported."""
    assert result.exit_code == 1, result.output
    count = len(errors)
    assert result.output == (
        f"refused {source}: {count} error{'s' * (count != 1)}, nothing written from it\n"
        + "".join(f"{error}\n" for error in errors)
        + f"imported 0 meetings (0 utterances) from 0 files into {source.parent / 'content'}; refused 1 file\n"
    )


def import_one(tmp_path: Path, name: str, data: bytes, *options: str) -> tuple[Result, Path]:
    source = tmp_path / name
    source.write_bytes(data)
    return run("import", source, "--body", "test", "--content", tmp_path / "content", *options), source


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        # The bytes of the report that found it: Python's cp932 codec read 0xA0 0xFD as U+F8F0 U+F8F1.
        (b"\x81\x7f\xa0\xfd", "bytes 0x81 0x7F 0xA0 0xFD are not Shift_JIS (CP932) text"),
        (b"\xa0", "byte 0xA0 is not Shift_JIS (CP932) text"),
        (b"\x80", "byte 0x80 is not Shift_JIS (CP932) text"),
        (b"\xff", "byte 0xFF is not Shift_JIS (CP932) text"),
    ],
)
def test_bytes_that_are_not_shift_jis_are_errors_at_their_line(tmp_path: Path, content: Path, damage: bytes, message: str) -> None:
    data = MINUTES.encode("cp932").replace("質問です".encode("cp932"), "質問".encode("cp932") + damage + "です".encode("cp932"))
    result, source = import_one(tmp_path, "sjis.txt", data)
    refused(result, source, f"{source}:7: error: {message}: the file is damaged here; correct this line, or export the minutes again")
    assert files_under(content) == ["_index.md"]


def test_a_user_defined_character_of_shift_jis_is_an_error(tmp_path: Path, content: Path) -> None:
    data = MINUTES.encode("cp932").replace("区側".encode("cp932"), b"\xf0\x40" + "側".encode("cp932"))
    result, source = import_one(tmp_path, "gaiji.txt", data)
    refused(
        result,
        source,
        f"{source}:9: error: user-defined character (外字) 0xF040: it has no standard meaning; replace it with the character it stands for",
    )


def test_every_line_with_a_control_character_is_reported_at_once(tmp_path: Path, content: Path) -> None:
    text = MINUTES.replace("開会", "開\x0b会").replace("どうぞ", "どう\x1bぞ")
    result, source = import_one(tmp_path, "controls.txt", text.replace("\n", "\r\n").encode("utf-8"))
    refused(
        result,
        source,
        f"{source}:6: error: control character U+000B: remove it",
        f"{source}:8: error: control character U+001B: remove it",
    )
    assert files_under(content) == ["_index.md"]


def test_a_date_before_meiji_in_minutes_text_is_an_error(tmp_path: Path, content: Path) -> None:
    text = MINUTES.replace("令和４年２月１４日", "明治元年１月１日")
    result, source = import_one(tmp_path, "meiji.txt", text.encode("utf-8"))
    assert result.exit_code == 1
    assert f"{source}: error: 第１回 テスト審議会: date 1868-01-01 is outside the dates minutes can carry, {CARRIED}\n" in result.output
    assert files_under(content) == ["_index.md"]


@pytest.mark.parametrize("date", ["1800-01-01", "1868-01-24", "9999-12-31"])
def test_a_json_meeting_date_outside_the_supported_range_is_an_error(tmp_path: Path, content: Path, date: str) -> None:
    data = json.dumps({"meetingRecord": [api_record("121405254X00420241009", date, "記録です。")]}, ensure_ascii=False)
    result, source = import_one(tmp_path, "old.json", data.encode("utf-8"))
    refused(
        result,
        source,
        f"{source}: error: meeting 121405254X00420241009: date {date} is outside the dates minutes can carry, {CARRIED}",
    )
    assert files_under(content) == ["_index.md"]


def test_the_first_and_last_dates_are_carried(tmp_path: Path, content: Path) -> None:
    records = [
        api_record("121405254X00118680125", "1868-01-25", "明治の初日です。"),
        api_record("121405254X00199981231", "9998-12-31", "最後の日です。"),
    ]
    result = run("import", write_json(tmp_path / "edge.json", records), "--body", "test", "--content", content)
    assert result.exit_code == 0, result.output
    check = run("check", "--content", content)
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"[" * 100_000, ":1: error: JSON nested too deeply to read: an API answer is a few levels deep, this one over 64"),
        (b'{"meetingRecord": [],\n "n": ' + b"9" * 5000 + b"}", ":2: error: a number of 5000 digits: an API answer has none over 100 digits"),
        (b'{"meetingRecord": [],\n\n "n": -' + b"9" * 101 + b"}", ":3: error: a number of 101 digits: an API answer has none over 100 digits"),
    ],
)
def test_json_no_answer_could_be_is_an_error_not_a_traceback(tmp_path: Path, content: Path, data: bytes, error: str) -> None:
    result, source = import_one(tmp_path, "hostile.json", data)
    refused(result, source, f"{source}{error}")


def test_control_characters_in_json_strings_are_errors_at_their_line(tmp_path: Path, content: Path) -> None:
    record = api_record("121405254X00420241009", "2024-10-09", "改\u000b行\u007fです。")
    text = json.dumps({"meetingRecord": [record]}, ensure_ascii=False, indent=1)
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "改" in row)
    # An escaped backslash before `u000b` is text, not a control character.
    text = text.replace("記録", "\\\\u000b")
    result, source = import_one(tmp_path, "controls.json", text.encode("utf-8"))
    refused(
        result,
        source,
        f"{source}:{line}: error: control character U+000B in a string: remove it",
        f"{source}:{line}: error: control character U+007F in a string: remove it",
    )


def test_lone_surrogates_and_noncharacters_in_json_strings_are_errors_at_their_line(tmp_path: Path, content: Path) -> None:
    # A lone `\ud800` in nameOfMeeting ended in a UnicodeEncodeError traceback; U+FFFF made
    # invalid feeds. A surrogate pair (an emoji) is one character and stays.
    record = api_record("121405254X00420241009", "2024-10-09", "記録SPEECHです。😀", name="本会議NAME")
    text = json.dumps({"meetingRecord": [record]}, ensure_ascii=False, indent=1)
    lines = {word: next(number for number, row in enumerate(text.splitlines(), 1) if word in row) for word in ("NAME", "SPEECH")}
    text = text.replace("NAME", "\\ud800").replace("SPEECH", "\\uFFFF\\udc00").replace("😀", "\\ud83d\\ude00")
    result, source = import_one(tmp_path, "surrogates.json", text.encode("utf-8"))
    refused(
        result,
        source,
        f"{source}:{lines['NAME']}: error: U+D800 in a string is not a text character: remove it",
        f"{source}:{lines['SPEECH']}: error: U+FFFF in a string is not a text character: remove it",
        f"{source}:{lines['SPEECH']}: error: U+DC00 in a string is not a text character: remove it",
    )
    assert files_under(content) == ["_index.md"]
    fine = text.replace("\\ud800", "").replace("\\uFFFF\\udc00", "")
    result, _ = import_one(tmp_path, "pair.json", fine.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "記録です。😀" in (content / "test-05254/2024-10-09.md").read_text(encoding="utf-8")
    assert run("check", "--content", content).exit_code == 0


def test_an_over_long_body_is_an_error_of_the_command(tmp_path: Path, content: Path) -> None:
    source = write_json(tmp_path / "api.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    result = run("import", source, "--body", "b" * 300, "--content", content)
    assert result.exit_code == 1
    assert result.output == (
        "error: --body is 300 characters long: at most 100 (it names the body's folder and is part of every URL of the body)\n"
        "nothing imported: 1 error\n"
    )
    assert files_under(content) == ["_index.md"]
    longest = run("import", source, "--body", "b" * 100, "--content", content)
    assert longest.exit_code == 0, longest.output
    assert files_under(content / f"{'b' * 100}-05254") == ["2024-10-09.md", "_index.md"]


@pytest.mark.parametrize("title", ["", "  ", "二行\nの名前", "制御\x0b文字"])
def test_a_body_title_that_cannot_be_a_title_is_an_error_of_the_command(tmp_path: Path, content: Path, title: str) -> None:
    source = tmp_path / "a.txt"
    source.write_text(MINUTES, encoding="utf-8")
    result = run("import", source, "--body", "test", "--body-title", title, "--content", content)
    assert result.exit_code == 1
    assert result.output == "error: --body-title must be one line of text, without control characters\nnothing imported: 1 error\n"
    assert files_under(content) == ["_index.md"]


def test_a_body_title_of_bytes_that_are_not_utf8_is_an_error_of_the_command(tmp_path: Path, content: Path) -> None:
    # `--body-title $'\\xff'`: Python hands such bytes over as lone surrogates, which were written
    # into _index.md as escapes that the build cannot write out.
    source = tmp_path / "a.txt"
    source.write_text(MINUTES, encoding="utf-8")
    result = run("import", source, "--body", "test", "--body-title", "審議\udcff\udcfe会", "--content", content)
    assert result.exit_code == 1
    assert result.output == "error: --body-title is not UTF-8 text: type it again, or set the terminal to UTF-8\nnothing imported: 1 error\n"
    assert files_under(content) == ["_index.md"]


def test_a_title_taken_from_a_file_name_of_odd_bytes_is_text_check_accepts(tmp_path: Path, content: Path) -> None:
    # Linux file names may hold bytes that are not UTF-8 (a Shift_JIS name from a zip made on
    # Windows) and control characters.
    source = tmp_path / os.fsdecode(b"\x91\xe61\x89\xf1\x0b.txt")
    source.write_text(MINUTES.replace("名称\n第１回 テスト審議会\n", ""), encoding="utf-8")
    result = run("import", source, "--body", "test", "--body-title", "テスト審議会", "--content", content)
    assert result.exit_code == 0, result.output
    assert "\\udc91\\udce61\\udc89\\udcf1\x0b.txt:1: warning: no 名称 or title line found: the title is the file's name, \ufffd\ufffd1\ufffd\ufffd\n" in result.output
    assert "title: \ufffd\ufffd1\ufffd\ufffd\n" in (content / "test/2022-02-14.md").read_text(encoding="utf-8")
    check = run("check", "--content", content)
    assert check.exit_code == 0, check.output


def test_a_file_name_that_is_not_utf8_is_printed_escaped_under_a_strict_locale(tmp_path: Path, content: Path) -> None:
    # Under ja_JP.UTF-8 Python's stdout refuses lone surrogates: printing the name ended in a traceback.
    source = tmp_path / os.fsdecode(b"\x91\xe6.txt")
    command = [sys.executable, "-m", "generator", "import", source, "--body", "test", "--content", content]
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", env=environment, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"{tmp_path}/\\udc91\\udce6.txt: error: cannot read: No such file or directory\n" in result.stdout
    assert result.stderr == ""


def test_a_missing_file_or_a_folder_refuses_itself_only(tmp_path: Path, content: Path) -> None:
    good = write_json(tmp_path / "good.json", [api_record("121405254X00420241009", "2024-10-09", "記録です。")])
    missing, folder = tmp_path / "missing.txt", tmp_path / "folder"
    folder.mkdir()
    result = run("import", missing, folder, good, "--body", "diet", "--content", content)
    assert result.exit_code == 1
    assert f"refused {missing}: 1 error, nothing written from it\n{missing}: error: cannot read: No such file or directory\n" in result.output
    assert f"refused {folder}: 1 error, nothing written from it\n{folder}: error: is a folder: give the minutes files themselves\n" in result.output
    assert files_under(content) == ["_index.md", "diet-05254/2024-10-09.md", "diet-05254/_index.md"]


def test_a_json_meeting_with_nothing_to_title_it_is_an_error(tmp_path: Path, content: Path) -> None:
    record = api_record("121405254X00420241009", "2024-10-09", "記録です。")
    record.update(issueID=" ", nameOfHouse="", nameOfMeeting=None, issue="")
    result, source = import_one(tmp_path, "untitled.json", json.dumps({"meetingRecord": [record]}).encode("utf-8"))
    refused(result, source, f"{source}: error: the meeting of 2024-10-09 has no nameOfHouse, nameOfMeeting, issue or issueID to title it")
