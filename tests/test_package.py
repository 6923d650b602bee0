"""The installable package: its default theme, the lunr.js it ships, and a site built by an installed `minutes`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.theme import LUNR_JS, default_theme_dir
from tests.conftest import REPO

NPM_LUNR = REPO / "node_modules" / "lunr"


def test_shipped_lunr_js_is_the_npm_package_2_3_9_minified_build_byte_for_byte() -> None:
    assert json.loads((NPM_LUNR / "package.json").read_text(encoding="utf-8"))["version"] == "2.3.9"
    assert LUNR_JS.read_bytes() == (NPM_LUNR / "lunr.min.js").read_bytes()
    # Its licence travels with it, as the MIT licence asks.
    assert (LUNR_JS.parent / "LICENSE").read_bytes() == (NPM_LUNR / "LICENSE").read_bytes()


def test_in_a_checkout_the_default_theme_is_the_top_level_templates_folder() -> None:
    assert default_theme_dir() == REPO / "templates"


def test_a_site_templates_folder_overrides_a_template_and_an_asset_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "templates" / "static").mkdir(parents=True)
    (tmp_path / "templates" / "404.html").write_text("<p>ページがありません（{{ site.title }}）</p>\n", encoding="utf-8")
    (tmp_path / "templates" / "static" / "style.css").write_text("body { color: navy; }\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-cache"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert (site / "404.html").read_text(encoding="utf-8").startswith("<p>ページがありません（")
    assert (site / "assets" / "style.css").read_text(encoding="utf-8") == "body { color: navy; }\n"
    # Everything the site does not override comes from the default theme.
    default = REPO / "templates"
    assert (site / "assets" / "search.css").read_bytes() == (default / "static" / "search.css").read_bytes()
    assert "会議録を検索" in (site / "index.html").read_text(encoding="utf-8")


def test_without_a_site_templates_folder_the_default_theme_builds_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "assets" / "style.css").read_bytes() == (REPO / "templates" / "static" / "style.css").read_bytes()


def test_an_explicit_templates_folder_that_is_missing_is_still_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--templates", "theme"])
    assert result.exit_code == 1
    assert "--templates theme is not a folder" in result.output
    assert not (tmp_path / "site").exists()


def test_docs_list_every_template_of_the_default_theme() -> None:
    documented = set(re.findall(r"^\| `([\w-]+\.html)` \|", (REPO / "docs" / "templates.md").read_text(encoding="utf-8"), re.M))
    assert documented == {p.name for p in (REPO / "templates").glob("*.html")}


def _install_clean_clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """`pip install` a git clone (no node_modules/) into a new venv and delete the clone; the venv and its env."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    assert not (clone / "node_modules").exists()
    # Without the PYTHONPATH a test run may set, the venv sees only what pip installed in it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    # pip's own cache is kept (no --no-cache-dir): a second run installs from it.
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(clone)],
        check=True, timeout=900, env=env,
    )  # fmt: skip
    shutil.rmtree(clone)
    return env_dir, env


@pytest.mark.package
def test_a_wheel_builds_without_warnings_and_carries_the_licences_and_metadata(tmp_path: Path) -> None:
    """A wheel of a clean clone: setuptools warns of nothing; the metadata names the licence, URLs and classifiers."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(clone)],
        capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "Warning" not in built.stdout + built.stderr, built.stdout + built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode("utf-8")
    assert "License-Expression: MIT" in text
    assert "Project-URL: Documentation" in text and "Classifier: Natural Language :: Japanese" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.endswith("licenses/generator/vendor/lunr/LICENSE") for n in names)
    assert "generator/archive_template/github/workflows/site.yml" in names


@pytest.mark.package
def test_pip_install_of_a_clean_clone_builds_a_site_without_the_checkout(tmp_path: Path) -> None:
    """`pip install` a git clone (no node_modules/), delete the clone, then build a copy of content/."""
    env_dir, env = _install_clean_clone(tmp_path)
    python = env_dir / "bin" / "python"
    project = tmp_path / "archive"
    shutil.copytree(REPO / "content", project / "content")
    built = subprocess.run(
        [str(env_dir / "bin" / "minutes"), "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    site = project / "site"
    assert "目黒区" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "joho-kokai" / "2022-02-14" / "index.html").is_file()
    assert (site / "search" / "index.html").is_file()
    assert (site / "assets" / "lunr.min.js").read_bytes() == (NPM_LUNR / "lunr.min.js").read_bytes()
    for name in ("style.css", "search-engine.js", "search-worker.js"):
        assert (site / "assets" / name).read_bytes() == (REPO / "templates" / "static" / name).read_bytes()
    # The installed package, not this checkout, did the work.
    where = subprocess.run(
        [str(python), "-c", "import generator; print(generator.__file__)"], cwd=project, env=env, capture_output=True, text=True, check=True
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(env_dir)
    # The message catalogs ship too: an installed `minutes` speaks Japanese under a Japanese locale.
    japanese = subprocess.run(
        [str(env_dir / "bin" / "minutes"), "build", "--help"], cwd=project, env={**env, "LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}, capture_output=True, text=True
    )  # fmt: skip
    assert "すべての会議録を確認してから" in japanese.stdout, japanese.stderr


@pytest.mark.package
@pytest.mark.browser
@pytest.mark.corpus
def test_an_installed_minutes_inits_imports_and_builds_a_town_archive_whose_search_works(
    tmp_path: Path, corpus: Path, page, static_server
) -> None:
    """Issue 15's path for a new town: install, `init`, `import` its minutes text, `build`, search in Chromium."""
    env_dir, env = _install_clean_clone(tmp_path)
    minutes = str(env_dir / "bin" / "minutes")
    archive = tmp_path / "abira"

    def run(*args: str) -> None:
        done = subprocess.run([minutes, *args], cwd=archive if archive.exists() else tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr

    run("init", str(archive), "--organization", "安平町", "--title", "安平町議会 会議録")
    run("import", "--body", "teireikai", str(corpus / "raw" / "abira_20242001.txt"))
    run("build")
    site = archive / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "安平町" in home and "目黒区" not in home
    base = static_server(site)
    page.goto(f"{base}search/?q=" + "補正予算")
    page.wait_for_selector("#search-results[data-state='done']")
    assert int(page.locator("#search-results").get_attribute("data-total")) > 0
    assert "安平町" in page.title() or "安平町" in page.content()
