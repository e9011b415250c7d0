"""Users of the LocalizeVideos sandbox: the homepage, the video API, a login.

A locustfile like any other: ``faultdrill`` paces its users to the profile's
rate (it replaces ``wait_time``), and plain Locust runs it as it is:

    locust -f locustfiles/sandbox_browse.py --headless -u 20 -t 30s \
        --host http://127.0.0.1:8780
"""

from __future__ import annotations

from locust import FastHttpUser, constant_throughput, task


class Visitor(FastHttpUser):
    # One task a second per user when run by plain Locust.
    wait_time = constant_throughput(1)

    @task(6)
    def homepage(self) -> None:
        self.client.get("/")

    @task(3)
    def video(self) -> None:
        self.client.get("/api/videos/42")

    @task(1)
    def login(self) -> None:
        # A distinct client id per user, so a sandbox keyed by header does
        # not limit the visitors as one client.
        self.client.post(
            "/login",
            json={"user": "demo", "password": "demo"},
            headers={"X-Client-Id": f"visitor-{id(self)}"},
        )
