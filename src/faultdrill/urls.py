"""Whether a string can be used as an HTTP base URL: one rule for every input."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_http_url(url: str) -> bool:
    """``http(s)://host[:port][/path]`` with a host and, if any, a usable port."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        return usable and (parts.port is None or parts.port > 0)
    except ValueError:  # a bad IPv6 literal, a port that is no number or > 65535
        return False
