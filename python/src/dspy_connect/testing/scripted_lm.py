"""A deterministic LM *provider* for tests and benchmarks, plugged into LiteLLM.

DSPy's real path stays in use: dspy.LM("scripted/echo") -> litellm.completion/acompletion
(streaming too) -> this provider. It reads the ChatAdapter prompt and answers in the
ChatAdapter format, so DSPy's real parsing runs as well. Enabled in a worker only with
DSPY_CONNECT_TEST_PROVIDERS=1 (`createTestClient` of `@dspy-connect/client/testing` sets it).

Models:
  scripted/echo          answer at once
  scripted/fail          raise, as an LM outage would
  scripted/slow-<ms>     wait <ms> in total before answering
  scripted/tokens-<ms>   when streaming, wait <ms> between chunks
  scripted/stray         an agent's first step names a tool it does not have

Values, from the first input field's value `v` (as the prompt shows it):
  reasoning        "Step by step: v"
  str (or other)   "<field>: v"
  int              len(v)
  float            0.5
  bool             True
  list[T]          [value for T]
  dict[K, V]       {arg: value for V}, where arg is the first argument of the tool the
                   Literal field picks ("input" if the prompt lists none); {} once it picks
                   its last option
  Literal[a, ..z]  the option after as many as the prompt holds observations, up to z
                   (ReAct: each tool once, in order, then finish)
  next_tool_name   (a str) picks from the tools the prompt lists, as a Literal would
  Optional[T]      value for T

Scripted values: the LM keyword argument `scripted_outputs` (see scripted_outputs.py) sets
the value of any output field, in place of the rules above.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import litellm
from litellm.llms.custom_llm import CustomLLM, CustomLLMError
from litellm.types.llms.openai import ChatCompletionUsageBlock
from litellm.types.utils import GenericStreamingChunk

from .scripted_outputs import for_step, scripted_outputs

PROVIDER = "scripted"
_OUTPUT_FIELD = re.compile(r"^\d+\. `(\w+)` \((.*)\):", re.MULTILINE)
_MARKER = re.compile(r"\[\[ ## (\w+) ## \]\]\n")
_CHUNK = re.compile(r"\s*\S+|\s+")
# ReAct lists its tools as "(1) name, whose description is <desc>...</desc>. It takes arguments {'a': ...}."
_TOOL_LINE = re.compile(
    r"^\s*\(\d+\) ([\w-]+)(?:, whose description is <desc>.*?</desc>)?\. It takes arguments \{'(\w+)'", re.MULTILINE
)
_TOOL_NAME = re.compile(r"^\s*\(\d+\) ([\w-]+)", re.MULTILINE)
STRAY_TOOL = "no_such_tool"
_OBSERVATION = re.compile(r"\[\[ ## observation_\d+ ## \]\]|\"observation_\d+\"")


@dataclass(frozen=True)
class Script:
    fail: bool = False
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    stray: bool = False

    def fail_if_asked(self) -> None:
        """The provider's error for a `scripted/fail` model (after its delay)."""
        if self.fail:
            raise CustomLLMError(status_code=500, message="scripted LM failure")

    @staticmethod
    def parse(model: str) -> Script:
        _price_free(model)
        name = model.split("/", 1)[-1]
        kind, _, arg = name.partition("-")
        if kind == "echo":
            return Script()
        if kind == "fail":
            return Script(fail=True)
        if kind == "stray":
            return Script(stray=True)
        if kind == "slow" and arg.isdigit():
            return Script(delay_s=int(arg) / 1000)
        if kind == "tokens" and arg.isdigit():
            return Script(chunk_delay_s=int(arg) / 1000)
        raise CustomLLMError(status_code=400, message=f"unknown scripted model {model!r}")


def answer_for(messages: list[dict[str, Any]], script: Script = Script(), outputs: list[dict[str, Any]] | None = None) -> str:
    """The ChatAdapter-formatted answer to a DSPy prompt; `outputs` are scripted values."""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    outputs_part = system.split("Your output fields are:", 1)[-1].split("All interactions", 1)[0]
    first = _first_input_value(user)
    # An agent (ReAct) calls each tool once, in order (one per observation so far), then
    # picks the last option ("finish") with no arguments.
    step = len(_OBSERVATION.findall(user))
    fields = _OUTPUT_FIELD.findall(outputs_part)
    literal = next((t.strip() for _, t in fields if t.strip().startswith("Literal[")), "Literal[]")
    options = [json.loads(o.strip().replace("'", '"')) for o in literal[len("Literal[") : -1].split(",") if o.strip()]
    if not options and any(f == "next_tool_name" for f, _ in fields):
        options = _TOOL_NAME.findall(system)
    if script.stray and options:
        options = [STRAY_TOOL, *options]  # its observation counts as a step too
    scripted = for_step(outputs or [], step)
    picked = options[min(step, len(options) - 1)] if options else ""
    if isinstance(scripted.get("next_tool_name"), str):
        picked = scripted["next_tool_name"]  # echo's arguments then fit the scripted tool
    last = picked == options[-1] if options else True
    choice = Choice(step, last, dict(_TOOL_LINE.findall(system)).get(picked, "input"))
    parts: list[str] = []
    for field, type_text in fields:
        if field in scripted:
            value: Any = scripted[field]
        elif field == "reasoning":
            value = f"Step by step: {first}"
        elif field == "next_tool_name" and options:
            value = picked
        else:
            value = _value(type_text.strip(), field, first, choice)
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(f"[[ ## {field} ## ]]\n{text}\n\n")
    return "".join(parts) + "[[ ## completed ## ]]"


def _first_input_value(user: str) -> str:
    match = _MARKER.search(user)
    if not match:
        return user.strip()
    rest = user[match.end() :]
    end = _MARKER.search(rest)
    value = rest[: end.start()] if end else rest.split("\n\nRespond with", 1)[0]
    return value.strip()


@dataclass(frozen=True)
class Choice:
    """Which option an agent's Literal field picks, and whether that is the last one."""

    step: int = 0
    last: bool = False
    arg: str = "input"


def _value(type_text: str, field: str, first: str, choice: Choice = Choice()) -> Any:
    head, _, inner = type_text.partition("[")
    inner = inner.removesuffix("]")
    if type_text.endswith("| None"):
        return _value(type_text[: -len("| None")].strip(), field, first)
    if head == "Optional":
        return _value(inner, field, first)
    if head == "Literal":
        options = [o.strip() for o in inner.split(",")]
        return json.loads(options[min(choice.step, len(options) - 1)].replace("'", '"'))
    if head in ("list", "List"):
        return [_value(inner, field, first)]
    if head in ("dict", "Dict"):
        # ReAct's finish tool takes no arguments.
        return {} if choice.last else {choice.arg: _value(inner.split(",", 1)[-1].strip(), field, first)}
    if type_text == "int":
        return len(first)
    if type_text == "float":
        return 0.5
    if type_text == "bool":
        return True
    return f"{field}: {first}"


def _usage(messages: list[dict[str, Any]], text: str) -> ChatCompletionUsageBlock:
    prompt = sum(len(str(m.get("content", "")).split()) for m in messages)
    completion = len(text.split())
    return ChatCompletionUsageBlock(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _response(model: str, messages: list[dict[str, Any]], script: Script, outputs: list[dict[str, Any]]) -> litellm.ModelResponse:
    text = answer_for(messages, script, outputs)
    return litellm.ModelResponse(
        model=model,
        choices=[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        usage=_usage(messages, text),
    )


def _chunks(messages: list[dict[str, Any]], script: Script, outputs: list[dict[str, Any]]) -> Iterator[GenericStreamingChunk]:
    text = answer_for(messages, script, outputs)
    pieces = _CHUNK.findall(text)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        yield GenericStreamingChunk(
            text=piece,
            is_finished=last,
            finish_reason="stop" if last else "",
            usage=_usage(messages, text) if last else None,
            index=0,
            tool_use=None,
        )


class ScriptedLLM(CustomLLM):
    # LiteLLM passes the LM keyword arguments it does not know in `optional_params`.
    def completion(self, model: str, messages: list[dict[str, Any]], *args: Any, **kwargs: Any) -> litellm.ModelResponse:
        script = Script.parse(model)
        time.sleep(script.delay_s)
        script.fail_if_asked()
        return _response(model, messages, script, scripted_outputs(kwargs.get("optional_params")))

    async def acompletion(self, model: str, messages: list[dict[str, Any]], *args: Any, **kwargs: Any) -> litellm.ModelResponse:
        script = Script.parse(model)
        await asyncio.sleep(script.delay_s)
        script.fail_if_asked()
        return _response(model, messages, script, scripted_outputs(kwargs.get("optional_params")))

    def streaming(self, model: str, messages: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Iterator[GenericStreamingChunk]:
        script = Script.parse(model)
        time.sleep(script.delay_s)
        script.fail_if_asked()
        for chunk in _chunks(messages, script, scripted_outputs(kwargs.get("optional_params"))):
            yield chunk
            time.sleep(script.chunk_delay_s)

    # LiteLLM iterates what astreaming returns: an async generator, not the coroutine its base declares.
    async def astreaming(  # pyright: ignore[reportIncompatibleMethodOverride]
        self, model: str, messages: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> AsyncIterator[GenericStreamingChunk]:
        script = Script.parse(model)
        await asyncio.sleep(script.delay_s)
        script.fail_if_asked()
        for chunk in _chunks(messages, script, scripted_outputs(kwargs.get("optional_params"))):
            yield chunk
            if script.chunk_delay_s:
                await asyncio.sleep(script.chunk_delay_s)


_handler = ScriptedLLM()


def register() -> None:
    """Adds the `scripted/...` provider to LiteLLM; calling it again changes nothing."""
    if not any(entry.get("provider") == PROVIDER for entry in litellm.custom_provider_map):
        litellm.custom_provider_map = [*litellm.custom_provider_map, {"provider": PROVIDER, "custom_handler": _handler}]
    litellm.utils.custom_llm_setup()
    for name in ("echo", "fail", "stray"):
        _price_free(f"{PROVIDER}/{name}")


_priced: set[str] = set()


def _price_free(model: str) -> None:
    """Gives LiteLLM the model's (zero) price, as a real model has in its price map: for a
    model it cannot price, LiteLLM searches fuzzy fallbacks on every call, a cost real models
    do not pay (~1 ms per streamed call). Done for each model name on its first call."""
    if model in _priced:
        return
    name = model if model.startswith(f"{PROVIDER}/") else f"{PROVIDER}/{model}"
    free = dict.fromkeys(
        ("input_cost_per_token", "output_cost_per_token", "cache_creation_input_token_cost", "cache_read_input_token_cost"), 0.0
    )
    litellm.register_model({name: {"litellm_provider": PROVIDER, "mode": "chat", **free}})
    _priced.add(model)
