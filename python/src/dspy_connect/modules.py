# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""The module types a client may name. Plugins add their own with @register_module."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dspy

from . import jsonio, limits
from .errors import InvalidArgument, cut, echo
from .local_lm.tool_choice import constrain_tool_choice
from .module_config import check_config
from .module_state import checked_state
from .registry import Registry
from .signature import build_signature
from .tools.failure_view import show_failures_briefly
from .tools.observation_text import show_lists_as_json
from .tools.registry import agent_tools
from .tools.unknown_tool import tolerate_unknown_tools
from .v1 import common_pb2

ModuleFactory = Callable[[type[dspy.Signature], dict[str, Any]], dspy.Module]
AgentFactory = Callable[[type[dspy.Signature], dict[str, Any], list[dspy.Tool]], dspy.Module]


@dataclass(frozen=True)
class ModuleType:
    build: AgentFactory  # build(signature, config, tools)
    takes_tools: bool  # an agent: it gets the named Python tools and the run's TypeScript tools
    # One instance may serve many calls at once: it keeps no state per call (DSPy's own
    # tool-less modules; the worker turns DSPy's history off). Plugins' modules are not.
    shareable: bool = False


def _module(factory: ModuleFactory, shareable: bool = False) -> ModuleType:
    return ModuleType(lambda signature, config, _tools: factory(signature, config), takes_tools=False, shareable=shareable)


MODULE_TYPES: Registry[ModuleType] = Registry("module type")
MODULE_TYPES.add("predict", _module(lambda sig, config: dspy.Predict(sig, **config), shareable=True))
MODULE_TYPES.add("chain_of_thought", _module(lambda sig, config: dspy.ChainOfThought(sig, **config), shareable=True))
MODULE_TYPES.add(
    "react",
    ModuleType(
        lambda sig, config, tools: show_failures_briefly(
            show_lists_as_json(tolerate_unknown_tools(constrain_tool_choice(dspy.ReAct(sig, tools=tools, **config))))
        ),
        takes_tools=True,
    ),
)


def register_module(name: str) -> Callable[[ModuleFactory], ModuleFactory]:
    """Registers `factory(signature, config) -> dspy.Module` under `name`.

    @register_module("rag")
    def rag(signature, config):
        return MyRag(signature, **config)
    """

    def decorate(factory: ModuleFactory) -> ModuleFactory:
        MODULE_TYPES.add(name, _module(factory))
        return factory

    return decorate


def register_agent(name: str) -> Callable[[AgentFactory], AgentFactory]:
    """Registers `factory(signature, config, tools) -> dspy.Module` under `name`: a module
    type that takes tools (Python tools by name and the run's TypeScript tools).

    @register_agent("planner")
    def planner(signature, config, tools):
        return MyPlanner(signature, tools=tools, **config)
    """

    def decorate(factory: AgentFactory) -> AgentFactory:
        MODULE_TYPES.add(name, ModuleType(factory, takes_tools=True))
        return factory

    return decorate


def module_types() -> list[str]:
    return MODULE_TYPES.names()


def _agent_types() -> list[str]:
    return [name for name in MODULE_TYPES.names() if MODULE_TYPES.get(name).takes_tools]


def module_for_call(spec: common_pb2.ModuleSpec) -> tuple[dspy.Module, type[dspy.Signature]]:
    """The module for one call outside a session. A shareable type is built once per spec and
    reused (building ChainOfThought makes a new signature class, ~0.3 ms a call); any other
    is built for the call, as its factory may keep state per instance."""
    limits.check_module_spec(spec)
    kind = MODULE_TYPES.get(spec.type)
    if kind.shareable and not spec.tools:
        return _shared_module(spec.SerializeToString(deterministic=True))
    return build_module(spec)


@functools.lru_cache(maxsize=256)
def _shared_module(spec_bytes: bytes) -> tuple[dspy.Module, type[dspy.Signature]]:
    return build_module(common_pb2.ModuleSpec.FromString(spec_bytes))


def build_module(
    spec: common_pb2.ModuleSpec, extra_tools: list[dspy.Tool] | None = None
) -> tuple[dspy.Module, type[dspy.Signature]]:
    """Builds the module; agents get the named Python tools plus `extra_tools`."""
    limits.check_module_spec(spec)
    kind = MODULE_TYPES.get(spec.type)
    signature = build_signature(spec.signature, spec.instructions)
    config = jsonio.loads_object(spec.config_json, "module.config_json")
    check_config(spec.type, config)
    state = jsonio.loads_object(spec.state_json, "module.state_json") if spec.state_json else None
    tools = [*agent_tools(list(spec.tools)), *(extra_tools or [])]
    if tools and not kind.takes_tools:
        raise InvalidArgument(f"module type {echo(spec.type)} takes no tools; use an agent type ({_agent_types()})")
    try:
        module = kind.build(signature, config, tools)
    except TypeError as exc:
        raise InvalidArgument(f"bad config for module {echo(spec.type)}: {cut(str(exc), 300)}") from None
    if state is not None:
        state = checked_state(module, state)
        try:
            module.load_state(state)
        except Exception as exc:  # DSPy's own checks (a field's settings, a signature)
            raise InvalidArgument(f"cannot load module.state_json: {cut(str(exc), 300)}") from None
    return module, signature
