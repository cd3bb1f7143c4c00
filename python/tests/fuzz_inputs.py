"""Seeded generators of hostile input for every worker RPC (the fuzz suite's inputs).

`cases(seed, rounds)` yields FuzzCases: hostile strings (control characters, bidi and
zero-width marks, code and path lookalikes, huge values), JSON that is invalid, non-UTF-8,
deeply nested, non-finite or of the wrong type, hostile signatures, module configs,
states, LM configs, ids, tool specs and results, and raw protobuf bytes that do not
parse. The same seed gives the same cases.

Every LM named here is the scripted test provider or a name no provider has, so nothing
leaves this machine: no case can reach a real model or a network address.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from grpc_health.v1 import health_pb2

from dspy_connect.v1 import common_pb2, pipeline_pb2, run_pb2, worker_pb2

SERVICE = "/dspy_connect.v1.WorkerService/"
HEALTH = "/grpc.health.v1.Health/"
# Per round: how many cases each RPC gets (about 2,100 in all).
PER_ROUND = {
    "Describe": 40,
    "CreateSession": 220,
    "CloseSession": 120,
    "Call": 560,
    "Run": 620,
    "Health.Check": 120,
    "Health.Watch": 60,
    "raw": 380,
}

WEIRD = [
    "",
    " ",
    "\x00",
    "\x00\x01\x02\x7f",
    "\n\r\t\x0b\x0c",
    "\u202eevil\u202c",
    "\u200b\u200c\u200d\ufeff",
    "💥" * 8,
    "e\u0301" * 20,
    "ᚠᛇᚻ᛫ᛒᛦᚦ",
    "%s%n%x{0}{}{{",
    "../../../../etc/passwd",
    "__import__('os').system('id')",
    "'; DROP TABLE t;--",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "\\",
    '"',
    "null",
    "NaN",
    "-1",
    "1e309",
    "__dict__",
    "__class__",
    "forward",
    "callbacks",
    "self",
    "os.system",
    "typing.Any",
    "lambda: 0",
    "int()",
    "[" * 60,
    "->" * 30,
    "\udbff\udfff".encode("utf-16", "surrogatepass").decode("utf-16"),
    "A" * 129,
]
TYPES = [
    "str",
    "int",
    "float",
    "bool",
    "list[str]",
    "dict[str, int]",
    "Optional[int]",
    "Literal['x', 'y']",
    "list[dict[str, list[int]]]",
    "int | None",
    "Any",
    "tuple[int, str]",
    "set[str]",
]
TYPE_BOMBS = [
    "-" * 5000 + "1",
    "list[" * 300 + "str" + "]" * 300,
    "|".join(["int"] * 900),
    "not " * 3000 + "x",
    "st\x00r",
    "os.system",
    "__import__('os')",
    "int()",
    "lambda: int",
    "typing.List[int]",
    "list[]",
    "Literal[" + ",".join(f"'{i}'" for i in range(3000)) + "]",
    "dict[str]",
    "list[int, str, bool]",
    "Literal[int]",
    "[int]",
    "{'a': int}",
    "1 + 1",
    "f'{x}'",
    "list[" + "x" * 5000 + "]",
]
GOOD_SIGNATURES = [
    ("q -> a", {"q": "x"}),
    ("question: str, options: list[str] -> answer: str, confidence: float", {"question": "which", "options": ["a", "b"]}),
    ("q -> n: int", {"q": "four"}),
    ("n: int -> ok: bool", {"n": 3}),
    ("a, b -> c", {"a": "1", "b": "2"}),
    ("q -> a: Literal['x', 'y']", {"q": "x"}),
    ("d: dict[str, int] -> a", {"d": {"k": 1}}),
    ("q: Optional[str] -> a", {}),
    ("q: list[int] -> total: int, items: list[str]", {"q": [1, 2]}),
]
SCRIPTED = ["scripted/echo", "scripted/echo", "scripted/echo", "scripted/fail", "scripted/stray", "scripted/slow-5"]
OPTIONS = [
    "temperature",
    "top_p",
    "max_tokens",
    "n",
    "num_retries",
    "timeout",
    "seed",
    "rollout_id",
    "stop",
    "cache",
    "logprobs",
    "model_type",
    "engine",
    "callbacks",
    "provider",
    "model",
    "api_base",
    "base_url",
    "response_format",
    "launch_kwargs",
    "max_iters",
    "rationale_field",
    "signature",
    "lm",
    "demos",
    "__dict__",
]


@dataclass
class FuzzCase:
    rpc: str  # "Describe", "Call", "Run", "Health.Check", ...
    label: str  # what was made hostile
    request: Any  # a message, or (raw) its bytes, or for Run a RunPlan
    raw: bool = False  # bytes that may not parse, sent as they are
    internal_ok: bool = False  # INTERNAL is the right answer (the LM or a command fails for real)
    cancels: bool = False  # the client cancels: CANCELLED is an answer


@dataclass
class RunPlan:
    """A Run as the client plays it: messages to send first, and how to answer."""

    first: list[Any]  # RunRequest messages or raw bytes
    extra: list[Any] = field(default_factory=list)  # sent right after `first`
    cancel_after_events: int | None = None
    # What answers a tool_call: "" (nothing), "result" (tool_output then `tool_payload` as
    # its output), "error" (`tool_error` as its error), "corrupt" (`tool_payload` as raw
    # bytes), "cancel" (a RunCancel).
    tool_reply: str = ""
    tool_payload: bytes = b""
    tool_error: str = ""


class Hostile:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def size(self) -> int:
        return self.rng.choice([0, 1, 2, 3, 8, 40, 200, 1000, 5000, 20_000, 100_000, 600_000])

    def char(self) -> str:
        r = self.rng.random()
        if r < 0.6:
            return self.rng.choice(string.printable)
        if r < 0.7:
            return chr(self.rng.randrange(0, 0x20))
        if r < 0.9:
            return chr(self.rng.randrange(0x80, 0xD800))
        return chr(self.rng.randrange(0xE000, 0x110000))

    def text(self, limit: int | None = None) -> str:
        """A hostile string: a known-nasty token, random characters, or a repeated pattern."""
        mode = self.rng.random()
        if mode < 0.35:
            value = self.rng.choice(WEIRD)
        elif mode < 0.75:
            value = "".join(self.char() for _ in range(min(self.size(), 3000)))
        else:
            unit = self.rng.choice([*WEIRD, "a", "ab ", "é", "[", "->", ","]) or "x"
            value = unit * max(1, self.size() // max(1, len(unit)))
        return value if limit is None else value[:limit]

    def name(self) -> str:
        """Something used as a name or id: often plausible, often not."""
        if self.chance(0.4):
            return self.rng.choice(["q", "answer", "x_1", "Question", "ok", "a" * 64, "a" * 200, "é", "_private"])
        return self.text()

    def number(self) -> Any:
        return self.rng.choice(
            [
                0,
                -1,
                1,
                2**31,
                2**63,
                -(2**64),
                10**400 if self.chance(0.2) else 1,
                0.5,
                1e308,
                -0.0,
                True,
                False,
                None,
                "1",
                "hot",
                [],
                {},
            ]
        )

    def json_value(self, depth: int = 0) -> Any:
        r = self.rng.random()
        if depth > 3 or r < 0.4:
            return self.rng.choice([self.text(200), self.number(), None, True])
        if r < 0.7:
            return [self.json_value(depth + 1) for _ in range(self.rng.randrange(0, 4))]
        return {self.text(30): self.json_value(depth + 1) for _ in range(self.rng.randrange(0, 4))}

    def json_bytes(self, good: Any = None) -> bytes:
        """Hostile JSON bytes; `good` (an object) is sometimes sent as it is or slightly off."""
        r = self.rng.randrange(17)
        if r == 0 and good is not None:
            return json.dumps(good).encode()
        if r == 1:
            return b"[" * self.rng.choice([65, 500, 5000, 100_000]) + b"]" * self.rng.choice([0, 65])
        if r == 2:
            return b'{"a":' * self.rng.choice([65, 2000]) + b"1" + b"}" * 2000
        if r == 3:
            return b'{"a": "\xff\xfe\xc0\x80"}'
        if r == 4:
            return self.rng.choice([b'{"a": "\\ud800"}', b'{"\\udfff": 1}', b'["\\ud83d"]'])
        if r == 5:
            return self.rng.choice([b'{"a": NaN}', b'{"a": Infinity}', b"[-Infinity]"])
        if r == 6:
            return b'{"a": ' + b"9" * self.rng.choice([4301, 50_000]) + b"}"
        if r == 7:
            return self.rng.choice([b"[]", b"1", b'"s"', b"null", b"true", b"[{}]", b"1e999"])
        if r == 8:
            body = json.dumps(good if good is not None else {"a": 1}).encode()
            return body[: self.rng.randrange(len(body))] if len(body) > 1 else b"{"
        if r == 9:
            return b"\xef\xbb\xbf{}" if self.chance(0.5) else b"{} trailing"
        if r == 10:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 64)))
        if r == 11:
            return b" \n\t "
        if r == 12 and isinstance(good, dict):
            return json.dumps({**good, self.text(40): self.json_value()}).encode()
        if r == 12 and isinstance(good, list):
            return json.dumps([*good, self.json_value()]).encode()
        if r == 13 and isinstance(good, dict) and good:
            key = self.rng.choice(list(good))
            return json.dumps({**good, key: self.json_value()}).encode()
        if r == 14:
            return json.dumps({"a": "x" * self.rng.choice([10, 100_000, 1_000_000])}).encode()
        return json.dumps(self.json_value()).encode("utf-8", "surrogatepass")

    # ---- signatures and modules ----
    # Most requests are valid but for one or two parts (`bad`), so the hostile part meets
    # the code behind the first checks, not only the first checks.

    def parts(self, aspects: list[str]) -> set[str]:
        """Which parts of a request to make hostile: usually one, sometimes none or two."""
        return set(self.rng.sample(aspects, self.rng.choice([0, 1, 1, 1, 1, 2])))

    def signature(self, bad: bool) -> tuple[str, dict[str, Any] | None]:
        """(signature, inputs that fit it), or (hostile signature, None)."""
        if not bad:
            return self.rng.choice(GOOD_SIGNATURES)
        r = self.rng.random()
        if r < 0.35:
            fields = [f"{self.name()}: {self.rng.choice(TYPES + TYPE_BOMBS)}" for _ in range(self.rng.randrange(1, 4))]
            return f"{', '.join(fields)} -> {self.name()}", None
        if r < 0.65:
            return f"q: {self.rng.choice(TYPE_BOMBS)} -> a: {self.rng.choice(TYPES)}", None
        if r < 0.8:
            many = ", ".join(f"f{i}" for i in range(self.rng.choice([64, 65, 300])))
            return self.rng.choice([f"{many} -> a", f"q -> {many}"]), None
        return self.text(), None

    def config(self, module_type: str, bad: bool) -> bytes:
        if not bad:
            return self.rng.choice([b"", b'{"max_iters": 3}' if module_type == "react" else b'{"temperature": 0.5, "n": 1}'])
        if self.chance(0.3):
            return self.json_bytes({"max_iters": 3} if module_type == "react" else {"temperature": 0.5})
        return json.dumps(
            {
                self.rng.choice(OPTIONS): self.number() if self.chance(0.7) else self.json_value()
                for _ in range(self.rng.randrange(1, 3))
            }
        ).encode()

    def state(self, module_type: str, bad: bool) -> bytes:
        good = {
            "traces": [],
            "train": [],
            "demos": [],
            "signature": {
                "instructions": "i",
                "fields": [{"prefix": "Q:", "description": "q"}, {"prefix": "A:", "description": "a"}],
            },
            "lm": None,
        }
        if module_type == "chain_of_thought":
            good = {"predict": good}
        if not bad:
            return (
                self.rng.choice([b"", b"", json.dumps(good).encode()]) if module_type in ("predict", "chain_of_thought") else b""
            )
        r = self.rng.randrange(6)
        if r == 1:
            return json.dumps({**good, self.rng.choice([*OPTIONS, "forward", "__class__"]): self.json_value()}).encode()
        if r == 2:
            return json.dumps({**good, "lm": {"model": self.rng.choice(SCRIPTED), "api_base": "http://127.0.0.1:9"}}).encode()
        if r == 3:
            key = self.rng.choice(list(good))
            return json.dumps({**good, key: self.json_value()}).encode()
        if r == 4:
            return json.dumps({"predict": good, "self": good, self.text(20): good}).encode()
        return self.json_bytes(good)

    def module(self, bad: set[str]) -> tuple[common_pb2.ModuleSpec, dict[str, Any] | None]:
        """A module spec, hostile in the `bad` parts (type, signature, config, state, instructions, tools)."""
        module_type = self.rng.choice(["predict", "predict", "chain_of_thought", "react"])
        if "type" in bad:
            module_type = self.rng.choice(["call_all_tools", self.text(), "Predict", "predict ", "react\x00"])
        signature, inputs = self.signature("signature" in bad)
        if module_type == "react" and "signature" not in bad:
            signature, inputs = "question -> answer", {"question": "one two"}
        spec = common_pb2.ModuleSpec(
            type=module_type,
            signature=signature,
            config_json=self.config(module_type, "config" in bad),
            state_json=self.state(module_type, "state" in bad),
        )
        if "instructions" in bad:
            spec.instructions = self.text()
        elif self.chance(0.2):
            spec.instructions = "Answer briefly."
        if "tools" in bad:
            spec.tools.extend(self.rng.choice([[self.text(200)], ["t"] * 100, ["word_count"] * 3, [""], ["broken_tool"]]))
        elif module_type in ("react", "call_all_tools"):
            spec.tools.extend(self.rng.choice([["word_count"], ["word_count", "spell"]]))
        return spec, inputs

    def inputs(self, fitting: dict[str, Any] | None, bad: bool) -> bytes:
        if fitting is not None and not bad:
            return json.dumps(fitting).encode()
        return self.json_bytes(fitting or {"q": "x"})

    def lm(self, bad: bool) -> common_pb2.LmConfig | None:
        if not bad:
            return self.rng.choice(
                [
                    None,
                    None,
                    common_pb2.LmConfig(model="scripted/echo"),
                    common_pb2.LmConfig(model="scripted/echo", cache=False, temperature=0.3, max_tokens=64),
                ]
            )
        config = common_pb2.LmConfig(
            model=self.rng.choice(
                [
                    *SCRIPTED,
                    "scripted/" + self.text(100),
                    "fuzz-" + self.text(50),
                    "fuzzprovider/" + self.text(50),
                    "local",
                    "scripted/echo" + "e" * self.rng.choice([10, 1000, 1_000_000]),
                    "",
                ]
            )
        )
        if self.chance(0.4):
            config.kwargs_json = self.rng.choice([self.json_bytes({"temperature": 0.2}), self.config("predict", True)])
        if self.chance(0.15):
            config.api_base = "http://127.0.0.1:9/" + self.text(100)
        if self.chance(0.1):
            config.api_key = self.text()
        if self.chance(0.2):
            config.temperature = self.rng.choice([0.0, -1.0, float("nan"), float("inf"), 1e308, 2.0])
        if self.chance(0.2):
            config.max_tokens = self.rng.choice([0, 1, 2**32 - 1])
        if self.chance(0.1):
            config.cache = self.chance(0.5)
        return config

    def trace(self, bad: bool) -> common_pb2.TraceContext | None:
        if not bad:
            return None
        return common_pb2.TraceContext(
            traceparent=self.rng.choice(
                [
                    "00-" + "0" * 32 + "-" + "0" * 16 + "-01",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    self.text(),
                ]
            ),
            tracestate=self.text(200),
        )

    def tool_spec(self) -> common_pb2.ToolSpec:
        schema = self.rng.choice(
            [
                b'{"type":"object","properties":{"input":{"type":"string"}}}',
                b"",
                b'{"type":"string"}',
                b'{"properties": 5}',
                b'{"type":"object","properties":{"a":5}}',
                self.json_bytes({"type": "object", "properties": {}}),
            ]
        )
        return common_pb2.ToolSpec(
            name=self.rng.choice(["lookup", "lookup", self.name()]),
            description=self.text(300),
            input_schema_json=schema,
            timeout_ms=self.rng.choice([0, 1, 50, 2**32 - 1]),
        )


def cases(seed: int, rounds: int, sessions: list[str]) -> Iterator[FuzzCase]:
    """Every round's cases for every RPC; `sessions` are ids of real sessions to aim at."""
    for round_ in range(rounds):
        rng = random.Random(f"{seed}/{round_}")
        hostile = Hostile(rng)
        for rpc, count in PER_ROUND.items():
            make = _MAKERS[rpc]
            for _ in range(count):
                yield make(hostile, sessions)


def _describe(h: Hostile, sessions: list[str]) -> FuzzCase:
    # DescribeRequest has no fields: unknown ones are skipped, wrong wire types do not parse.
    body = h.rng.choice([b"", b"\x0a\x03abc", b"\x08\x01", b"\x0a\x02\xff\xfe", b"\xff", b"\x0a\x7f", bytes(range(40))])
    return FuzzCase("Describe", "unknown or broken fields", body, raw=True)


def _session_id(h: Hostile, sessions: list[str], bad: bool) -> str:
    return h.name() if bad or not sessions else h.rng.choice(sessions)


def _label(parts: set[str]) -> str:
    return "+".join(sorted(parts)) or "none hostile"


def _create_session(h: Hostile, sessions: list[str]) -> FuzzCase:
    bad = h.parts(["id", "ttl", "lm"])
    request = worker_pb2.CreateSessionRequest(
        session_id=h.name() if "id" in bad else h.rng.choice(["", f"fuzz-{h.rng.randrange(10**6)}", *sessions]),
        ttl_seconds=h.rng.choice([1, 7 * 24 * 3600 + 1, 2**32 - 1]) if "ttl" in bad else h.rng.choice([0, 60]),
    )
    lm = h.lm("lm" in bad)
    if lm is not None:
        request.lm.CopyFrom(lm)
    return FuzzCase("CreateSession", _label(bad), request)


def _close_session(h: Hostile, sessions: list[str]) -> FuzzCase:
    return FuzzCase("CloseSession", "session id", worker_pb2.CloseSessionRequest(session_id=h.name()))


MODULE_PARTS = ["type", "signature", "config", "state", "instructions", "tools", "inputs"]
REQUEST_PARTS = ["lm", "session", "module_id", "trace"]


def call_case(h: Hostile, sessions: list[str]) -> FuzzCase:
    bad = h.parts(MODULE_PARTS + REQUEST_PARTS)
    spec, fitting = h.module(bad)
    request = worker_pb2.CallRequest(module=spec, inputs_json=h.inputs(fitting, "inputs" in bad))
    if "session" in bad or h.chance(0.2):
        request.session_id = _session_id(h, sessions, "session" in bad)
    if "module_id" in bad:
        request.module_id = h.name()
    elif request.session_id and h.chance(0.5):
        request.module_id = f"m{h.rng.randrange(5)}"
    _lm_and_trace(h, request, bad)
    return FuzzCase("Call", _label(bad), request, internal_ok=_lm_fails(request.lm))


def _lm_and_trace(h: Hostile, message: worker_pb2.CallRequest | run_pb2.RunStart, bad: set[str]) -> None:
    """An LM config and a trace context, hostile when `bad` names them, on a Call or a Run."""
    lm = h.lm("lm" in bad)
    if lm is not None:
        message.lm.CopyFrom(lm)
    trace = h.trace("trace" in bad)
    if trace is not None:
        message.trace.CopyFrom(trace)


def _lm_fails(lm: common_pb2.LmConfig) -> bool:
    return lm.model == "scripted/fail"


def run_case(h: Hostile, sessions: list[str]) -> FuzzCase:
    kind = h.rng.choice(["module"] * 4 + ["batch", "optimize", "pipeline", "command", "command", "none", "tools", "protocol"])
    bad = h.parts(MODULE_PARTS + REQUEST_PARTS + ["run_tools", "operation"])
    start = run_pb2.RunStart()
    if "session" in bad or h.chance(0.2):
        start.session_id = _session_id(h, sessions, "session" in bad)
    _lm_and_trace(h, start, bad)
    if "run_tools" in bad:
        start.tools.extend(h.tool_spec() for _ in range(h.rng.choice([1, 2, 257])))
    start.closes_after_done = h.chance(0.5)  # the worker then waits for the half-close the runner sends on done
    internal_ok = _lm_fails(start.lm)
    plan = RunPlan(first=[])  # the start goes in once it is complete (a message copies on assignment)
    label = f"{kind}: {_label(bad)}"
    hostile_op = "operation" in bad
    if kind == "module":
        spec, fitting = h.module(bad)
        start.module.CopyFrom(run_pb2.ModuleRun(module=spec, inputs_json=h.inputs(fitting, "inputs" in bad)))
        if "module_id" in bad:
            start.module.module_id = h.name()
        elif start.session_id and h.chance(0.5):
            start.module.module_id = f"m{h.rng.randrange(5)}"
    elif kind == "batch":
        spec, fitting = h.module(bad)
        items = [fitting or {"q": "x"}] * h.rng.randrange(1, 4)
        start.batch.CopyFrom(
            run_pb2.BatchRun(
                module=spec,
                ordered=h.chance(0.5),
                items_json=h.json_bytes([*items, h.json_value()])
                if hostile_op or "inputs" in bad
                else json.dumps(items).encode(),
                concurrency=h.rng.choice([65, 2**32 - 1]) if hostile_op else h.rng.choice([0, 1, 4]),
            )
        )
    elif kind == "optimize":
        spec, _ = h.module(bad - {"inputs"})
        train = [{"q": "a", "a": "a: a"}, {"q": "b", "a": "a: b"}]
        op = run_pb2.OptimizeRun(
            program=spec if bad else common_pb2.ModuleSpec(type="predict", signature="q -> a"),
            trainset_json=json.dumps(train).encode(),
            metric="exact_match",
            optimizer="bootstrap_few_shot",
            optimizer_config_json=b'{"max_bootstrapped_demos": 1, "max_labeled_demos": 0}',
        )
        if "inputs" in bad:
            op.trainset_json = h.json_bytes(train)
            op.valset_json = h.json_bytes(train) if h.chance(0.3) else b""
        if hostile_op:
            which = h.rng.randrange(3)
            if which == 0:
                op.metric = h.text(100)
            elif which == 1:
                op.optimizer = h.rng.choice([h.text(100), "miprov2"])
            op.optimizer_config_json = h.rng.choice(
                [
                    json.dumps(
                        {
                            h.rng.choice(
                                [
                                    "max_rounds",
                                    "max_errors",
                                    "metric_threshold",
                                    "max_bootstrapped_demos",
                                    "max_labeled_demos",
                                    h.text(20),
                                ]
                            ): h.number()
                        }
                    ).encode(),
                    h.json_bytes(),
                ]
            )
        start.optimize.CopyFrom(op)
    elif kind == "pipeline":
        definition = pipeline_pb2.PipelineDefinition(name="p", inputs={"q": "str"})
        definition.steps.add().predict.module.signature = "q -> a"
        definition.steps.add().chain_of_thought.module.signature = "a -> b"
        if hostile_op:
            _hostile_step(h, definition.steps.add())
        start.pipeline.CopyFrom(run_pb2.PipelineRun(definition=definition, inputs_json=h.inputs({"q": "x"}, "inputs" in bad)))
        if "module_id" in bad:
            start.pipeline.pipeline_id = h.name()
    elif kind == "command":
        names: list[str] = ["echo_args", "echo_args", "explode", "count", *([h.text()] if hostile_op else [])]
        name = h.rng.choice(names)
        args = json.dumps({"to": 1_000_000, "delay_ms": 1}).encode() if name == "count" else h.inputs({"x": 1}, "inputs" in bad)
        start.command.CopyFrom(run_pb2.CommandRun(command=name, args_json=args))
        internal_ok = internal_ok or name == "explode"  # a command that raises fails for real
        if name == "count":
            plan.cancel_after_events = 1
            label = "command, cancelled mid-run"
    elif kind == "none":
        label = "no operation"
    elif kind == "tools":
        # A ReAct agent with a TypeScript tool: its tool_call gets a hostile or corrupt answer.
        # Its timeout ends the wait when the answer never comes (a corrupt one can still parse).
        start.tools.add(
            name="lookup", input_schema_json=b'{"type":"object","properties":{"input":{"type":"string"}}}', timeout_ms=3000
        )
        start.module.CopyFrom(
            run_pb2.ModuleRun(
                module=common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=["lookup"]),
                inputs_json=b'{"question": "q"}',
            )
        )
        start.ClearField("lm")  # the worker's scripted/echo, which calls the tool
        internal_ok = False
        plan.tool_reply = h.rng.choice(["result", "result", "error", "corrupt", "cancel"])
        plan.tool_payload = (
            h.json_bytes({"found": 1})
            if plan.tool_reply == "result"
            else _corrupt(
                h, run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id="tool-1", output_json=b"1")).SerializeToString()
            )
        )
        plan.tool_error = h.text()
        label = f"tool results ({plan.tool_reply})"
    else:
        label = "protocol"
        plan.first = h.rng.choice(
            [
                [run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason=h.text(100)))],
                [run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=h.text(50), output_json=h.json_bytes()))],
                [],
                [
                    run_pb2.RunRequest(start=run_pb2.RunStart(command=run_pb2.CommandRun(command="echo_args"))),
                    run_pb2.RunRequest(start=run_pb2.RunStart()),
                ],
                [
                    run_pb2.RunRequest(
                        start=run_pb2.RunStart(
                            command=run_pb2.CommandRun(command="count", args_json=b'{"to": 1000000, "delay_ms": 1}')
                        )
                    ),
                    run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason=h.text(100))),
                ],
            ]
        )
        return FuzzCase("Run", label, plan, cancels=True)
    plan.first = [run_pb2.RunRequest(start=start)]
    if h.chance(0.1):
        plan.extra = [
            h.rng.choice(
                [
                    run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=h.text(50), error=h.text(), error_kind=h.text(50))),
                    run_pb2.RunRequest(tool_output=run_pb2.ToolOutput(call_id=h.text(50), chunk_json=h.json_bytes())),
                    run_pb2.RunRequest(start=run_pb2.RunStart()),
                    _corrupt(
                        h, run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id="x", output_json=b"1")).SerializeToString()
                    ),
                ]
            )
        ]
    cancels = plan.cancel_after_events is not None or plan.tool_reply == "cancel"
    return FuzzCase("Run", label, plan, internal_ok=internal_ok, cancels=cancels)


def _hostile_step(h: Hostile, step: pipeline_pb2.PipelineStep) -> None:
    """A pipeline step with hostile names, references, literals, sizes or policies."""
    if h.chance(0.5):
        step.name = h.name()
    if h.chance(0.2):
        step.on_error.mode = cast(Any, h.rng.randrange(6))  # out-of-range values on purpose
        step.on_error.retries = h.rng.choice([0, 1, 10, 11, 2**32 - 1])
    choice = h.rng.randrange(6)
    if choice == 0:
        body = getattr(step, h.rng.choice(["predict", "chain_of_thought", "react", "module"]))
        body.module.signature = h.signature(h.chance(0.7))[0]
        body.module.type = h.rng.choice(["", "predict", "flaky", h.name()])
        body.module.config_json = h.json_bytes()
        body.module.tools.extend(h.name() for _ in range(h.rng.randrange(3)))
        body.inputs[h.name()] = h.name()
        body.outputs[h.name()] = h.name()
    elif choice == 1:
        compare = step.branch.condition.compare
        compare.op = cast(Any, h.rng.randrange(9))  # out-of-range values on purpose
        compare.left.field = h.name()
        literal = compare.right.literal
        pick = h.rng.randrange(4)
        if pick == 0:
            literal.string_value = h.text()
        elif pick == 1:
            literal.number_value = h.rng.choice([float("nan"), float("inf"), 1e300, 2.0**53, -0.0, 0.5])
        elif pick == 2:
            literal.list_value.values.add().list_value.values.add().bool_value = True
        step.branch.if_true.steps.add().predict.module.signature = "q -> x"
    elif choice == 2:
        step.map.over = h.name()
        step.map.item = h.name()
        step.map.concurrency = h.rng.choice([0, 1, 16, 17, 2**32 - 1])
        step.map.pipeline.steps.add().predict.module.signature = "item -> x"
    elif choice == 3:
        for _ in range(h.rng.choice([0, 1, 2, 17])):
            step.parallel.branches.add().steps.add().predict.module.signature = "q -> x"
        kind = h.rng.choice(["concat", "majority", "first", "merge", "best"])
        getattr(step.parallel.aggregate, kind).field = h.name()
    elif choice == 4:
        nested = step.pipeline.pipeline
        for _ in range(h.rng.choice([1, 9, 12])):
            nested = nested.steps.add().pipeline.pipeline
        nested.steps.add().predict.module.signature = "q -> x"
    else:
        condition = step.branch.condition
        for _ in range(h.rng.choice([1, 17, 40])):
            condition = condition.negate
        condition.exists.field = h.name()
        step.branch.if_true.steps.add().predict.module.signature = "q -> x"


def _check(h: Hostile, sessions: list[str]) -> FuzzCase:
    service = h.rng.choice(["", "dspy_connect.v1.WorkerService", h.text()])
    return FuzzCase("Health.Check", "service name", health_pb2.HealthCheckRequest(service=service))


def _watch(h: Hostile, sessions: list[str]) -> FuzzCase:
    service = h.rng.choice(["", h.text()])
    return FuzzCase("Health.Watch", "service name", health_pb2.HealthCheckRequest(service=service))


def _corrupt(h: Hostile, body: bytes) -> bytes:
    """`body`, broken: cut short, bytes flipped, an invalid UTF-8 string field added, or noise."""
    r = h.rng.randrange(5)
    if r == 0 and len(body) > 1:
        return body[: h.rng.randrange(1, len(body))]
    if r == 1 and body:
        data = bytearray(body)
        for _ in range(h.rng.randrange(1, 4)):
            data[h.rng.randrange(len(data))] = h.rng.randrange(256)
        return bytes(data)
    if r == 2:
        return body + b"\x0a\x03\xff\xfe\xfd"  # field 1, a string in every request here, not UTF-8
    if r == 3:
        return body + bytes([h.rng.choice([0x0F, 0x07, 0xFF])]) + b"\x01"
    return bytes(h.rng.randrange(256) for _ in range(h.rng.randrange(1, 200)))


def _raw(h: Hostile, sessions: list[str]) -> FuzzCase:
    """A valid request of some RPC, corrupted on the wire."""
    rpc, message = h.rng.choice(
        [
            ("CreateSession", _create_session(h, sessions).request),
            ("CloseSession", _close_session(h, sessions).request),
            (
                "Call",
                worker_pb2.CallRequest(
                    module=common_pb2.ModuleSpec(type="predict", signature="q -> a"), inputs_json=b'{"q":"x"}'
                ),
            ),
            (
                "Run",
                run_pb2.RunRequest(start=run_pb2.RunStart(command=run_pb2.CommandRun(command="echo_args", args_json=b'{"a":1}'))),
            ),
            ("Health.Check", health_pb2.HealthCheckRequest(service="dspy_connect.v1.WorkerService")),
            ("Health.Watch", health_pb2.HealthCheckRequest(service="")),
        ]
    )
    body = _corrupt(h, message.SerializeToString())
    request = RunPlan(first=[body]) if rpc == "Run" else body
    return FuzzCase(rpc, "corrupt protobuf", request, raw=True)


def path_of(rpc: str) -> str:
    """The gRPC method path of an RPC name used here."""
    return HEALTH + rpc.split(".", 1)[1] if rpc.startswith("Health.") else SERVICE + rpc


_MAKERS = {
    "Describe": _describe,
    "CreateSession": _create_session,
    "CloseSession": _close_session,
    "Call": call_case,
    "Run": run_case,
    "Health.Check": _check,
    "Health.Watch": _watch,
    "raw": _raw,
}
