"""The composer's pure parts in-process: the condition evaluator against hostile payloads,
aggregators, and definition validation. Definitions are the contract's messages
(pipeline.proto), written in protobuf JSON form (pipeline_defs)."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from dspy_connect.errors import InvalidArgument
from dspy_connect.pipeline import compile_pipeline
from dspy_connect.pipeline.aggregators import compile_aggregator
from dspy_connect.pipeline.conditions import ConditionError, compile_condition
from dspy_connect.pipeline.definition import MapStep
from dspy_connect.pipeline.refs import parse_ref
from dspy_connect.v1 import pipeline_pb2

from .pipeline_defs import (
    CONTINUE,
    aggregate,
    aggregator,
    all_of,
    any_of,
    branch,
    cond,
    condition,
    definition,
    exists,
    field,
    length,
    map_step,
    module_step,
    negate,
    parallel,
    predict,
    retry,
    sub,
    sub_pipeline,
    value,
)


def compiled(node):
    return compile_condition(condition(node), "t")


# ---- the evaluator ----


@pytest.mark.parametrize(
    ("node", "state", "expected"),
    [
        (cond("eq", field("answer"), value("yes")), {"answer": "yes"}, True),
        (cond("ne", field("answer"), value("yes")), {"answer": "no"}, True),
        (cond("eq", field("n"), value(1.0)), {"n": 1}, True),
        (cond("eq", field("n"), value(1.5)), {"n": 1.5}, True),
        (cond("eq", field("flag"), value(1)), {"flag": True}, False),  # JSON: true is not 1
        (cond("gt", field("score"), value(0.5)), {"score": 0.7}, True),
        (cond("lte", field("score"), value(0.5)), {"score": 0.7}, False),
        (cond("lt", field("word"), value("b")), {"word": "a"}, True),
        (cond("contains", field("text"), value("sky")), {"text": "blue sky"}, True),
        (cond("contains", field("tags"), value("x")), {"tags": ["y", "x"]}, True),
        (cond("contains", field("doc"), value("title")), {"doc": {"title": 1}}, True),
        (cond("gt", length(field("items")), value(2)), {"items": [1, 2, 3]}, True),
        (cond("eq", field("doc.pages.1.title"), value("b")), {"doc": {"pages": [{"title": "a"}, {"title": "b"}]}}, True),
        (cond("eq", field("missing"), value(None)), {}, True),
        (cond("eq", field("items.9"), value(None)), {"items": [1]}, True),
        (exists(field("answer")), {"answer": None}, False),
        (negate(exists(field("answer"))), {}, True),
        (all_of(cond("eq", field("a"), value(1)), cond("eq", field("b"), value(2))), {"a": 1, "b": 2}, True),
        (any_of(cond("eq", field("a"), value(9)), cond("eq", field("b"), value(2))), {"a": 1, "b": 2}, True),
        (cond("eq", field("tags"), value(["a", "b"])), {"tags": ["a", "b"]}, True),
    ],
)
def test_conditions_evaluate(node, state, expected):
    assert compiled(node).evaluate(state) is expected


def test_integral_number_literals_are_ints():
    """Literals travel as doubles; an integral one compares and shows as an int."""
    assert compiled(cond("eq", field("n"), value(3))).tree[2] == ("value", 3)
    assert isinstance(compiled(cond("eq", field("n"), value(3))).tree[2][1], int)


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
        compiled(cond("eq", field(ref), value(1)))


def test_list_indices_are_ascii_digits_as_in_typescript():
    """Regression: Python's \\d matched other scripts' digits ("items.٣" read item 3), which
    the composer (JavaScript's \\d) refuses; both now read one pattern from the contract."""
    assert parse_ref("items.3", "t") == ("items", 3)
    for digits in ("\u0663", "\uff13", "\u09e9"):  # Arabic-Indic, fullwidth, Bengali three
        with pytest.raises(InvalidArgument, match="invalid part"):
            parse_ref(f"items.{digits}", "t")


def test_objects_in_state_are_never_traversed_by_attribute():
    check = compiled(cond("eq", field("obj.hidden"), value("not for conditions")))
    assert check.evaluate({"obj": Sneaky()}) is False  # only dict keys and list indices are followed


def _literal(**kind) -> pipeline_pb2.Condition:
    """eq(a, <literal>) with the literal built directly: JSON cannot write NaN or Infinity."""
    node = condition(cond("eq", field("a"), value(0)))
    node.compare.right.literal.CopyFrom(struct_pb2.Value(**kind))
    return node


@pytest.mark.parametrize(
    "node",
    [
        condition({"compare": {"left": field("a"), "right": value(1)}}),  # no op
        condition({"compare": {"op": "OP_EQ", "right": value(1)}}),  # no left operand
        condition({"compare": {"op": 99, "left": field("a"), "right": value(1)}}),  # an op from the future
        condition(cond("eq", field("a"), value({"__class__": 1}))),  # no object literals
        condition(cond("eq", field("a"), value([[1]]))),  # no nested lists
        condition(cond("eq", field("a"), value(-(2**60)))),
        condition(cond("eq", field("a"), value(1e300))),
        _literal(number_value=float("inf")),
        _literal(number_value=float("nan")),
        condition(cond("eq", field("a"), value("x" * 10_001))),
        condition(cond("eq", field("a"), value(list(range(101))))),
        _literal(),  # an empty Value: no kind at all
        condition(all_of()),
        condition(negate({})),
        condition({}),
        condition({"exists": {}}),
        condition(cond("eq", length({}), value(1))),
    ],
)
def test_hostile_condition_nodes_are_rejected_when_compiling(node):
    with pytest.raises(InvalidArgument):
        compile_condition(node, "t")


def test_integer_literals_are_bounded_as_in_typescript():
    """Regression: the worker took 2**53 while the composer refused it (Number.isSafeInteger);
    both now read ±max_abs_integer_literal (2^53 - 1) from the contract."""
    assert compiled(cond("eq", field("a"), value(2**53 - 1))).tree[2] == ("value", 2**53 - 1)
    for number in (2**53, -(2**53)):
        with pytest.raises(InvalidArgument, match="out of range"):
            compiled(cond("eq", field("a"), value(number)))


def test_deep_nesting_and_node_count_are_bounded():
    node = cond("eq", field("a"), value(1))
    for _ in range(16):
        node = negate(node)
    with pytest.raises(InvalidArgument, match="nested deeper"):
        compiled(node)
    wide = any_of(*[cond("eq", field("a"), value(i)) for i in range(200)])
    with pytest.raises(InvalidArgument, match="nodes"):
        compiled(wide)


def test_huge_numbers_in_state_compare_without_trouble():
    check = compiled(cond("gt", field("n"), value(1)))
    assert check.evaluate({"n": 10**4000}) is True
    assert check.evaluate({"n": float("inf")}) is True
    assert compiled(cond("gt", length(field("s")), value(10))).evaluate({"s": "x" * 10**7})


@pytest.mark.parametrize(
    ("node", "state"),
    [
        (cond("gt", field("a"), value(3)), {"a": "text"}),
        (cond("gt", field("a"), value(3)), {"a": True}),
        (cond("contains", field("a"), value("x")), {"a": 3}),
        (cond("contains", field("a"), value(3)), {"a": "text"}),
        (cond("eq", length(field("a")), value(3)), {"a": 3}),
    ],
)
def test_type_errors_at_run_time_are_invalid_argument(node, state):
    with pytest.raises(ConditionError):
        compiled(node).evaluate(state)


def test_a_huge_definition_is_invalid_argument():
    steps = [predict(f"s{i}", "question -> answer", config={"pad": "x" * 5000}) for i in range(250)]
    with pytest.raises(InvalidArgument, match="larger than 1048576 bytes"):
        compile_pipeline(definition(steps))


def test_fields_this_worker_does_not_know_are_refused_with_the_step_path():
    """A newer client's field would otherwise be dropped in silence (the JSON form refused
    unknown keys; the message keeps that)."""
    node = definition([predict("a", "question -> answer")])
    unknown = pipeline_pb2.ModuleStep.FromString(node.steps[0].predict.SerializeToString() + b"\xa0\x06\x01")  # field 100
    node.steps[0].predict.CopyFrom(unknown)
    with pytest.raises(InvalidArgument, match="step 'a': the definition has fields this worker does not know"):
        compile_pipeline(node)


# ---- aggregators ----


@pytest.mark.parametrize(
    ("spec", "outputs", "expected"),
    [
        (aggregate("concat", field="a", into="all"), [{"a": "x"}, None, {"a": ["y", "z"]}], {"all": ["x", "y", "z"]}),
        (aggregate("concat", field="a", into="all", separator=" | "), [{"a": "x"}, {"a": "y"}], {"all": "x | y"}),
        (aggregate("concat", field="a", separator=""), [{"a": "x"}, {"a": "y"}], {"a": "xy"}),  # "" is a separator
        (aggregate("majority", field="a"), [{"a": "x"}, {"a": "y"}, {"a": "y"}], {"a": "y"}),
        (aggregate("majority", field="a"), [{"a": "x"}, {"a": "y"}], {"a": "x"}),  # tie: earliest branch
        (aggregate("first", field="a"), [{"a": " "}, {"a": []}, None, {"a": "z"}], {"a": "z"}),
        (aggregate("first", field="a"), [{"a": ""}], {"a": None}),
        (aggregate("merge"), [{"a": 1, "b": 1}, {"b": 2}], {"a": 1, "b": 2}),
        (aggregate("merge", field="facts"), [{"facts": {"x": 1}}, {"facts": {"y": 2}}], {"facts": {"x": 1, "y": 2}}),
        (aggregate("best", by="score"), [{"score": 0.1, "a": "x"}, {"score": 0.9, "a": "y"}], {"score": 0.9, "a": "y"}),
        (
            aggregate("best", by="score", field="a", order="ORDER_MIN"),
            [{"score": 0.1, "a": "x"}, {"score": 0.9, "a": "y"}],
            {"a": "x"},
        ),
        (aggregate("best", by="score", field="a"), [{"score": "high", "a": "x"}], {"a": None}),
    ],
)
def test_aggregators(spec, outputs, expected):
    assert compile_aggregator(aggregator(spec), "t").apply(outputs) == expected


@pytest.mark.parametrize(
    "spec",
    [
        {},
        aggregate("concat"),
        aggregate("best"),
        aggregate("majority", field="__x"),
        aggregate("first", field="a", into="b.c"),
        aggregate("concat", field="a", separator="-" * 101),
        aggregate("best", by="score", order=7),
    ],
)
def test_bad_aggregators(spec):
    with pytest.raises(InvalidArgument):
        compile_aggregator(aggregator(spec), "t")


# ---- definitions ----


@pytest.mark.parametrize(
    ("steps", "inputs", "message"),
    [
        ([predict(None, "topic -> answer")], None, "step 'predict_0': input 'topic'"),
        ([predict(None, "question -> answer", inputs={"nope": "question"})], None, "not an input field"),
        ([predict(None, "question -> answer", inputs={"question": "answer"})], None, "neither a pipeline input"),
        (
            [predict(None, "question -> n: int"), predict(None, "n: str -> a")],
            None,
            "holds int there, the step takes str",
        ),
        ([predict(None, "question -> answer", outputs={"x": "y"})], None, "not an output"),
        ([predict("a/b", "question -> answer")], None, "name 'a/b'"),
        ([predict("s", "question -> a"), predict("s", "question -> b")], None, "used twice"),
        ([predict(None, "question -> answer", on_error={"mode": 9})], None, "on_error"),
        ([predict(None, "question -> answer", on_error={"mode": "MODE_RETRY"})], None, "retries"),
        ([predict(None, "question -> answer", on_error=retry(11))], None, "retries"),
        ([predict(None, "question -> answer", on_error={"mode": "MODE_CONTINUE", "retries": 1})], None, "retries"),
        ([predict(None, "")], None, "signature"),
        ([predict(None, "question -> answer", type="react")], None, "`module.type` of a predict step"),
        ([module_step("module", None, "question -> answer")], None, "needs `module.type`"),
        ([{"name": "nothing"}], None, "a step needs a kind"),
        ([predict(None, "question: os.system -> answer")], None, "unsupported type"),
        ([module_step("react", None, "question -> answer", tools=["os.system"])], None, "unknown tool"),
        ([module_step("react", None, "question -> answer", tools=[""])], None, "tool names"),
        (
            [branch(None, cond("eq", field("answer"), value(1)), sub(predict(None, "question -> a")))],
            None,
            "the condition reads ['answer']",
        ),
        ([branch(None, cond("eq", field("question"), value(1)), sub())], None, "non-empty"),
        ([parallel(None, [], aggregate("merge"))], None, "branches"),
        ([parallel(None, [sub(predict(None, "question -> a"))] * 17, aggregate("merge"))], None, "1..16 pipelines"),
        (
            [parallel(None, [sub(predict(None, "question -> a"))], aggregate("first", field="b"))],
            None,
            "no branch writes",
        ),
        ([map_step(None, "items", sub(predict(None, "item -> a")))], None, "map reads 'items'"),
        ([map_step(None, "question", sub(predict(None, "item -> a")), concurrency=17)], None, "concurrency"),
        ([map_step(None, "question", sub(predict(None, "item -> a")), select="b")], None, "`select` names 'b'"),
        (
            [sub_pipeline(None, sub(predict(None, "zzz -> a"), inputs={"zzz": "str"}))],
            None,
            "input 'zzz' is not in the parent",
        ),
        ([], None, "non-empty"),
        ([predict(None, "question -> answer")], {"question": "os.path"}, "pipeline: unsupported type"),
    ],
)
def test_definition_errors_name_the_step(steps, inputs, message):
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace("[", r"\[")):
        compile_pipeline(definition(steps, inputs))


def test_nesting_and_size_limits():
    inner = sub(predict(None, "question -> answer"))
    for _ in range(9):
        inner = sub(sub_pipeline(None, inner))
    with pytest.raises(InvalidArgument, match="nested"):
        compile_pipeline(definition(inner["steps"]))
    many = [predict(f"s{i}", "question -> answer") for i in range(257)]
    with pytest.raises(InvalidArgument, match="256 steps"):
        compile_pipeline(definition(many))


def test_what_a_step_may_read_follows_the_pipeline():
    steps = [
        module_step("chain_of_thought", "think", "question -> answer"),
        predict("rename", "text -> summary", inputs={"text": "reasoning"}, outputs={"summary": "short"}),
        predict("use", "short, answer -> final"),
    ]
    pipeline = compile_pipeline(definition(steps))
    assert set(pipeline.writes) == {"reasoning", "answer", "short", "final"}
    with pytest.raises(InvalidArgument, match="missing pipeline input"):
        pipeline.validate_inputs({})
    with pytest.raises(InvalidArgument, match="unknown pipeline input"):
        pipeline.validate_inputs({"question": "q", "extra": 1})
    with pytest.raises(InvalidArgument, match="does not match its type"):
        pipeline.validate_inputs({"question": ["not", "a", "string"]})


def test_defaults_fill_what_the_message_leaves_empty():
    steps = [
        predict(None, "question -> answer", on_error=CONTINUE),
        map_step("each", "answer", sub(predict(None, "item -> x"))),
    ]
    pipeline = compile_pipeline(definition(steps, name=""))
    assert pipeline.name == "pipeline"
    first, each = pipeline.steps
    assert isinstance(each, MapStep)
    assert (first.name, first.policy.mode, first.policy.retries) == ("predict_0", "continue", 0)
    assert (each.item, each.into, each.select, each.concurrency) == ("item", "results", None, 4)
