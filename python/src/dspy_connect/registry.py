"""One kind of plugin by name: the commands, metrics, tools and module types a client may
name. Names are checked one way, a name is registered once, and an unknown name is a typed
error that lists the known ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import InvalidArgument, WorkerError, echo
from .limits import MAX_NAME_CHARS

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

NAME = re.compile(r"[A-Za-z0-9_.-]+")


class Registry(Generic[T]):
    def __init__(self, kind: str, unknown: type[WorkerError] = InvalidArgument) -> None:
        self.kind = kind  # what one entry is, in messages: "command", "metric", ...
        self._unknown = unknown  # the error for a name nobody registered
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        """Registers `entry` under `name`; ValueError (at import, a plugin's mistake) for a
        bad name or one taken already."""
        if not (0 < len(name) <= MAX_NAME_CHARS and NAME.fullmatch(name)):
            raise ValueError(f"{self.kind} name {name!r} must be 1..{MAX_NAME_CHARS} letters, digits, '_', '-' or '.'")
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered already")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        """The entry; the registry's typed error (a client named it) when there is none."""
        entry = self._entries.get(name)
        if entry is None:
            raise self._unknown(f"unknown {self.kind} {echo(name)}; this worker has {echo(self.names(), 300)}")
        return entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return sorted(self._entries)


def registers(registry: Registry[Callable[..., Any]], name: str) -> Callable[[F], F]:
    """A decorator that registers the function it decorates under `name`, unchanged."""

    def decorate(fn: F) -> F:
        registry.add(name, fn)
        return fn

    return decorate
