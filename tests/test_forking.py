"""A forked helper process: its value comes back, and its failure fails the caller with the reason."""

from __future__ import annotations

import os

import pytest

from generator.forking import ForkedCall


def test_the_helper_returns_its_value_computed_on_the_callers_data() -> None:
    data = list(range(1000))  # not pickled to the helper: it is a copy of this process
    helper = ForkedCall(lambda: (os.getpid(), sum(data)))
    pid, total = helper.result()
    assert pid != os.getpid()
    assert total == sum(data)


def test_an_error_in_the_helper_is_raised_with_its_traceback() -> None:
    def fail() -> None:
        raise ValueError("shard 7 could not be written")

    with pytest.raises(RuntimeError, match="shard 7 could not be written"):
        ForkedCall(fail).result()


def test_a_helper_that_dies_fails_the_caller() -> None:
    with pytest.raises(RuntimeError, match="ended without an answer"):
        ForkedCall(os._exit, 3).result()
