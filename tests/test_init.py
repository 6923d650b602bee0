"""`minutes init`: a new archive that checks and builds as written, and refusals that write nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO

ORGANIZATION = "安平町"
TITLE = "安平町議会 会議録"


def init(target: Path, *extra: str, organization: str = ORGANIZATION, title: str = TITLE):
    return CliRunner().invoke(main, ["init", str(target), "--organization", organization, "--title", title, *extra])


def files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_init_writes_an_archive_that_checks_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "anpira"
    result = init(target)
    assert result.exit_code == 0, result.output
    assert {".gitignore", ".github/workflows/site.yml", "README.md", "requirements.txt", "content/_index.md"} <= files_under(target)
    monkeypatch.chdir(target)
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    built = CliRunner().invoke(main, ["build"])
    assert built.exit_code == 0, built.output
    home = (target / "site" / "index.html").read_text(encoding="utf-8")
    assert TITLE in home and ORGANIZATION in home and "目黒区" not in home
    meeting_page = next((target / "site").glob("*/2025-04-01/index.html")).read_text(encoding="utf-8")
    assert "見本" in meeting_page


def test_the_sample_meeting_says_it_is_a_sample(tmp_path: Path) -> None:
    init(tmp_path / "x")
    (sample,) = (tmp_path / "x" / "content").glob("*/2025-04-01.md")
    text = sample.read_text(encoding="utf-8")
    assert "見本" in text.split("---")[1] and "消して" in text


def test_gitignore_keeps_the_build_and_the_cache_out(tmp_path: Path) -> None:
    init(tmp_path / "x")
    lines = (tmp_path / "x" / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/site/" in lines and "/.cache/" in lines


def test_workflow_checks_guards_permalinks_caches_tokens_and_deploys(tmp_path: Path) -> None:
    init(tmp_path / "x")
    workflow = yaml.safe_load((tmp_path / "x" / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert "minutes check\n" in runs + "\n"
    assert "minutes check --against previous-permalinks.json" in runs and "permalinks.json" in runs
    (cache,) = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"].split() == [".cache", "site"]
    assert uses.index(cache["uses"]) < [i for i, step in enumerate(steps) if "minutes build" in step.get("run", "")][0]
    assert any(use.startswith("actions/upload-pages-artifact@") for use in uses)
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert "pip install -r requirements.txt" in runs


def test_readme_tells_staff_in_japanese_how_to_build_serve_import_and_publish(tmp_path: Path) -> None:
    init(tmp_path / "x")
    readme = (tmp_path / "x" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {TITLE}\n")
    for words in ("minutes build", "minutes serve", "minutes import", "GitHub Actions", "Source", ".venv/bin/minutes", "source .venv/bin/activate"):
        assert words in readme
    assert "公開" in readme and "取り込む" in readme


def test_names_with_yaml_characters_are_kept_as_typed(tmp_path: Path) -> None:
    title = '"議会": 会議録 # @ORGANIZATION@'
    assert init(tmp_path / "x", title=title, organization="町: 議会").exit_code == 0
    settings = yaml.safe_load((tmp_path / "x" / "content" / "_index.md").read_text(encoding="utf-8").split("---")[1])
    assert settings["title"] == title and settings["organization"] == "町: 議会"


def test_base_url_is_written_to_the_settings(tmp_path: Path) -> None:
    assert init(tmp_path / "x", "--base-url", "https://example.org/gikai/").exit_code == 0
    settings = yaml.safe_load((tmp_path / "x" / "content" / "_index.md").read_text(encoding="utf-8").split("---")[1])
    assert settings["base_url"] == "https://example.org/gikai/"


def test_an_empty_existing_folder_is_accepted(tmp_path: Path) -> None:
    assert init(tmp_path).exit_code == 0
    assert (tmp_path / "content" / "_index.md").is_file()


@pytest.mark.parametrize(
    ("extra", "organization", "title", "message"),
    [
        ((), " ", TITLE, "--organization must not be empty"),
        ((), ORGANIZATION, "", "--title must not be empty"),
        ((), ORGANIZATION, "一行目\n二行目", "--title must be one line"),
        (("--base-url", "example.org/gikai"), ORGANIZATION, TITLE, "must be an absolute http(s) URL"),
        (("--base-url", "https://example.org/?v=1"), ORGANIZATION, TITLE, "must not carry a query"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(
    tmp_path: Path, extra: tuple[str, ...], organization: str, title: str, message: str
) -> None:
    result = init(tmp_path / "x", *extra, organization=organization, title=title)
    assert result.exit_code == 1
    assert message in result.output and "nothing was written" in result.output
    assert not (tmp_path / "x").exists()


def test_a_non_empty_folder_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    result = init(tmp_path, organization="")
    assert result.exit_code == 1
    # Every problem at once: the empty name and the folder.
    assert "is not empty" in result.output and "--organization must not be empty" in result.output
    assert files_under(tmp_path) == {"notes.txt"}


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("", encoding="utf-8")
    result = init(tmp_path / "x")
    assert result.exit_code == 1 and "is not a folder" in result.output


def test_the_sample_meeting_decision_names_its_agenda_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init(tmp_path / "x")
    monkeypatch.chdir(tmp_path / "x")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    (meeting_json,) = (tmp_path / "x" / "site").glob("*/2025-04-01/meeting.json")
    assert "原案のとおり可決" in json.dumps(json.loads(meeting_json.read_text(encoding="utf-8")), ensure_ascii=False)


# Small things a newcomer hit: the Makefile's chromium target without sudo. It runs on a copy of the
# Makefile with a PATH that holds neither chromium nor sudo, so nothing is installed.
def test_make_chromium_without_sudo_names_what_to_install(tmp_path: Path) -> None:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in ("sh", "apt-get", "id"):
        found = shutil.which(command)
        assert found is not None, f"{command} is needed by this test"
        (bin_dir / command).symlink_to(found)
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(
        [make, "chromium", "SUDO=sudo"], cwd=tmp_path, env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )  # fmt: skip
    assert result.returncode != 0
    assert "sudo is not installed" in result.stderr and "apt-get install -y chromium fonts-noto-cjk" in result.stderr


def test_make_serve_takes_port_and_host() -> None:
    make = shutil.which("make")
    assert make is not None
    # -n prints the recipe without running anything (set-up included).
    result = subprocess.run([make, "-n", "serve", "PORT=8080", "HOST=0.0.0.0"], cwd=REPO, capture_output=True, text=True)
    assert "minutes serve --host 0.0.0.0 --port 8080" in result.stdout
