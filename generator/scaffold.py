"""`minutes init`: a new archive folder written from the files in generator/archive_template/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .i18n import _
from .web_urls import base_url_problem

TEMPLATE_DIR = Path(__file__).parent / "archive_template"
"""The new archive's files; placeholders such as @TITLE@ are filled in by `write_archive`."""

PLACEHOLDER = re.compile(r"@[A-Z_]+@")

RENAMED = {"gitignore": ".gitignore", "github": ".github"}
"""Template names written under another name: dot files and folders are easily left out of a package."""


@dataclass(frozen=True)
class ArchiveSettings:
    """What `minutes init` asks for: who publishes the archive, its name and where it is published."""

    organization: str
    title: str
    base_url: str | None = None


class InitError(Exception):
    """The archive cannot be written as asked; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def settings_problems(settings: ArchiveSettings) -> list[str]:
    """Every reason the settings cannot make an archive, empty when they can."""
    problems = []
    for option, value in (("--organization", settings.organization), ("--title", settings.title)):
        if not value.strip():
            problems.append(_("{option} must not be empty").format(option=option))
        elif any(ord(character) < 0x20 or ord(character) == 0x7F for character in value):
            problems.append(_("{option} must be one line, without control characters").format(option=option))
    if settings.base_url is not None:
        problem = base_url_problem(settings.base_url)
        if problem is not None:
            problems.append(_("--base-url '{url}' {problem}").format(url=settings.base_url, problem=problem))
    return problems


def folder_problem(target: Path) -> str | None:
    """Why `target` cannot receive a new archive (it exists and is not an empty folder), or None."""
    if not target.exists():
        return None
    if not target.is_dir():
        return _("{folder} exists and is not a folder").format(folder=target.as_posix())
    if any(target.iterdir()):
        return _("{folder} is not empty: give a new or empty folder").format(folder=target.as_posix())
    return None


def write_archive(target: Path, settings: ArchiveSettings) -> list[Path]:
    """Write a new archive into `target` and return the files written, relative to it.

    Raises InitError, before writing anything, when the settings or the folder cannot be used.
    """
    problems = settings_problems(settings)
    problem = folder_problem(target)
    if problem is not None:
        problems.append(problem)
    if problems:
        raise InitError(problems)
    values = _placeholders(settings)
    written = []
    for source in sorted(path for path in TEMPLATE_DIR.rglob("*") if path.is_file()):
        relative = Path(*(RENAMED.get(part, part) for part in source.relative_to(TEMPLATE_DIR).parts))
        text = source.read_text(encoding="utf-8")
        # One pass, so a title that happens to contain "@ORGANIZATION@" is written as typed.
        text = PLACEHOLDER.sub(lambda match: values.get(match.group(0), match.group(0)), text)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(relative)
    return written


def _placeholders(settings: ArchiveSettings) -> dict[str, str]:
    organization = settings.organization.strip()
    title = settings.title.strip()
    # Front matter values are written as JSON strings, which YAML reads as double-quoted scalars,
    # so a name with ':' or '#' or a leading quote stays the name as typed.
    base_url_line = "" if settings.base_url is None else f"base_url: {_yaml_string(settings.base_url)}\n"
    description = f"{organization}の会議録を、発言ごとに検索・引用できるアーカイブです。"
    return {
        "@BASE_URL_LINE@": base_url_line,
        "@TITLE_YAML@": _yaml_string(title),
        "@ORGANIZATION_YAML@": _yaml_string(organization),
        "@DESCRIPTION_YAML@": _yaml_string(description),
        "@TITLE@": title,
        "@ORGANIZATION@": organization,
        "@REQUIREMENT@": _requirement(),
    }


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _requirement() -> str:
    # The archive's CI installs the version that wrote it, so both build the same site.
    try:
        return f"minutes-archive=={metadata.version('minutes-archive')}"
    except metadata.PackageNotFoundError:
        return "minutes-archive"
