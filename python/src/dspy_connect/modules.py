"""The module types a client may name. Plugins add their own with @register_module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dspy

from . import jsonio
from .errors import InvalidArgument
from .signature import build_signature
from .v1 import common_pb2

ModuleFactory = Callable[[type[dspy.Signature], dict[str, Any]], dspy.Module]

_factories: dict[str, ModuleFactory] = {
    "predict": lambda sig, config: dspy.Predict(sig, **config),
    "chain_of_thought": lambda sig, config: dspy.ChainOfThought(sig, **config),
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


def module_types() -> list[str]:
    return sorted(_factories)


def build_module(spec: common_pb2.ModuleSpec) -> tuple[dspy.Module, type[dspy.Signature]]:
    factory = _factories.get(spec.type)
    if factory is None:
        raise InvalidArgument(f"unknown module type {spec.type!r}; this worker has {module_types()}")
    signature = build_signature(spec.signature, spec.instructions)
    config = jsonio.loads_object(spec.config_json, "module.config_json")
    if spec.tools:
        raise InvalidArgument("module.tools needs a module type that takes tools (react)")
    try:
        module = factory(signature, config)
    except TypeError as exc:
        raise InvalidArgument(f"bad config for module {spec.type!r}: {exc}") from None
    if spec.state_json:
        try:
            module.load_state(jsonio.loads_object(spec.state_json, "module.state_json"))
        except InvalidArgument:
            raise
        except Exception as exc:
            raise InvalidArgument(f"cannot load module state: {exc}") from None
    return module, signature
