"""The composer's pure parts in-process: the condition evaluator against hostile payloads,
aggregators, and definition validation."""

from __future__ import annotations

import json

import pytest

from dspy_connect.errors import InvalidArgument
from dspy_connect.pipeline import compile_pipeline
from dspy_connect.pipeline.aggregators import compile_aggregator
from dspy_connect.pipeline.conditions import ConditionError, compile_condition


def field(name):
    return {"field": name}


def value(v):
    return {"value": v}


def cond(op, left, right):
    return {"op": op, "left": left, "right": right}


# ---- the evaluator ----


@pytest.mark.parametrize(
    ("node", "state", "expected"),
    [
        (cond("eq", field("answer"), value("yes")), {"answer": "yes"}, True),
        (cond("ne", field("answer"), value("yes")), {"answer": "no"}, True),
        (cond("eq", field("n"), value(1.0)), {"n": 1}, True),
        (cond("eq", field("flag"), value(1)), {"flag": True}, False),  # JSON: true is not 1
        (cond("gt", field("score"), value(0.5)), {"score": 0.7}, True),
        (cond("lte", field("score"), value(0.5)), {"score": 0.7}, False),
        (cond("lt", field("word"), value("b")), {"word": "a"}, True),
        (cond("contains", field("text"), value("sky")), {"text": "blue sky"}, True),
        (cond("contains", field("tags"), value("x")), {"tags": ["y", "x"]}, True),
        (cond("contains", field("doc"), value("title")), {"doc": {"title": 1}}, True),
        (cond("gt", {"op": "len", "arg": field("items")}, value(2)), {"items": [1, 2, 3]}, True),
        (cond("eq", field("doc.pages.1.title"), value("b")), {"doc": {"pages": [{"title": "a"}, {"title": "b"}]}}, True),
        (cond("eq", field("missing"), value(None)), {}, True),
        (cond("eq", field("items.9"), value(None)), {"items": [1]}, True),
        ({"op": "exists", "arg": field("answer")}, {"answer": None}, False),
        ({"op": "not", "arg": {"op": "exists", "arg": field("answer")}}, {}, True),
        ({"op": "and", "args": [cond("eq", field("a"), value(1)), cond("eq", field("b"), value(2))]}, {"a": 1, "b": 2}, True),
        ({"op": "or", "args": [cond("eq", field("a"), value(9)), cond("eq", field("b"), value(2))]}, {"a": 1, "b": 2}, True),
        (cond("eq", field("tags"), value(["a", "b"])), {"tags": ["a", "b"]}, True),
    ],
)
def test_conditions_evaluate(node, state, expected):
    assert compile_condition(node, "t").evaluate(state) is expected


class Sneaky:
    hidden = "not for conditions"

    def __getitem__(self, key):
        raise AssertionError("the evaluator must never index arbitrary objects")


@pytest.mark.parametrize(
    "ref",
    [
        "__class__",
        "answer.__class__",
        "answer.__class__.__mro__",
        "_private",
        "answer._x",
        "a..b",
        "answer.upper()",
        "answer[0]",
        "os.system('x')",
        "a.b c",
        "1abc",
        "",
        "a." * 20 + "b",
        "x" * 300,
    ],
)
def test_field_refs_reject_attribute_access_and_dunders(ref):
    with pytest.raises(InvalidArgument):
        compile_condition(cond("eq", field(ref), value(1)), "t")


def test_objects_in_state_are_never_traversed_by_attribute():
    check = compile_condition(cond("eq", field("obj.hidden"), value("not for conditions")), "t")
    assert check.evaluate({"obj": Sneaky()}) is False  # only dict keys and list indices are followed


@pytest.mark.parametrize(
    "node",
    [
        {"op": "__import__", "args": []},
        {"op": "eval", "left": value("1"), "right": value("1")},
        {"op": "getattr", "left": field("a"), "right": value("__class__")},
        cond("eq", {"field": "a", "op": "len"}, value(1)),
        cond("eq", {"call": "print"}, value(1)),
        cond("eq", field("a"), {"value": {"__class__": 1}}),  # no object literals
        cond("eq", field("a"), {"value": [[1]]}),  # no nested lists
        cond("eq", field("a"), value(2**53 + 1)),
        cond("eq", field("a"), value(-(10**400))),
        cond("eq", field("a"), value(float("inf"))),
        cond("eq", field("a"), value(float("nan"))),
        cond("eq", field("a"), value("x" * 10_001)),
        cond("eq", field("a"), value(list(range(101)))),
        {"op": "and", "args": []},
        {"op": "not"},
        "answer == 'yes'",
        None,
        [],
    ],
)
def test_hostile_condition_nodes_are_rejected_when_compiling(node):
    with pytest.raises(InvalidArgument):
        compile_condition(node, "t")


def test_deep_nesting_and_node_count_are_bounded():
    node = cond("eq", field("a"), value(1))
    for _ in range(16):
        node = {"op": "not", "arg": node}
    with pytest.raises(InvalidArgument, match="nested deeper"):
        compile_condition(node, "t")
    wide = {"op": "or", "args": [cond("eq", field("a"), value(i)) for i in range(200)]}
    with pytest.raises(InvalidArgument, match="nodes"):
        compile_condition(wide, "t")


def test_huge_numbers_in_state_compare_without_trouble():
    check = compile_condition(cond("gt", field("n"), value(1)), "t")
    assert check.evaluate({"n": 10**4000}) is True
    assert check.evaluate({"n": float("inf")}) is True
    assert compile_condition(cond("gt", {"op": "len", "arg": field("s")}, value(10)), "t").evaluate({"s": "x" * 10**7})


@pytest.mark.parametrize(
    ("node", "state"),
    [
        (cond("gt", field("a"), value(3)), {"a": "text"}),
        (cond("gt", field("a"), value(3)), {"a": True}),
        (cond("contains", field("a"), value("x")), {"a": 3}),
        (cond("contains", field("a"), value(3)), {"a": "text"}),
        (cond("eq", {"op": "len", "arg": field("a")}, value(3)), {"a": 3}),
    ],
)
def test_type_errors_at_run_time_are_invalid_argument(node, state):
    with pytest.raises(ConditionError):
        compile_condition(node, "t").evaluate(state)


def test_a_definition_with_huge_or_deep_json_is_invalid_argument():
    with pytest.raises(InvalidArgument):
        compile_pipeline(b'{"version": 1, "steps": [' + b"9" * 5000 + b"]}")
    with pytest.raises(InvalidArgument):
        compile_pipeline(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidArgument):
        compile_pipeline(b"x" * (2 << 20))


# ---- aggregators ----


@pytest.mark.parametrize(
    ("spec", "outputs", "expected"),
    [
        ({"kind": "concat", "field": "a", "into": "all"}, [{"a": "x"}, None, {"a": ["y", "z"]}], {"all": ["x", "y", "z"]}),
        ({"kind": "concat", "field": "a", "into": "all", "separator": " | "}, [{"a": "x"}, {"a": "y"}], {"all": "x | y"}),
        ({"kind": "majority", "field": "a"}, [{"a": "x"}, {"a": "y"}, {"a": "y"}], {"a": "y"}),
        ({"kind": "majority", "field": "a"}, [{"a": "x"}, {"a": "y"}], {"a": "x"}),  # tie: earliest branch
        ({"kind": "first", "field": "a"}, [{"a": " "}, {"a": []}, None, {"a": "z"}], {"a": "z"}),
        ({"kind": "first", "field": "a"}, [{"a": ""}], {"a": None}),
        ({"kind": "merge"}, [{"a": 1, "b": 1}, {"b": 2}], {"a": 1, "b": 2}),
        ({"kind": "merge", "field": "facts"}, [{"facts": {"x": 1}}, {"facts": {"y": 2}}], {"facts": {"x": 1, "y": 2}}),
        ({"kind": "best", "by": "score"}, [{"score": 0.1, "a": "x"}, {"score": 0.9, "a": "y"}], {"score": 0.9, "a": "y"}),
        (
            {"kind": "best", "by": "score", "field": "a", "order": "min"},
            [{"score": 0.1, "a": "x"}, {"score": 0.9, "a": "y"}],
            {"a": "x"},
        ),
        ({"kind": "best", "by": "score", "field": "a"}, [{"score": "high", "a": "x"}], {"a": None}),
    ],
)
def test_aggregators(spec, outputs, expected):
    assert compile_aggregator(spec, "t").apply(outputs) == expected


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "sum", "field": "a"},
        {"kind": "concat"},
        {"kind": "best"},
        {"kind": "majority", "field": "__x"},
        {"kind": "first", "field": "a", "code": "x"},
    ],
)
def test_bad_aggregators(spec):
    with pytest.raises(InvalidArgument):
        compile_aggregator(spec, "t")


# ---- definitions ----


def definition(steps, inputs=None):
    return json.dumps(
        {"version": 1, "name": "t", "inputs": inputs if inputs is not None else {"question": "str"}, "steps": steps}
    ).encode()


@pytest.mark.parametrize(
    ("steps", "inputs", "message"),
    [
        ([{"kind": "predict", "signature": "topic -> answer"}], None, "step 'predict_0': input 'topic'"),
        ([{"kind": "predict", "signature": "question -> answer", "inputs": {"nope": "question"}}], None, "not an input field"),
        (
            [{"kind": "predict", "signature": "question -> answer", "inputs": {"question": "answer"}}],
            None,
            "neither a pipeline input",
        ),
        (
            [{"kind": "predict", "signature": "question -> n: int"}, {"kind": "predict", "signature": "n: str -> a"}],
            None,
            "holds int there, the step takes str",
        ),
        ([{"kind": "predict", "signature": "question -> answer", "outputs": {"x": "y"}}], None, "not an output"),
        ([{"kind": "predict", "name": "a/b", "signature": "question -> answer"}], None, "name 'a/b'"),
        (
            [
                {"kind": "predict", "name": "s", "signature": "question -> a"},
                {"kind": "predict", "name": "s", "signature": "question -> b"},
            ],
            None,
            "used twice",
        ),
        ([{"kind": "predict", "signature": "question -> answer", "on_error": "ignore"}], None, "on_error"),
        ([{"kind": "predict", "signature": "question -> answer", "on_error": "retry"}], None, "retries"),
        ([{"kind": "predict", "signature": "question -> answer", "on_error": "retry", "retries": 99}], None, "retries"),
        ([{"kind": "predict", "signature": "question -> answer", "code": "print(1)"}], None, "unknown key"),
        ([{"kind": "predict", "signature": "question: os.system -> answer"}], None, "unsupported type"),
        ([{"kind": "react", "signature": "question -> answer", "tools": ["os.system"]}], None, "unknown tool"),
        (
            [
                {
                    "kind": "branch",
                    "condition": cond("eq", field("answer"), value(1)),
                    "then": {"steps": [{"kind": "predict", "signature": "question -> a"}]},
                }
            ],
            None,
            "the condition reads ['answer']",
        ),
        ([{"kind": "parallel", "branches": [], "aggregate": {"kind": "merge"}}], None, "branches"),
        (
            [
                {
                    "kind": "parallel",
                    "branches": [{"steps": [{"kind": "predict", "signature": "question -> a"}]}],
                    "aggregate": {"kind": "first", "field": "b"},
                }
            ],
            None,
            "no branch writes",
        ),
        (
            [{"kind": "map", "over": "items", "pipeline": {"steps": [{"kind": "predict", "signature": "item -> a"}]}}],
            None,
            "map reads 'items'",
        ),
        (
            [
                {
                    "kind": "map",
                    "over": "question",
                    "pipeline": {"steps": [{"kind": "predict", "signature": "item -> a"}]},
                    "concurrency": 0,
                }
            ],
            None,
            "concurrency",
        ),
        (
            [
                {
                    "kind": "pipeline",
                    "pipeline": {"inputs": {"zzz": "str"}, "steps": [{"kind": "predict", "signature": "zzz -> a"}]},
                }
            ],
            None,
            "input 'zzz' is not in the parent",
        ),
        ([], None, "non-empty"),
        ([{"kind": "predict", "signature": "question -> answer"}], {"question": "os.path"}, "pipeline: unsupported type"),
    ],
)
def test_definition_errors_name_the_step(steps, inputs, message):
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace("[", r"\[")):
        compile_pipeline(definition(steps, inputs))


def test_nesting_and_size_limits():
    inner: dict = {"steps": [{"kind": "predict", "signature": "question -> answer"}]}
    for _ in range(9):
        inner = {"steps": [{"kind": "pipeline", "pipeline": inner}]}
    with pytest.raises(InvalidArgument, match="nested"):
        compile_pipeline(definition(inner["steps"]))
    many = [{"kind": "predict", "name": f"s{i}", "signature": "question -> answer"} for i in range(257)]
    with pytest.raises(InvalidArgument, match="256 steps"):
        compile_pipeline(definition(many))


def test_what_a_step_may_read_follows_the_pipeline():
    steps = [
        {"kind": "chain_of_thought", "name": "think", "signature": "question -> answer"},
        {
            "kind": "predict",
            "name": "rename",
            "signature": "text -> summary",
            "inputs": {"text": "reasoning"},
            "outputs": {"summary": "short"},
        },
        {"kind": "predict", "name": "use", "signature": "short, answer -> final"},
    ]
    pipeline = compile_pipeline(definition(steps))
    assert set(pipeline.writes) == {"reasoning", "answer", "short", "final"}
    with pytest.raises(InvalidArgument, match="missing pipeline input"):
        pipeline.validate_inputs({})
    with pytest.raises(InvalidArgument, match="unknown pipeline input"):
        pipeline.validate_inputs({"question": "q", "extra": 1})
    with pytest.raises(InvalidArgument, match="does not match its type"):
        pipeline.validate_inputs({"question": ["not", "a", "string"]})
