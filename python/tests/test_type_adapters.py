"""Input validation keeps a bounded number of pydantic adapters (dspy_connect.call)."""

from __future__ import annotations

import typing

import pytest

from dspy_connect.errors import InvalidArgument
from dspy_connect.module_io import MAX_TYPE_ADAPTERS, _adapter, validate_values


def test_client_chosen_types_do_not_pile_up():
    # Each Literal option set is a type of its own; a client can send endless ones.
    _adapter.cache_clear()
    for i in range(MAX_TYPE_ADAPTERS + 200):
        option = f"v{i}"
        assert validate_values({"q": typing.Literal[option]}, {"q": option}, "input") == {"q": option}
    assert _adapter.cache_info().currsize == MAX_TYPE_ADAPTERS
    with pytest.raises(InvalidArgument):
        validate_values({"q": typing.Literal["v0"]}, {"q": "other"}, "input")
