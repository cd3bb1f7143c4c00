"""What a run's operation returns: the final value and the LM usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..v1 import common_pb2


@dataclass
class RunOutcome:
    result: Any
    usage: common_pb2.Usage = field(default_factory=common_pb2.Usage)
