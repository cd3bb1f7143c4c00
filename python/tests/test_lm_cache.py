"""The worker's LM cache policy (dspy_connect.worker.lm_cache) and its options."""

from __future__ import annotations

from pathlib import Path

import dspy
import pytest

from dspy_connect.worker.cli import parse_args
from dspy_connect.worker.lm_cache import DEFAULT_ENTRIES, DIR_ENV, DISK_MB_ENV, ENTRIES_ENV, LmCachePolicy


@pytest.fixture
def restore_cache():
    """Puts back this process's dspy.cache (or none: reading it would open ~/.dspy_cache)."""
    saved = vars(dspy).get("cache")
    yield
    ours = dspy.__dict__.pop("cache")
    if ours.enable_disk_cache:
        ours.disk_cache.close()
    if saved is not None:
        dspy.__dict__["cache"] = saved


def test_defaults_are_memory_only_and_bounded(monkeypatch):
    for name in (ENTRIES_ENV, DISK_MB_ENV, DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    assert parse_args([]).lm_cache == LmCachePolicy(DEFAULT_ENTRIES, 0, None)


def test_environment_and_flags_set_the_policy(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(ENTRIES_ENV, "10")
    monkeypatch.setenv(DISK_MB_ENV, "64")
    monkeypatch.setenv(DIR_ENV, str(tmp_path))
    assert parse_args([]).lm_cache == LmCachePolicy(10, 64, tmp_path)
    assert parse_args(["--lm-cache-entries", "0", "--lm-cache-disk-mb", "0"]).lm_cache.memory_entries == 0


@pytest.mark.parametrize("flag", ["--lm-cache-entries", "--lm-cache-disk-mb"])
@pytest.mark.parametrize("value", ["-1", "lots"])
def test_bad_sizes_are_refused(flag: str, value: str):
    with pytest.raises(SystemExit):
        parse_args([flag, value])


def test_an_unusable_disk_folder_leaves_a_memory_cache(restore_cache, tmp_path: Path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("the user's file")
    LmCachePolicy(memory_entries=7, disk_mb=10, disk_dir=not_a_folder / "cache").apply()
    assert dspy.cache.enable_disk_cache is False
    assert dspy.cache.memory_cache.maxsize == 7
    assert not_a_folder.read_text() == "the user's file"


def test_a_disk_tier_has_its_limit_and_a_restricted_unpickler(restore_cache, tmp_path: Path):
    LmCachePolicy(memory_entries=0, disk_mb=16, disk_dir=tmp_path / "lm").apply()
    cache = dspy.cache
    assert cache.enable_memory_cache is False
    assert cache.enable_disk_cache is True
    assert Path(cache.disk_cache.directory) == tmp_path / "lm"
    # FanoutCache splits the limit over its shards.
    assert sum(shard.size_limit for shard in cache.disk_cache._shards) == 16 * 2**20
    assert type(cache.disk_cache._shards[0].disk).__name__ == "RestrictedDisk"  # DSPy's unpickler
