"""The `minutes` command: a thin click group whose verbs import their real work lazily."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import signal
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from .i18n import _, translate_click

if TYPE_CHECKING:
    from .build import BuildSummary

# Click's own texts (Usage:, Options:, "Missing option") follow the locale like ours.
translate_click()

T = TypeVar("T")


@dataclass(frozen=True)
class Invocation:
    """How the command was started: `run` (the installed `minutes`, `python -m generator`) gives one.

    Code that calls `main` inside a process it goes on with (a test's CliRunner) gives none, and
    no command ends that process.
    """

    ends_process: bool = False
    """Whether a command may end the process once it has done and said everything (`minutes build`)."""


CONTENT = click.option(
    "--content", "content_dir", default="content", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help=_("Folder of Markdown minutes."),
)  # fmt: skip
TEMPLATES = click.option(
    "--templates", "templates_dir", default=None, callback=lambda ctx, param, value: _theme_folder(value),
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Folder of Jinja templates and static files that override the default theme's by name  [default: templates, if the folder exists]"),
)  # fmt: skip


def _theme_folder(templates_dir: Path | None) -> Path:
    """The templates folder to use: the one given, else ./templates if present, else the default theme."""
    if templates_dir is not None:
        return templates_dir  # given explicitly: a missing folder is an error, said by the command
    if Path("templates").is_dir():
        return Path("templates")
    from .theme import default_theme_dir

    return default_theme_dir()
OUT = click.option(
    "--out", "out_dir", default="site", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help=_("Output folder, replaced whole on success."),
)  # fmt: skip
def _web_url(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    from .web_urls import base_url_problem

    problem = None if value is None else base_url_problem(value)
    if problem is not None:
        raise click.BadParameter(_("'{value}' {problem}").format(value=value, problem=problem))
    return value


BASE_URL = click.option(
    "--base-url", default=None, callback=_web_url,
    help=_("Absolute URL the site is published at (overrides base_url in content/_index.md)."),
)  # fmt: skip


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_("Build searchable static sites from Japanese meeting minutes (会議録) written in Markdown."),
)
@click.version_option(package_name="minutes-archive")
def main() -> None:
    """Build searchable static sites from Japanese meeting minutes (会議録) written in Markdown."""
    # A file name may hold bytes that are not UTF-8 (Python keeps them as lone surrogates); a
    # message naming it is printed with `\udcff` in their place, as Python's stderr does, rather
    # than ending in a UnicodeEncodeError under a strict UTF-8 locale.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _report(diagnostics: Iterable[object]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


@main.command(
    short_help=_("Check all content and print every problem."),
    help=_("Read all content and print every problem as path:line: error: message."),
)
@CONTENT
@click.option(
    "--against", "against", default=None, metavar="FILE_OR_URL",
    help=_("A previous permalinks.json (a file or the deployed site's URL): fail when a published anchor would break."),
)  # fmt: skip
def check(content_dir: Path, against: str | None) -> None:
    """Read all content and print every problem as path:line: error: message."""
    from .content import load_archive
    from .diagnostics import has_errors

    archive, diagnostics = load_archive(content_dir)
    if archive is not None and against:
        from .permalinks import ManifestError, compare, read_manifest

        try:
            diagnostics = diagnostics + compare(archive, read_manifest(against), content_dir)
        except ManifestError as exc:
            click.echo(_("check failed: {problem}").format(problem=exc), err=True)
            sys.exit(2)
    _report(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if archive is None or has_errors(diagnostics):
        click.echo(_("check failed: {errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings), err=True)
        sys.exit(1)
    meetings = len(archive.meetings)
    click.echo(
        _("check passed: {bodies} bodies, {meetings} meetings, {warnings} warning(s)").format(
            bodies=len(archive.bodies), meetings=meetings, warnings=warnings
        )
    )


def _progress(items: list[T]) -> Iterable[T]:
    """A progress bar on a terminal; in CI logs, a plain line every tenth of the way."""
    if sys.stderr.isatty() and not os.environ.get("CI"):
        with click.progressbar(items, label=_("rendering"), file=sys.stderr) as bar:
            yield from bar
        return
    step = max(1, len(items) // 10)
    for index, item in enumerate(items, 1):
        if index % step == 0 or index == len(items):
            click.echo(_("rendering: {done}/{total} pages").format(done=index, total=len(items)), err=True)
        yield item


@main.command(
    short_help=_("Check all content and build the site."),
    help=_("Check all content, then render the site into a fresh folder swapped into place."),
)
@CONTENT
@TEMPLATES
@OUT
@BASE_URL
@click.option(
    "--jobs", "-j", default=None, type=click.IntRange(min=1),
    help=_("Processes that tokenize for the search index and write it (1: none besides the build's own)  [default: one per core; one for a small archive]"),
)  # fmt: skip
@click.option(
    "--cache-dir", default=".cache", show_default=True, type=click.Path(file_okay=False, path_type=Path),
    help=_("Folder of the build cache: what the last build read, indexed and wrote, so that unchanged meetings are not read, tokenized or written again."),
)  # fmt: skip
@click.option("--no-cache", is_flag=True, help=_("Neither read nor write the build cache."))
def build(
    content_dir: Path, templates_dir: Path, out_dir: Path, base_url: str | None, jobs: int | None, cache_dir: Path, no_cache: bool
) -> None:
    """Check all content, then render the site into a fresh folder swapped into place."""
    from .build import MissingAssetError, build_site
    from .diagnostics import ContentError
    from jinja2 import TemplateNotFound

    from .output import OutputFolderError

    problem = _templates_problem(templates_dir)
    if problem is not None:
        click.echo(_("build failed: {problem}; nothing was changed").format(problem=problem), err=True)
        sys.exit(1)
    try:
        invocation = click.get_current_context().find_object(Invocation)
        end_process = invocation is not None and invocation.ends_process
        build_site(
            content_dir, templates_dir, out_dir, base_url, progress=_progress, jobs=jobs, cache_dir=None if no_cache else cache_dir,
            finish=functools.partial(_report_build, end_process=end_process),
        )  # fmt: skip
    except ContentError as exc:
        _report(exc.diagnostics)
        click.echo(_("build failed: {problem}; {out} was left as it was").format(problem=exc, out=out_dir), err=True)
        sys.exit(1)
    except MissingAssetError as exc:
        click.echo(_("build failed: {problem}; {out} was left as it was").format(problem=exc, out=out_dir), err=True)
        sys.exit(1)
    except OutputFolderError as exc:
        click.echo(_("build failed: {problem}; nothing was changed").format(problem=exc), err=True)
        sys.exit(1)
    except TemplateNotFound as exc:
        click.echo(
            _("build failed: template '{name}' not found in {folder}; {out} was left as it was").format(
                name=exc.name, folder=templates_dir.as_posix(), out=out_dir
            ),
            err=True,
        )
        sys.exit(1)
    except OSError as exc:
        # Writing the site (a full disk, a read-only folder): the staging folder is already gone.
        click.echo(_("build failed: cannot write the site ({problem}); {out} was left as it was").format(problem=exc, out=out_dir), err=True)
        sys.exit(1)


def _report_build(summary: BuildSummary, end_process: bool) -> None:
    """Say what the build did; then, with `end_process`, end the process at once.

    A build of a large archive holds hundreds of MB of small objects: freeing them one by one,
    then Python's own teardown, took 0.1-0.15 s after a build of the corpus (a warm build takes
    1.2-2 s), for a process about to end. So the command, once it has reported, flushes
    what it wrote and ends with `os._exit`, as mypy does by default (its --fast-exit). The site
    is in place and every helper process has ended by then.
    """
    try:
        _report(summary.warnings)
        click.echo(str(summary))
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        # Nothing can be said any more (a pipe its reader closed); not "build failed" either,
        # which `build` would say of an OSError: the site is in place. Exit 1, as click does then.
        if end_process:
            os._exit(1)
        raise click.exceptions.Exit(1) from None
    if end_process:
        os._exit(0)


def _templates_problem(templates_dir: Path) -> str | None:
    """Why the templates folder cannot be used (said before anything is read), or None."""
    if templates_dir.is_dir():
        return None
    return _("--templates {folder} is not a folder: give the folder of Jinja templates (the repository's templates/)").format(
        folder=templates_dir.as_posix()
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command(
    short_help=_("Build and show the site, rebuilding it on every save."),
    help=_("Build, serve on localhost and rebuild on every save; open pages reload and show any problem."),
)
@CONTENT
@TEMPLATES
@OUT
@BASE_URL
@click.option(
    "--host", default="127.0.0.1", show_default=True,
    help=_("Address to listen on. Only this machine can connect unless you give another (e.g. 0.0.0.0)."),
)  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help=_("Port to listen on (0: any free port)."))
def serve(content_dir: Path, templates_dir: Path, out_dir: Path, base_url: str | None, host: str, port: int) -> None:
    """Build, serve on localhost and rebuild on every save; open pages reload and show any problem."""
    from .output import OutputFolderError, check_output_folder
    from .serve.dev_server import DevServer, ListenError, ServeOptions

    try:
        check_output_folder(out_dir, content_dir, templates_dir)
    except OutputFolderError as exc:
        click.echo(_("serve failed: {problem}; nothing was changed").format(problem=exc), err=True)
        sys.exit(1)
    problem = _templates_problem(templates_dir)
    if problem is not None:
        click.echo(_("serve failed: {problem}; nothing was changed").format(problem=problem), err=True)
        sys.exit(1)
    options = ServeOptions(content_dir, templates_dir, out_dir, base_url, host, port)
    server = DevServer(options, echo=lambda line: click.echo(line, err=True))
    # A plain `kill` stops the server as cleanly as Ctrl+C: threads, jobs and temporary files.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            server.start()
        except ListenError as exc:
            click.echo(_("serve failed: {problem}").format(problem=exc), err=True)
            sys.exit(1)
        click.echo(_("serving {out} on {url} (Ctrl+C to stop)").format(out=out_dir, url=server.url), err=True)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command(
    short_help=_("Write a new archive into DIRECTORY."),
    help=_("Write a new archive into DIRECTORY (new or empty): settings, a sample meeting, a workflow and a README."),
)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--organization", required=True, help=_("Who publishes the archive (安平町); shown in citations and the footer."))
@click.option("--title", required=True, help=_("The archive's name (安平町議会 会議録)."))
@click.option(
    "--base-url", default=None,
    help=_("Absolute URL the site will be published at (written as base_url; the GitHub workflow passes the Pages URL)."),
)  # fmt: skip
def init(directory: Path, organization: str, title: str, base_url: str | None) -> None:
    """Write a new archive into DIRECTORY (new or empty): settings, a sample meeting, a workflow and a README."""
    from .scaffold import ArchiveSettings, InitError, write_archive

    try:
        written = write_archive(directory, ArchiveSettings(organization, title, base_url))
    except InitError as exc:
        for problem in exc.problems:
            click.echo(_("init failed: {problem}").format(problem=problem), err=True)
        click.echo(_("init failed: nothing was written"), err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(_("init failed: cannot write {folder} ({problem})").format(folder=directory.as_posix(), problem=exc), err=True)
        sys.exit(1)
    for path in written:
        click.echo(_("wrote {path}").format(path=(directory / path).as_posix()))
    click.echo(_("init done: cd {folder} && minutes build (README.md says how to publish)").format(folder=directory.as_posix()))


@main.command(
    name="import",
    short_help=_("Convert minutes PDFs, texts or Diet API JSON into Markdown."),
    help=_(
        "Convert minutes PDFs (.pdf, with a text layer), their text (.txt) or 国会会議録 API JSON (.json) into Markdown minutes.\n\n"
        "Each file is imported whole or not at all: a file with an error writes nothing, the others are imported, "
        "and the exit status is 1 when any file was refused."
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--body", required=True, help=_("Body folder (slug) to write the meetings into."))
@click.option("--body-title", default=None, help=_("Title for a new body's _index.md (default: from the minutes)."))
@CONTENT
@click.option("--force", is_flag=True, help=_("Overwrite existing Markdown files."))
@click.option("--strict", is_flag=True, help=_("Refuse a file whose report has any warning (a line that looks like a speaker but was not read as one)."))
@click.option(
    "--date",
    "meeting_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help=_("The meeting's date, for one minutes text that prints none (it wins over a date the header prints)."),
)
def import_(
    paths: tuple[Path, ...], body: str, body_title: str | None, content_dir: Path, force: bool, strict: bool, meeting_date: dt.datetime | None
) -> None:
    """Convert minutes PDFs (.pdf, with a text layer), their text (.txt) or 国会会議録 API JSON (.json) into Markdown minutes.

    Each file is imported whole or not at all: a file with an error writes nothing, the others
    are imported, and the exit status is 1 when any file was refused.
    """
    from .importer.command import run_import

    date = meeting_date.date() if meeting_date is not None else None
    sys.exit(run_import(list(paths), body, body_title, content_dir, force, click.echo, strict=strict, date=date))


@main.command(
    short_help=_("Search a built site."),
    help=_(
        "Search a built site's index, as its search page does.\n\n"
        "\b\n"
        "QUERY syntax (the same as on the search page):\n"
        "  words separated by spaces   all must appear in one utterance\n"
        "  A OR B, A｜B                either word (OR in uppercase ASCII, standing alone)\n"
        "  -A                          no utterance holding A\n"
        "  \"A B\", 「A B」              the words in a row, in this order\n\n"
        "QUERY may be left out when a filter is given: every utterance that passes is listed."
    )
)
@click.argument("query", default="")
@click.option("--body", default="", help=_("Only this body (its slug, as in its URL)."))
@click.option("--speaker", default="", help=_("Only this speaker: a name the minutes give, or else the printed label (会長)."))
@click.option("--from", "date_from", default="", metavar="YYYY-MM-DD", help=_("Only meetings on or after this date."))
@click.option("--to", "date_to", default="", metavar="YYYY-MM-DD", help=_("Only meetings on or before this date."))
@click.option("--sort", default="relevance", show_default=True, type=click.Choice(["relevance", "newest", "oldest"]), help=_("Order of the hits."))
@click.option("--site", "site_dir", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help=_("A built site."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=0), help=_("Hits to show; 0 shows all."))
def search(query: str, body: str, speaker: str, date_from: str, date_to: str, sort: str, site_dir: Path, as_json: bool, limit: int) -> None:
    """Search a built site's index, as its search page does.

    \b
    QUERY syntax (the same as on the search page):
      words separated by spaces   all must appear in one utterance
      A OR B, A｜B                either word (OR in uppercase ASCII, standing alone)
      -A                          no utterance holding A
      "A B", 「A B」              the words in a row, in this order

    QUERY may be left out when a filter is given: every utterance that passes is listed.
    """
    from .search.command import run_search

    from .search.filters import FilterError, make_filters

    try:
        filters = make_filters(body, speaker, date_from, date_to, sort)
    except FilterError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    sys.exit(run_search(query, site_dir, as_json, limit, click.echo, filters))


def run() -> None:
    """The `minutes` command as installed (console script) and as `python -m generator`: `main`, in a process of its own."""
    main(obj=Invocation(ends_process=True))
