"""The worker's retry policy for LM requests: which failures are worth another attempt,
how long to wait first, and how the final error says what happened.

Default: 2 retries (3 attempts), after 0.5 s then 1 s. That rides out a rate-limit blip or a
provider's brief 5xx, while a real outage surfaces in ~1.5 s instead of DSPy's ~7 s (3
retries after 1, 2 and 4 s). A provider's Retry-After hint is honoured up to MAX_DELAY_S.
Only failures that can be transient are retried (DSPy's classification: rate limit, timeout,
server error, transport); of those, a connection refused by a server on this machine is not,
since nothing listens there and waiting will not start it. A bad request, an unknown model,
a missing or rejected key, and a stream that has already sent output fail at once.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from dspy.utils.exceptions import LMTransportError, is_retryable_lm_error

__all__ = ["DEFAULT_RETRIES", "MAX_DELAY_S", "MAX_RETRIES", "counted", "delay_s", "why_not_retried"]

DEFAULT_RETRIES = 2
# The most a client may ask for (its limit too): beyond that a call would wait minutes.
MAX_RETRIES = 20
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 8.0
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "host.docker.internal"})


def why_not_retried(exc: BaseException, api_base: str) -> str | None:
    """None when `exc` may be transient; else why another attempt would fail the same way."""
    if not isinstance(exc, Exception) or not is_retryable_lm_error(exc):
        return f"not retried: {type(exc).__name__} is not transient"
    if isinstance(exc, LMTransportError) and _refused(exc) and _is_local(api_base):
        return "not retried: the local server refused the connection"
    return None


def delay_s(exc: BaseException, attempt: int) -> float:
    """The wait before attempt `attempt + 1` (0-based `attempt` just failed)."""
    hint = getattr(exc, "retry_after", None)
    if isinstance(hint, (int, float)) and 0 <= hint < float("inf"):
        return min(float(hint), MAX_DELAY_S)
    return min(FIRST_DELAY_S * 2**attempt, MAX_DELAY_S)


def counted(exc: BaseException, attempts: int, reason: str | None) -> BaseException:
    """`exc`, its message ending with how many attempts were made (and why no more)."""
    note = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if reason is not None:
        note = f"{note}; {reason}"
    exc.args = (f"{exc} ({note})", *exc.args[1:])
    return exc


def _refused(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # cause chains can loop
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or "Errno 111" in str(current) or "refused" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_local(api_base: str) -> bool:
    host = urlsplit(api_base).hostname or ""
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_private
