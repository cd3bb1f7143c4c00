"""The module types a client may name. Plugins add their own with @register_module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dspy

from . import jsonio, limits
from .errors import InvalidArgument, cut, echo
from .local_lm.tool_choice import constrain_tool_choice
from .module_config import check_config
from .module_state import checked_state
from .signature import build_signature
from .tools.observation_text import show_lists_as_json
from .tools.registry import agent_tools
from .tools.unknown_tool import tolerate_unknown_tools
from .v1 import common_pb2

ModuleFactory = Callable[[type[dspy.Signature], dict[str, Any]], dspy.Module]

_factories: dict[str, ModuleFactory] = {
    "predict": lambda sig, config: dspy.Predict(sig, **config),
    "chain_of_thought": lambda sig, config: dspy.ChainOfThought(sig, **config),
}
AgentFactory = Callable[[type[dspy.Signature], dict[str, Any], list[dspy.Tool]], dspy.Module]
# Module types that take tools: factory(signature, config, tools).
_agent_factories: dict[str, AgentFactory] = {
    "react": lambda sig, config, tools: show_lists_as_json(
        tolerate_unknown_tools(constrain_tool_choice(dspy.ReAct(sig, tools=tools, **config)))
    ),
}


def register_module(name: str) -> Callable[[ModuleFactory], ModuleFactory]:
    """Registers `factory(signature, config) -> dspy.Module` under `name`.

    @register_module("rag")
    def rag(signature, config):
        return MyRag(signature, **config)
    """

    def decorate(factory: ModuleFactory) -> ModuleFactory:
        _factories[name] = factory
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
        _agent_factories[name] = factory
        return factory

    return decorate


def module_types() -> list[str]:
    return sorted([*_factories, *_agent_factories])


def build_module(
    spec: common_pb2.ModuleSpec, extra_tools: list[dspy.Tool] | None = None
) -> tuple[dspy.Module, type[dspy.Signature]]:
    """Builds the module; agents get the named Python tools plus `extra_tools`."""
    limits.check_module_spec(spec)
    factory = _factories.get(spec.type)
    agent_factory = _agent_factories.get(spec.type)
    if factory is None and agent_factory is None:
        raise InvalidArgument(f"unknown module type {echo(spec.type)}; this worker has {module_types()}")
    signature = build_signature(spec.signature, spec.instructions)
    config = jsonio.loads_object(spec.config_json, "module.config_json")
    check_config(spec.type, config)
    state = jsonio.loads_object(spec.state_json, "module.state_json") if spec.state_json else None
    tools = [*agent_tools(list(spec.tools)), *(extra_tools or [])]
    if tools and agent_factory is None:
        raise InvalidArgument(f"module type {echo(spec.type)} takes no tools; use an agent type ({sorted(_agent_factories)})")
    try:
        module = agent_factory(signature, config, tools) if agent_factory else factory(signature, config)  # type: ignore[misc]
    except TypeError as exc:
        raise InvalidArgument(f"bad config for module {echo(spec.type)}: {cut(str(exc), 300)}") from None
    if state is not None:
        state = checked_state(module, state)
        try:
            module.load_state(state)
        except Exception as exc:  # DSPy's own checks (a field's settings, a signature)
            raise InvalidArgument(f"cannot load module.state_json: {cut(str(exc), 300)}") from None
    return module, signature
