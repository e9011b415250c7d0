"""The catalog: the web app's dependency, a small JSON service of its own.

It runs in its own process and the web app reaches it only through the
``catalog`` proxy, so network faults injected on that proxy land on the
video API. It answers at once; any slowness comes from the faults.

    GET /videos        {"videos": [...]}
    GET /videos/{id}   one video, or 404
    GET /healthz       200
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict


class Video(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    duration_seconds: int
    source_language: str
    subtitle_languages: tuple[str, ...]


# A handful of fixed videos: enough for list and item requests to differ,
# small enough that a response is one TCP segment.
VIDEOS: tuple[Video, ...] = (
    Video(id=1, title="Welcome to LocalizeVideos", duration_seconds=94,
          source_language="en", subtitle_languages=("de", "es", "fr", "ja")),
    Video(id=2, title="Uploading your first video", duration_seconds=212,
          source_language="en", subtitle_languages=("de", "es", "pt")),
    Video(id=3, title="Reviewing a translation", duration_seconds=305,
          source_language="en", subtitle_languages=("fr", "it")),
    Video(id=4, title="Glossaries and style guides", duration_seconds=418,
          source_language="de", subtitle_languages=("en", "nl")),
    Video(id=5, title="Publishing to your channel", duration_seconds=156,
          source_language="es", subtitle_languages=("en", "pt", "fr")),
    # The video the shipped SLOs probe (src/faultdrill/data/slos.yaml).
    Video(id=42, title="Dubbing with synthetic voices", duration_seconds=263,
          source_language="en", subtitle_languages=("de", "es", "fr", "ja", "ko")),
)  # fmt: skip

_BY_ID = {video.id: video for video in VIDEOS}


async def list_videos(request: web.Request) -> web.Response:
    videos = [video.model_dump(mode="json") for video in VIDEOS]
    return web.json_response({"videos": videos})


async def get_video(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    video = _BY_ID.get(int(raw)) if raw.isdigit() else None
    if video is None:
        return web.json_response({"error": f"no video with id {raw!r}"}, status=404)
    return web.json_response(video.model_dump(mode="json"))


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


def build_catalog_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/videos", list_videos)
    app.router.add_get("/videos/{id}", get_video)
    app.router.add_get("/healthz", healthz)
    return app
