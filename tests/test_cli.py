"""The command line: `python -m generator`, and a README that matches every command's --help."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_readme_documents_every_command_and_option(name: str) -> None:
    command = main.commands[name]
    assert f"minutes {name}" in README
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert any(opt in README for opt in param.opts), f"README lacks {param.opts} of minutes {name}"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and result.output.startswith(f"Usage: main {name} ")


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0
    assert all(f"  {name} " in result.stdout for name in main.commands)


def test_minutes_build_says_everything_before_it_ends_its_process(make_site, tmp_path) -> None:
    # Run from a shell, `minutes build` ends its process with os._exit once it has reported
    # (cli._report_build): into a pipe, where Python buffers, its closing line and its warnings
    # must still all arrive, with exit status 0 and the site in place.
    from tests.conftest import meeting

    content = make_site({"test/2022-02-14.md": meeting(), "test/minutes.md": meeting(title="第2回 テスト審議会", date="2022-03-01")})
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out), "--cache-dir", str(tmp_path / "cache")],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "LANGUAGE": "en"}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 2 meetings, 2 utterances, ")
    assert "test/minutes.md:" in result.stderr and "warning:" in result.stderr
    assert (out / "index.html").is_file() and (out / "permalinks.json").is_file() and (out / "search").is_dir()


def test_build_site_hands_the_summary_to_finish_once_the_site_is_in_place(make_site, tmp_path) -> None:
    from generator.build import build_site
    from tests.conftest import TEMPLATES, meeting

    content = make_site({"test/2022-02-14.md": meeting()})
    out = tmp_path / "site"
    seen = []
    summary = build_site(content, TEMPLATES, out, finish=lambda summary: seen.append((summary, (out / "index.html").is_file())))
    assert seen == [(summary, True)]
