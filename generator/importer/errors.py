"""Errors that stop an import: a source file that cannot be read as minutes."""

from __future__ import annotations


class SourceError(Exception):
    """A source file that no importer can read, with the line at fault where there is one (1-based)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
