"""Users' own streaming commands, run by `executeStream(command, args)` from TypeScript.

    from dspy_connect.commands import stream_command

    @stream_command("count")
    def count(run, args):
        for i in range(args["to"]):
            run.check()                     # stops here once the client cancels
            run.emit("tick", {"i": i})      # a `custom` event with type "tick"
        return {"counted": args["to"]}      # the run's result

A command may also be a generator yielding `(type, data)` pairs, or an async function or
async generator. It gets the run's context (`emit`, `check`, `cancelled`, `lm`) and the args
as parsed JSON. Load the module into workers with the client's `imports` option.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from .errors import InvalidArgument, NotFound
from .registry import Registry, registers

Command = Callable[..., Any]
F = TypeVar("F", bound=Command)
COMMANDS: Registry[Command] = Registry("command", unknown=NotFound)


def stream_command(name: str) -> Callable[[F], F]:
    return registers(COMMANDS, name)


def command_names() -> list[str]:
    return COMMANDS.names()


def run_command(run: Any, fn: Command, args: Any) -> Any:
    """Runs the command in this (worker) thread and returns its result."""
    if inspect.isasyncgenfunction(fn):
        return asyncio.run(_drain_async(run, fn(run, args)))
    if inspect.iscoroutinefunction(fn):
        return asyncio.run(fn(run, args))
    result = fn(run, args)
    if inspect.isgenerator(result):
        return _drain(run, result)
    return result


def _drain(run: Any, gen: Any) -> Any:
    while True:
        try:
            item = next(gen)
        except StopIteration as stop:
            return stop.value
        _emit(run, item)


async def _drain_async(run: Any, gen: Any) -> Any:
    async for item in gen:
        _emit(run, item)
    return None


def _emit(run: Any, item: object) -> None:
    kind = type(item).__name__
    pair = cast("tuple[Any, ...]", item) if isinstance(item, tuple) else ()
    if len(pair) != 2 or not isinstance(pair[0], str):
        raise InvalidArgument(f"a command generator must yield (type, data) pairs, got {kind}")
    run.emit(pair[0], pair[1])
