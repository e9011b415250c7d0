"""One request, the homepage: the locustfile the load benchmark measures.

Plain Locust keeps each user at a constant throughput; faultdrill replaces
the wait time with its own absolute pacing. The same file serves both, so
the figures compare the pacing and nothing else.
"""

from __future__ import annotations

from locust import FastHttpUser, constant_throughput, task

# Requests per second per user under plain Locust, as faultdrill's default
# (faultdrill.load.profile.DEFAULT_MAX_USER_RATE).
USER_RATE = 10


class Homepage(FastHttpUser):
    wait_time = constant_throughput(USER_RATE)

    @task
    def homepage(self) -> None:
        self.client.get("/")
