"""A token bucket per client key, as the login endpoint's rate limit.

The bucket holds ``1 + burst`` tokens and refills at ``rate`` tokens per
second. Counting the burst on top of one request is how nginx's
``limit_req`` reads: N simultaneous requests from one key admit ``1 + burst``,
and over a window T at an offered rate above ``rate`` about
``1 + burst + rate * T`` are admitted. So ``burst=0`` still admits one
request every ``1/rate`` seconds, and a limit measured against nginx and
against the sandbox means the same thing.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from faultdrill.clock import Clock

# Keys remembered at once. A forgotten key starts again with a full bucket,
# which is what an idle key would have anyway; a flood of fresh keys can only
# make the limiter more lenient, never exhaust memory. 10,000 keys at about
# 200 bytes each is 2 MB.
MAX_KEYS = 10_000


@dataclass(frozen=True)
class Decision:
    """Whether one request may pass and, if not, when to come back."""

    allowed: bool
    retry_after: float = 0.0  # seconds until a token is available

    @property
    def retry_after_header(self) -> str:
        """``Retry-After`` in whole seconds (RFC 9110 delay-seconds), at least 1."""
        return str(max(1, math.ceil(self.retry_after)))


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Admits at most ``1 + burst`` at once and ``rate`` per second per key.

    A rate of 0 turns the limiter off: every request is admitted.
    """

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        if rate < 0 or burst < 0:
            raise ValueError(f"rate and burst must be >= 0, got {rate} and {burst}")
        self.rate = rate
        self.capacity = 1.0 + burst
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, key: str) -> Decision:
        """Take one token for ``key`` if there is one."""
        if not self.enabled:
            return Decision(allowed=True)

        bucket = self._refilled(key)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Decision(allowed=True)
        return Decision(allowed=False, retry_after=(1.0 - bucket.tokens) / self.rate)

    def _refilled(self, key: str) -> _Bucket:
        now = self._clock.now()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=self.capacity, updated=now)
            self._remember(key, bucket)
            return bucket

        self._buckets.move_to_end(key)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
        bucket.updated = now
        return bucket

    def _remember(self, key: str, bucket: _Bucket) -> None:
        self._buckets[key] = bucket
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)
