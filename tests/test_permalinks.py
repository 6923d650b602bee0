"""The permalink guard: permalinks.json, `minutes check --against`, `aliases:` and `renumbered:`."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import html5lib
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.cli import main
from generator.permalinks import speech_digest
from tests.conftest import REPO, TEMPLATES, meeting


def utterances(count: int, prefix: str = "発言") -> str:
    """A record of `count` utterances, each with its own text."""
    return "".join(f"○委員　{prefix}その{n}です。\n\n" for n in range(1, count + 1))


def check_against(content: Path, manifest: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--against", manifest])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture
def published(make_site, tmp_path: Path) -> tuple[Path, Path]:
    """A content folder with one meeting of 5 utterances, and the manifest of its published site."""
    content = make_site({"test/2022-02-14.md": meeting(body=utterances(5))})
    build_site(content, TEMPLATES, tmp_path / "published")
    return content, tmp_path / "published" / "permalinks.json"


def test_manifest_lists_every_anchor_with_the_digest_of_its_speech(published: tuple[Path, Path]) -> None:
    _, manifest = published
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["version"] == 1
    anchors = data["anchors"]["test/2022-02-14"]
    assert list(anchors) == ["s1", "s2", "s3", "s4", "s5"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for d in anchors.values())
    assert len(set(anchors.values())) == 5


def test_unchanged_content_passes_the_guard(published: tuple[Path, Path]) -> None:
    content, manifest = published
    code, output = check_against(content, str(manifest))
    assert code == 0, output


def test_reflowed_or_width_changed_text_keeps_its_anchor(published: tuple[Path, Path]) -> None:
    content, manifest = published
    path = content / "test/2022-02-14.md"
    # NFKC and whitespace removal: ３ and 3, a line break inside a paragraph, are the same speech.
    path.write_text(path.read_text(encoding="utf-8").replace("発言その3です。", "発言その\n３です。"), encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 0, output


def test_removed_utterance_fails_naming_meeting_anchors_and_lines(published: tuple[Path, Path]) -> None:
    content, manifest = published
    path = content / "test/2022-02-14.md"
    path.write_text(path.read_text(encoding="utf-8").replace("○委員　発言その2です。\n\n", ""), encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 1
    shown = f"{content.as_posix()}/test/2022-02-14.md"
    assert output.splitlines()[:3] == [
        f"{shown}:8: error: meeting test/2022-02-14: anchor s2 now points to different text; acknowledge it in 'renumbered:' (s2: s2)",
        # The old s3 and s4 are now s2 and s3: one run, with the entry that acknowledges it.
        f"{shown}:10: error: meeting test/2022-02-14: anchors s3–s4 now point to different text "
        "(their old text is now at s2–s3); acknowledge them in 'renumbered:' (s3-s4: s2-s3)",
        f"{shown}:12: error: meeting test/2022-02-14: anchor s5 would disappear "
        "(the meeting now ends at s4; its old text is now at s4); map it in 'renumbered:' (s5: s4)",
    ]
    assert "check failed" in output


def test_renumbered_acknowledges_the_shift(published: tuple[Path, Path]) -> None:
    content, manifest = published
    path = content / "test/2022-02-14.md"
    text = path.read_text(encoding="utf-8").replace("○委員　発言その2です。\n\n", "")
    # The old s2 is gone (its links now open s1, the utterance before it); s3-s5 moved up by one.
    text = text.replace("date: 2022-02-14\n", "date: 2022-02-14\nrenumbered: {s2: s1, s3-s5: s2-s4}\n")
    path.write_text(text, encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 0, output


def test_corrected_text_at_the_same_anchor_is_reported_until_acknowledged(published: tuple[Path, Path]) -> None:
    content, manifest = published
    path = content / "test/2022-02-14.md"
    text = path.read_text(encoding="utf-8").replace("発言その4です。", "発言その四です。")
    path.write_text(text, encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 1
    assert "anchor s4 now points to different text; acknowledge it in 'renumbered:' (s4: s4)" in output
    path.write_text(text.replace("date: 2022-02-14\n", "date: 2022-02-14\nrenumbered: {s4: s4}\n"), encoding="utf-8")
    assert check_against(content, str(manifest))[0] == 0


def test_moved_meeting_needs_an_alias_and_gets_a_redirect(published: tuple[Path, Path], tmp_path: Path) -> None:
    content, manifest = published
    (content / "test/2022-02-14.md").rename(content / "test/2022-02-14-1.md")
    code, output = check_against(content, str(manifest))
    assert code == 1
    assert "error: meeting test/2022-02-14 is gone: its anchors s1–s5 would stop working; if it moved, add 'aliases: [test/2022-02-14]' to its new file" in output

    moved = content / "test/2022-02-14-1.md"
    moved.write_text(moved.read_text(encoding="utf-8").replace("date: 2022-02-14\n", "date: 2022-02-14\naliases: [test/2022-02-14]\n"), encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 0, output

    build_site(content, TEMPLATES, tmp_path / "site")
    redirect = (tmp_path / "site/test/2022-02-14/index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../2022-02-14-1/"' in redirect
    assert 'location.replace("../2022-02-14-1/" + location.search + location.hash)' in redirect
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(redirect)
    assert parser.errors == []


def test_guard_reads_the_manifest_of_a_deployed_site(published: tuple[Path, Path], static_server) -> None:
    content, manifest = published
    root = static_server(manifest.parent, "/minutes/")
    path = content / "test/2022-02-14.md"
    path.write_text(path.read_text(encoding="utf-8").replace("○委員　発言その5です。\n\n", ""), encoding="utf-8")
    code, output = check_against(content, root + "permalinks.json")
    assert code == 1
    assert "anchor s5 would disappear (the meeting now ends at s4); map it in 'renumbered:'" in output


def test_unreadable_manifest_is_a_clear_failure(published: tuple[Path, Path], tmp_path: Path) -> None:
    content, _ = published
    (tmp_path / "other.json").write_text('{"anchors": {}}', encoding="utf-8")
    code, output = check_against(content, str(tmp_path / "other.json"))
    assert code == 2
    assert "is not a version 1 permalinks.json" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("renumbered: {s9: s7}\n", "renumbered entry 's9: s7' leads to s7, but the meeting has only 5 utterances"),
        ("renumbered: {9: s1}\n", "renumbered entry '9: s1' must map an anchor sN to an anchor sN (or sA-sB to sC-sD)"),
        ("renumbered: {s3-s5: s2-s3}\n", "renumbered entry 's3-s5: s2-s3' maps 3 anchors to 2"),
        ("renumbered: [s1]\n", "'renumbered' must map old anchors to new ones, as in s13: s12"),
        ("aliases: [test/2022-02-14]\n", "alias 'test/2022-02-14' is the meeting's own path"),
        ("aliases: [../x]\n", "alias '../x' must be an old meeting path such as joho-kokai/2022-02-14"),
    ],
)
def test_correction_keys_are_checked(make_site, extra: str, message: str) -> None:
    content = make_site({"test/2022-02-14.md": meeting(body=utterances(5), extra=extra)})
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert f"{content.as_posix()}/test/2022-02-14.md:4: error: {message}" in result.output + result.stderr


def test_alias_may_not_take_another_meetings_path(make_site) -> None:
    content = make_site(
        {
            "test/2022-02-14.md": meeting(),
            "test/2022-03-01.md": meeting(date="2022-03-01", extra="aliases: [test/2022-02-14]\n"),
        }
    )
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert (
        f"{content.as_posix()}/test/2022-03-01.md:4: error: alias 'test/2022-02-14' is the path of "
        f"{content.as_posix()}/test/2022-02-14.md: a redirect there would replace that meeting"
    ) in result.output + result.stderr


def test_removing_an_utterance_from_the_bundled_archive_fails_the_guard(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    build_site(content, TEMPLATES, tmp_path / "published")
    manifest = tmp_path / "published" / "permalinks.json"
    count = len(json.loads(manifest.read_text(encoding="utf-8"))["anchors"]["joho-kokai/2022-02-14"])
    path = content / "joho-kokai/2022-02-14.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    fourth = [i for i, line in enumerate(lines) if line.startswith("○")][3]
    del lines[fourth]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, output = check_against(content, str(manifest))
    assert code == 1
    assert f"meeting joho-kokai/2022-02-14: anchor s{count} would disappear" in output
    assert "meeting joho-kokai/2022-02-14: anchor s4 now points to different text" in output
    assert f"meeting joho-kokai/2022-02-14: anchors s5–s{count - 1} now point to different text" in output


def test_a_shift_is_reported_as_one_run_even_where_short_speeches_recur(make_site, tmp_path: Path) -> None:
    # Every other utterance is the same ありがとうございます。, as in real minutes.
    body = "".join(f"○委員　質問{n}です。\n\n○会長　ありがとうございます。\n\n" for n in range(1, 6))
    content = make_site({"test/2022-02-14.md": meeting(body=body)})
    build_site(content, TEMPLATES, tmp_path / "published")
    path = content / "test/2022-02-14.md"
    path.write_text(path.read_text(encoding="utf-8").replace("○委員　質問2です。\n\n", ""), encoding="utf-8")
    code, output = check_against(content, str(tmp_path / "published/permalinks.json"))
    assert code == 1
    assert [line.split(": error: ")[1] for line in output.splitlines()[:3]] == [
        "meeting test/2022-02-14: anchor s3 now points to different text; acknowledge it in 'renumbered:' (s3: s3)",
        "meeting test/2022-02-14: anchors s4–s9 now point to different text (their old text is now at s3–s8); "
        "acknowledge them in 'renumbered:' (s4-s9: s3-s8)",
        "meeting test/2022-02-14: anchor s10 would disappear (the meeting now ends at s9; its old text is now at s9); "
        "map it in 'renumbered:' (s10: s9)",
    ]


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(codec="utf-8")) | st.text("ｉＰａｄ　 \t\n\u00a0\u2028\u3000\u1680\x1c\x85①ｶﾞ가가あ（）"))
def test_a_speech_keeps_the_digest_deployed_manifests_hold(text: str) -> None:
    # The definition every published permalinks.json was made with: NFKC, then no whitespace.
    published = hashlib.sha256(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).encode("utf-8")).hexdigest()
    assert speech_digest(SimpleNamespace(text=text)) == published
