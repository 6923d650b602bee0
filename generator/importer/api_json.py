"""Reading the bytes of a 国会会議録検索システム API answer into JSON values, refusing what no answer holds.

The API answers in UTF-8 JSON a few levels deep, with small integers and no control characters
in its text. Anything else is refused here, at its line, before `kokkai` reads the meetings, so
that no input ends in a traceback (a deep `[[[[…` hits Python's recursion limit, a 5,000-digit
number its integer conversion limit) or in a file that `minutes check` would refuse.
"""

from __future__ import annotations

import json
import re

from ..i18n import _
from .errors import SourceError, SourceErrors

MAX_DIGITS = 100
"""The longest integer an answer may hold; speechOrder and counts have a few digits."""
MAX_DEPTH = 64
"""Nesting the error message names; an answer is four levels deep (meetingRecord, speechRecord)."""

# An escape in a JSON string that stands for a control character `minutes check` refuses (all
# C0 but tab, line feed and carriage return, and DEL), a raw DEL (JSON allows it unescaped),
# or an escaped backslash, matched first so that `\\u000b` (a backslash, then `u000b`) is text.
_CONTROL_ESCAPE = re.compile(r"\\\\|\\u00(?:0[0-8BCEFbcef]|1[0-9A-Fa-f]|7[Ff])|\\[bf]|\x7f")
# An escape of a lone surrogate (half of a pair: no UTF-8 file can hold it), an escaped or raw
# U+FFFE or U+FFFF (which XML feeds forbid), or an escaped backslash, as above. A pair such as
# `\ud83d\ude00` (an emoji) is one character, and fine.
_NOT_TEXT_ESCAPE = re.compile(
    r"\\\\"
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|\\u[fF]{3}[eEfF]|[\ufffe\uffff]"
)
_BRACKET = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[{\]}]|\n')


class _LongNumber(Exception):
    """An integer with more than MAX_DIGITS digits, raised from inside `json.loads`."""

    def __init__(self, digits: str):
        super().__init__(digits)
        self.digits = digits


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _LongNumber(digits)
    return int(digits)


def read_api_json(data: bytes) -> object:
    """The JSON value in `data`; raises SourceError (or SourceErrors, one per line) for what is not an API answer."""
    if b"\0" in data:
        raise SourceError(_("binary file, not JSON: give a 国会会議録検索システム API answer (.json)"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(_("not UTF-8: the API answers in UTF-8; was the file converted?"), line) from None
    try:
        value = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise SourceError(_("not valid JSON: {problem} (column {column})").format(problem=exc.msg, column=exc.colno), exc.lineno) from None
    except _LongNumber as exc:
        line = text.count("\n", 0, max(text.find(exc.digits), 0)) + 1
        raise SourceError(
            _("a number of {digits} digits: an API answer has none over {most} digits").format(digits=len(exc.digits.lstrip('-')), most=MAX_DIGITS), line
        ) from None
    except RecursionError:
        raise SourceError(
            _("JSON nested too deeply to read: an API answer is a few levels deep, this one over {most}").format(most=MAX_DEPTH),
            _deep_line(text),
        ) from None
    problems = [
        SourceError(_("control character U+{code:04X} in a string: remove it").format(code=ord(_unescape(match[0]))), text.count("\n", 0, match.start()) + 1)
        for match in _CONTROL_ESCAPE.finditer(text)
        if match[0] != "\\\\"
    ] + [
        SourceError(_("U+{code:04X} in a string is not a text character: remove it").format(code=ord(_unescape(match[0]))), text.count("\n", 0, match.start()) + 1)
        for match in _NOT_TEXT_ESCAPE.finditer(text)
        if match[0] != "\\\\"
    ]
    if problems:
        raise SourceErrors(sorted(problems, key=lambda problem: problem.line or 0))
    return value


def _unescape(escape: str) -> str:
    return json.loads(f'"{escape}"') if escape.startswith("\\") else escape


def _deep_line(text: str) -> int:
    """The line where brackets (outside strings) first nest deeper than MAX_DEPTH."""
    depth, line = 0, 1
    for match in _BRACKET.finditer(text):
        token = match[0]
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif token in "]}":
            depth -= 1
    return line
