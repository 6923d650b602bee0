"""Problems found in content, reported as `path:line: error: message`."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a problem is: errors fail `check` and `build`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one line of one file (path relative to the working folder, as typed)."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"

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
        super().__init__(f"{sum(d.is_error for d in diagnostics)} error(s) in content")
        self.diagnostics = diagnostics
