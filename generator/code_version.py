"""A digest of the code that makes what a cache keeps: a cache written by another version of `minutes` is never trusted."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def code_digest(libraries: tuple[str, ...]) -> str:
    """A digest of this package's source (modules and message catalogs) and the installed versions of `libraries`.

    The whole package, not a guess at the modules a result depends on: any change to minutes
    itself makes every cached result new, and a stale one can never be served.
    """
    digest = hashlib.blake2b(digest_size=16)
    sources = sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".po") and "__pycache__" not in p.parts)
    for path in sources:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for library in libraries:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}={version};".encode())
    return digest.hexdigest()
