"""Problems found in content, reported as `path:line: error: message`."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a problem is: errors fail `check` and `build`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one line of one file (path relative to the working folder, as typed)."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        # One problem, one line: a line end or other control character in a file name or a
        # quoted value is shown as an escape (`\x0a`), so that tools reading the lines see it whole.
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}".translate(_ESCAPES)

    @property
    def is_error(self) -> bool:
        """Whether this problem fails `check` and `build`."""
        return self.severity is Severity.ERROR


def error(path: str, line: int, message: str) -> Diagnostic:
    """An error at `path:line`."""
    return Diagnostic(path, line, Severity.ERROR, message)


def warning(path: str, line: int, message: str) -> Diagnostic:
    """A warning at `path:line`."""
    return Diagnostic(path, line, Severity.WARNING, message)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """Whether any of `diagnostics` is an error."""
    return any(d.is_error for d in diagnostics)


class ContentError(Exception):
    """Raised when content has errors; carries every diagnostic so all are reported at once."""

    def __init__(self, diagnostics: list[Diagnostic]):
        from .i18n import _

        super().__init__(_("{errors} error(s) in content").format(errors=sum(d.is_error for d in diagnostics)))
        self.diagnostics = diagnostics
