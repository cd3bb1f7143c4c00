# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Runs a user's streaming command (see dspy_connect.commands)."""

from __future__ import annotations

import dspy

from .. import jsonio, warmup
from ..commands import COMMANDS, run_command
from ..run.context import RunContext
from ..run.outcome import RunOutcome
from ..run.stats import STATS
from ..v1 import run_pb2


def run_command_op(run: RunContext, op: run_pb2.CommandRun) -> RunOutcome:
    command = COMMANDS.get(op.command)  # NotFound at once, before the warm-up
    warmup.wait()
    args = jsonio.loads(op.args_json, "args_json") if op.args_json else {}
    with STATS.busy(), dspy.context(callbacks=[*dspy.settings.callbacks, run.callback()]):
        return RunOutcome(run_command(run, command, args))
