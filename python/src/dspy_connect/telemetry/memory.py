"""The worker's own resident memory, for Describe: pools recycle workers on the Python
process's RSS, which only the process itself reports reliably."""

from __future__ import annotations

import os


def resident_bytes() -> int:
    """Resident set size in bytes from /proc/self/statm (Linux); 0 where unavailable."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
