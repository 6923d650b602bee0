"""Front matter: the YAML block at the top of a content file, with the file line of every key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Diagnostic, error
from .i18n import _


class _Loader(yaml.SafeLoader):
    """Safe loading that leaves dates as strings, so that `2022-13-45` is our error, not a crash."""


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """The same with libyaml's parser where installed; its error messages are vaguer, so a file
    that fails is parsed again with `_Loader` for the message and line."""


# PyYAML turns 2022-02-14 into a date itself and raises on 2022-13-45; we parse dates ourselves
# to report the bad value at its line.
_Loader.yaml_implicit_resolvers = _FastLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SourceInt(int):
    """An integer that remembers how it was written: `14:00` is 840 to YAML 1.1, but a time to us."""

    source: str


class SourceFloat(float):
    """A float that remembers how it was written (`1.10` stays `1.10` where text is wanted)."""

    source: str


MAX_DIGITS = 4300
"""Python's own limit on converting digits to an int; a longer number is an error at its line."""


def _keeping_source(kind: type, construct: Any) -> Any:
    def constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        if len(node.value) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, _("a number of {length:,} characters is too long (at most {max_digits:,}): quote it to keep it as text").format(length=len(node.value), max_digits=MAX_DIGITS), node.start_mark
            )
        value = kind(construct(loader, node))
        value.source = node.value
        return value

    return constructor


for _loader_class in (_Loader, _FastLoader):
    _loader_class.add_constructor("tag:yaml.org,2002:int", _keeping_source(SourceInt, yaml.SafeLoader.construct_yaml_int))
    _loader_class.add_constructor("tag:yaml.org,2002:float", _keeping_source(SourceFloat, yaml.SafeLoader.construct_yaml_float))


def as_text(value: Any) -> str:
    """A scalar as the file wrote it: numbers keep their source (`14:00`, `0x10`, `1_000`)."""
    return getattr(value, "source", None) or str(value)


def _load(yaml_text: str, loader_class: type = _FastLoader) -> tuple[yaml.Node | None, object]:
    """Parse once: the node tree (for the lines of keys) and the values built from it."""
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else {})
    finally:
        loader.dispose()

FENCE = "---"


@dataclass
class FrontMatter:
    """A file's front matter values, the file line of each top-level key, and where the body starts."""

    values: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    entry_lines: dict[str, list[int]] = field(default_factory=dict)
    """For a key whose value is a list or mapping: the file line of each item or entry."""
    body_line: int = 1
    """File line (1-based) of the first line after the closing fence."""
    body: str = ""

    def line_of(self, key: str, entry: int | None = None) -> int:
        """The file line of `key` (or of its `entry`-th item), or of the opening fence when absent."""
        if entry is not None and entry < len(self.entry_lines.get(key, ())):
            return self.entry_lines[key][entry]
        return self.key_lines.get(key, 1)


def split_front_matter(text: str, path: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """Parse the front matter of `text` (the file `path`); YAML errors point at the file's line."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return FrontMatter(body=text), [error(path, 1, _("missing front matter: the file must start with a line '---'"))]
    for end in range(1, len(lines)):
        if lines[end].rstrip() in (FENCE, "..."):
            break
    else:
        return FrontMatter(body=""), [error(path, 1, _("front matter is not closed: add a line '---' after it"))]

    yaml_text = "\n".join(lines[1:end])
    matter = FrontMatter(body="\n".join(lines[end + 1 :]), body_line=end + 2)
    try:
        try:
            node, values = _load(yaml_text)
        except yaml.YAMLError:
            node, values = _load(yaml_text, _Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        # The YAML block starts on the file's second line.
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return matter, [error(path, line, _("front matter is not valid YAML: {problem}").format(problem=problem))]
    if not isinstance(values, dict):
        return matter, [error(path, 2, _("front matter must be a mapping of keys to values"))]
    duplicates = [error(path, line, message) for line, message in _duplicate_keys(node)]
    if duplicates:
        return matter, duplicates
    unwritable = [error(path, line, message) for line, message in _unwritable_characters(node)]
    if unwritable:
        return matter, unwritable
    matter.values = values
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            matter.key_lines[key] = key_node.start_mark.line + 2
            if isinstance(value_node, yaml.SequenceNode):
                matter.entry_lines[key] = [item.start_mark.line + 2 for item in value_node.value]
            elif isinstance(value_node, yaml.MappingNode):
                matter.entry_lines[key] = [entry.start_mark.line + 2 for entry, _value in value_node.value]
    return matter, []


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""The control characters a content file may not hold (content.read_text refuses them written as themselves)."""
_NOT_TEXT = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
"""Lone surrogates (no UTF-8 file can hold one) and the noncharacters XML forbids."""


def _nodes(node: yaml.Node | None) -> Iterator[yaml.Node]:
    """Every node under `node`, each once.

    An alias (*a) is the same node again: walking it twice would make `a: &a [*b, *b…]` chains
    (the "billion laughs") exponential.
    """
    pending = [node] if node is not None else []
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, yaml.MappingNode):
            pending += [part for pair in current.value for part in pair]
        elif isinstance(current, yaml.SequenceNode):
            pending += current.value


def _unwritable_characters(node: yaml.Node | None) -> list[tuple[int, str]]:
    """(file line, message) for every scalar whose escapes (`"\\v"`, `"\\ud800"`) make a character no page can hold.

    Written as themselves, such characters are refused before YAML is read; as escapes in a
    quoted string they would reach the pages, where they make the feeds invalid XML or stop
    the build (a lone surrogate cannot be written as UTF-8).
    """
    problems: list[tuple[int, str]] = []
    for current in _nodes(node):
        if isinstance(current, yaml.ScalarNode):
            line = current.start_mark.line + 2
            if (control := _CONTROL.search(current.value)) is not None:
                problems.append((line, _("control character U+{code:04X} (written as an escape): remove it").format(code=ord(control[0]))))
            elif (other := _NOT_TEXT.search(current.value)) is not None:
                problems.append((line, _("U+{code:04X} is not a text character (written as an escape): remove it").format(code=ord(other[0]))))
    return sorted(set(problems))


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[int, str]]:
    """(file line, message) for every key written twice in one mapping, at any depth: YAML would keep only the last."""
    problems: list[tuple[int, str]] = []
    for current in _nodes(node):
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _value in current.value:
                key, line = str(key_node.value), key_node.start_mark.line + 2
                if isinstance(key_node, yaml.ScalarNode) and key in seen:
                    problems.append((line, _("duplicate key '{key}' (first on line {first}): keep one").format(key=key[:40], first=seen[key])))
                seen.setdefault(key, line)
    return sorted(problems)
