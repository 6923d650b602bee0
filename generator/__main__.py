"""`python -m generator`: the same as the `minutes` command."""

from .cli import run

run()
