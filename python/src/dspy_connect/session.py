# pyright: reportUnknownMemberType=false, reportUnknownArgumentType=false, reportUnknownVariableType=false, reportUnknownLambdaType=false
# (DSPy ships no type information: pyright reads much of what it returns as Unknown.)
"""Sessions: LM config and module instances kept between calls until an idle TTL lapses."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import dspy

from . import garbage
from .errors import InvalidArgument, NotFound, ResourceExhausted, echo
from .lm import LmSettings

DEFAULT_TTL_SECONDS = 30 * 60
MAX_TTL_SECONDS = 7 * 24 * 3600
MAX_SESSIONS = 10_000
MAX_MODULES_PER_SESSION = 1_000
MAX_PIPELINES_PER_SESSION = 100
# A dropped session's modules are cycles (signature classes): after this many were dropped
# (closed or expired), the worker collects them and gives the freed heap back to the OS.
RELEASE_AFTER_DROPS = 100

T = TypeVar("T")


@dataclass
class Session:
    id: str
    lm: LmSettings | None
    ttl_seconds: int
    last_used: float
    _modules: dict[str, tuple[dspy.Module, type[dspy.Signature]]] = field(default_factory=dict)
    _pipelines: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def module(
        self, module_id: str, build: Callable[[], tuple[dspy.Module, type[dspy.Signature]]]
    ) -> tuple[dspy.Module, type[dspy.Signature]]:
        """The module held under `module_id`, built on first use."""
        return self._held(self._modules, module_id, build, MAX_MODULES_PER_SESSION, "modules")

    def pipeline(self, pipeline_id: str, build: Callable[[], T]) -> T:
        """The compiled pipeline held under `pipeline_id`, compiled on first use (composer)."""
        return self._held(self._pipelines, pipeline_id, build, MAX_PIPELINES_PER_SESSION, "pipelines")

    def _held(self, held: dict[str, Any], key: str, build: Callable[[], T], limit: int, what: str) -> T:
        """`held[key]`, built on first use outside the lock (building takes a while); at
        most `limit` of them. Called from worker threads."""
        with self._lock:
            found = held.get(key)
        if found is not None:
            return found
        built = build()
        with self._lock:
            if len(held) >= limit and key not in held:
                raise ResourceExhausted(f"session {echo(self.id)} holds {limit} {what} already")
            return held.setdefault(key, built)

    def has_pipeline(self, pipeline_id: str) -> bool:
        with self._lock:
            return pipeline_id in self._pipelines


class SessionStore:
    """Used from the event loop only; a Session's module and pipeline are the parts threads touch."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, release: Callable[[], None] = garbage.release_memory_soon
    ) -> None:
        self._sessions: dict[str, Session] = {}
        self._clock = clock
        self._release = release
        self._dropped = 0

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, session_id: str, lm: LmSettings | None, ttl_seconds: int) -> Session:
        ttl = ttl_seconds or DEFAULT_TTL_SECONDS
        if ttl > MAX_TTL_SECONDS:
            raise InvalidArgument(f"ttl_seconds must be at most {MAX_TTL_SECONDS}")
        if session_id and (len(session_id) > 128 or not session_id.isprintable()):
            raise InvalidArgument("session_id must be 1..128 printable characters")
        existing = self._sessions.get(session_id) if session_id else None
        if existing is not None:
            existing.lm, existing.ttl_seconds, existing.last_used = lm, ttl, self._clock()
            return existing
        if len(self._sessions) >= MAX_SESSIONS:
            raise ResourceExhausted(f"this worker holds {MAX_SESSIONS} sessions already")
        session = Session(session_id or uuid.uuid4().hex, lm, ttl, self._clock())
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session:
        session = self._sessions.get(session_id)
        now = self._clock()
        if session is None or now - session.last_used > session.ttl_seconds:
            self._drop([session_id])
            raise NotFound(f"unknown session {echo(session_id)} (closed, expired, or held by another worker)")
        session.last_used = now
        return session

    def close(self, session_id: str) -> bool:
        return self._drop([session_id]) == 1

    def sweep(self) -> int:
        """Drops expired sessions; returns how many."""
        now = self._clock()
        return self._drop([s.id for s in self._sessions.values() if now - s.last_used > s.ttl_seconds])

    def _drop(self, session_ids: list[str]) -> int:
        dropped = sum(self._sessions.pop(session_id, None) is not None for session_id in session_ids)
        self._dropped += dropped
        if self._dropped >= RELEASE_AFTER_DROPS:
            self._dropped = 0
            self._release()
        return dropped
