"""A per-user rate limit shared by /ask and questions asked by mention or DM."""

from __future__ import annotations

import time

from discord import app_commands


class UserCooldown:
    """`rate` questions per `per` seconds for each user; `per` = 0 turns the limit off."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def retry_after(self, user_id: int) -> float | None:
        """Count one question for the user; the seconds to wait when they are over the limit, else None."""
        if self.per <= 0:
            return None
        now = time.monotonic()
        if len(self._buckets) > 10_000:
            self._forget_idle(now)
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit(now)

    def check(self, user_id: int) -> None:
        """As `retry_after`, raising `CommandOnCooldown` (handled by the error tree) when over the limit."""
        wait = self.retry_after(user_id)
        if wait is not None:
            raise app_commands.CommandOnCooldown(self._buckets[user_id], wait)

    def _forget_idle(self, now: float) -> None:
        idle = [user for user, bucket in self._buckets.items() if bucket.get_tokens(now) >= self.rate]
        for user in idle:
            del self._buckets[user]
