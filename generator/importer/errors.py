"""Errors that refuse a source file: a file that cannot be read as minutes, or not as printed."""

from __future__ import annotations


class SourceError(Exception):
    """A source file that no importer can read, with the line at fault where there is one (1-based)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class SourceErrors(SourceError):
    """Several problems of one source file, each at its line, reported together.

    It is a SourceError itself (the first problem), so a caller that reports one error still can.
    """

    def __init__(self, errors: list[SourceError]):
        if not errors:
            raise ValueError("SourceErrors needs at least one error")
        super().__init__(errors[0].message, errors[0].line)
        self.errors = errors
