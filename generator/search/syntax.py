"""The query syntax: words, `A OR B` (or `｜`), `-A` to exclude, `"A B"` or `「…」` for a phrase.

Operators are read in the query as typed, before it is folded:

- words separated by spaces must all be in one utterance;
- `OR` is an operator only as uppercase ASCII standing alone between spaces (`ＯＲ`, `or` and
  `OR` inside a word are words); `|` and `｜` are the same operator wherever they stand outside
  a phrase. OR binds tighter than the spaces: `A OR B C` is (A or B) and C;
- `-` (or `－`) excludes the word or phrase it starts, and only at the start of a word:
  `LGWAN-ASP` and `ＬＧＷＡＮ－ＡＳＰ` stay one word;
- a phrase is written between `"…"` (also `＂…＂` and `“…”`) or `「…」`; inside it, operators are words.

Wrong syntax is never an error: the query is read as plain words (quotes and bars as spaces,
`OR` dropped) and `ParsedQuery.problem` names what was wrong, for the CLI and the page to say.
The browser engine (`templates/static/search-engine.js`, `parseQuery`) reads queries the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import N_
from .folding import SPACE_CHARS, has_word_char

_SPACE = re.compile(f"[{SPACE_CHARS}]")
OR_WORD = "OR"
BARS = "|｜"
MINUS = "-－"
QUOTES = {'"': '"＂“”', "＂": '"＂“”', "“": '"＂“”', "”": '"＂“”', "「": "」"}
"""Each character that opens a phrase → the characters that close it."""

UNCLOSED_QUOTE = "unclosed-quote"
EMPTY_QUOTE = "empty-quote"
MISPLACED_OR = "misplaced-or"
EXCLUDED_OR = "excluded-or"
ONLY_EXCLUDED = "only-excluded"

PROBLEMS = {
    UNCLOSED_QUOTE: N_("a quotation mark is not closed"),
    EMPTY_QUOTE: N_("a phrase in quotation marks holds no word"),
    MISPLACED_OR: N_("OR (or |) must stand between two words"),
    EXCLUDED_OR: N_("a word excluded with - cannot be one side of OR"),
    ONLY_EXCLUDED: N_("a query of excluded words only finds nothing to exclude them from"),
}
"""What each problem means, as `minutes search` says it (in English: shown through `_()`)."""


@dataclass(frozen=True)
class Unit:
    """Text that must stand in a row in an utterance: one word as typed, or a phrase's contents."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A query read as syntax: clauses that must all match, each a list of alternatives, and exclusions."""

    clauses: list[list[Unit]]
    excluded: list[Unit]
    problem: str | None = None
    """None, or the key in PROBLEMS of why the query was read as plain words."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "item" or "or"
    unit: Unit | None = None
    negated: bool = False


def _is_space(char: str) -> bool:
    return _SPACE.match(char) is not None


def _tokens(query: str) -> list[_Token] | str:
    """The query's items and OR operators, left to right; a problem key when a quote is not closed."""
    chars = list(query)
    tokens: list[_Token] = []
    word: list[str] = []
    negated = False
    after_space = True  # the character before is a space or the query's start
    word_after_space = True  # the word being read began after a space or at the start

    def flush(before_space: bool) -> None:
        nonlocal word, negated
        text = "".join(word)
        if text == OR_WORD and not negated and word_after_space and before_space:
            tokens.append(_Token("or"))
        elif text:
            tokens.append(_Token("item", Unit(text), negated))
        word, negated = [], False

    i = 0
    while i < len(chars):
        char = chars[i]
        if _is_space(char):
            flush(True)
            after_space = True
            i += 1
            continue
        if char in BARS:
            flush(False)
            tokens.append(_Token("or"))
            after_space = False
            i += 1
            continue
        if char in QUOTES:
            closers = QUOTES[char]
            end = next((j for j in range(i + 1, len(chars)) if chars[j] in closers), -1)
            if end < 0:
                return UNCLOSED_QUOTE
            # A minus right before the quote, at the start of a word, excludes the phrase.
            phrase_negated = negated and not word
            if not phrase_negated:
                flush(False)
            tokens.append(_Token("item", Unit("".join(chars[i + 1 : end]), phrase=True), phrase_negated))
            word, negated = [], False
            after_space = False
            i = end + 1
            continue
        if after_space and not word and char in MINUS and i + 1 < len(chars):
            following = chars[i + 1]
            if not _is_space(following) and following not in BARS:
                negated = True
                word_after_space = True
                after_space = False
                i += 1
                continue
        if not word and not negated:
            word_after_space = after_space
        word.append(char)
        after_space = False
        i += 1
    flush(True)
    return tokens


def _plain(query: str, problem: str) -> ParsedQuery:
    """The query as plain words: quotes and bars read as spaces, `OR` standing alone dropped."""
    spaced = "".join(" " if char in BARS or char in QUOTES or char in "」" else char for char in query)
    words = [word for word in _SPACE.split(spaced) if word and word != OR_WORD]
    return ParsedQuery([[Unit(word)] for word in words], [], problem)


def parse_query(query: str) -> ParsedQuery:
    """Read `query` as the search syntax; wrong syntax gives its plain words and names the problem."""
    tokens = _tokens(query)
    if isinstance(tokens, str):
        return _plain(query, tokens)
    clauses: list[list[Unit]] = []
    excluded: list[Unit] = []
    joined = False  # the last token was OR: the next item joins the last clause
    for number, token in enumerate(tokens):
        if token.kind == "or":
            before = tokens[number - 1] if number > 0 else None
            after = tokens[number + 1] if number + 1 < len(tokens) else None
            if before is None or after is None or before.kind == "or" or after.kind == "or":
                return _plain(query, MISPLACED_OR)
            if before.negated or after.negated:
                return _plain(query, EXCLUDED_OR)
            joined = True
            continue
        assert token.unit is not None
        if token.unit.phrase and not has_word_char(token.unit.text):
            return _plain(query, EMPTY_QUOTE)
        if token.negated:
            excluded.append(token.unit)
        elif joined:
            clauses[-1].append(token.unit)
        else:
            clauses.append([token.unit])
        joined = False
    if excluded and not clauses:
        return _plain(query, ONLY_EXCLUDED)
    return ParsedQuery(clauses, excluded)
