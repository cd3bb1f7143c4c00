"""The LM response cache of a long-lived worker: bounded in memory, on disk only when asked.

DSPy's default cache (dspy/clients/__init__.py) is two tiers: an in-memory LRU of up to
1,000,000 responses (bounded by count only, so in practice never) and a diskcache
FanoutCache in ~/.dspy_cache (16 SQLite shards, 30 GB limit). A worker grew by both on
every call that missed. Here the memory tier holds at most `memory_entries` responses, and
the disk tier is off unless `disk_mb` is set; then it lives in a folder of this project's
own (a size limit on ~/.dspy_cache would evict the entries of the user's other DSPy
programs), diskcache evicts the least recently stored entries past the limit, and entries
are read back with DSPy's restricted unpickler (LiteLLM/OpenAI response types only).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

log = logging.getLogger("dspy_connect.worker")

ENTRIES_ENV = "DSPY_CONNECT_LM_CACHE_ENTRIES"
DISK_MB_ENV = "DSPY_CONNECT_LM_CACHE_DISK_MB"
DIR_ENV = "DSPY_CONNECT_LM_CACHE_DIR"
DEFAULT_ENTRIES = 1000


def default_dir() -> Path:
    """$XDG_CACHE_HOME/dspy-connect/lm-cache, else ~/.cache/dspy-connect/lm-cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dspy-connect" / "lm-cache"


@dataclass(frozen=True)
class LmCachePolicy:
    memory_entries: int = DEFAULT_ENTRIES  # 0: no memory tier
    disk_mb: int = 0  # 0: no disk tier
    disk_dir: Path | None = None  # default_dir() when None

    def __post_init__(self) -> None:
        if self.memory_entries < 0 or self.disk_mb < 0:
            raise ValueError("LM cache sizes must be 0 (off) or positive")

    def apply(self) -> None:
        """Replaces dspy.cache. Opening a disk tier takes ~0.4 s (16 SQLite shards); one that
        cannot be opened leaves the memory tier alone, as DSPy's own default does."""
        try:
            self._configure()
        except Exception as exc:
            if not self.disk_mb:
                raise
            log.warning("LM disk cache in %s unavailable, caching in memory only: %s", self.disk_dir or default_dir(), exc)
            replace(self, disk_mb=0)._configure()

    def _configure(self) -> None:
        # The CLI imports this module to parse arguments, before DSPy (seconds) loads.
        import dspy  # noqa: PLC0415

        folder = self.disk_dir or default_dir()
        if self.disk_mb:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        dspy.configure_cache(
            enable_disk_cache=self.disk_mb > 0,
            enable_memory_cache=self.memory_entries > 0,
            disk_cache_dir=str(folder),
            disk_size_limit_bytes=self.disk_mb * 2**20,
            memory_max_entries=max(self.memory_entries, 1),
            restrict_pickle=True,
        )
