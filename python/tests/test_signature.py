import sys
import typing

import pytest

from dspy_connect.errors import InvalidArgument
from dspy_connect.signature import build_signature


def annotations(sig):
    return {name: field.annotation for name, field in sig.model_fields.items()}


def test_types_and_instructions():
    sig = build_signature("question: str, context: list[str] -> answer: int", "Count.")
    assert annotations(sig) == {"question": str, "context": list[str], "answer": int}
    assert sig.instructions == "Count."
    assert list(sig.input_fields) == ["question", "context"]


def test_untyped_fields_are_str():
    assert annotations(build_signature("a, b -> c")) == {"a": str, "b": str, "c": str}


def test_generic_and_literal_types():
    sig = build_signature("q -> labels: list[Literal['pos', 'neg']], m: dict[str, int], o: Optional[str], u: str | None")
    got = annotations(sig)
    assert got["labels"] == list[typing.Literal["pos", "neg"]]
    assert got["m"] == dict[str, int]
    assert got["o"] == str | None
    assert got["u"] == str | None


@pytest.mark.parametrize(
    "text",
    [
        "x: antigravity -> y",  # DSPy's parser would import this module
        "x: os.system -> y",
        "x: str.__class__ -> y",
        "__class__ -> y",
        "x: Literal[len] -> y",
        "x: str[int] -> y",
        "x -> y -> z",
        "x -> ",
        "x: list[ -> y",
        "x -> x",
        "a, a -> b",
        "x: " + "list[" * 20 + "int" + "]" * 20 + " -> y",
        "x" * 9000 + " -> y",
    ],
)
def test_hostile_or_bad_signatures_are_invalid_argument(text):
    with pytest.raises(InvalidArgument):
        build_signature(text)


def test_unknown_names_are_never_imported():
    sys.modules.pop("antigravity", None)
    with pytest.raises(InvalidArgument):
        build_signature("x: antigravity -> y")
    assert "antigravity" not in sys.modules
