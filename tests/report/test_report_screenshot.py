"""The HTML report as a browser shows it: headless Chromium takes a screenshot.

Counts pixels of the plot's own colours (faultdrill.report.plots): the fault
band and the SLI line must be on screen, and a report without a series
must have neither, which shows the check can fail.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from report_fixtures import load

from faultdrill.report.html import render_html
from faultdrill.report.plots import FAULT_COLOUR, LINE_COLOUR
from faultdrill.report.record import parse_journal

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs the Debian package chromium"
)
# Antialiasing blends edges; a pixel within this distance per channel counts.
_TOLERANCE = 6
# A 9-inch chart at the report's width: the fault band covers tens of
# thousands of pixels and the 2-pixel line well over a thousand.
_MIN_BAND_PIXELS = 10_000
_MIN_LINE_PIXELS = 800


def screenshot(html: str, tmp_path: Path) -> Image.Image:
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return Image.open(shot).convert("RGB")


def pixels_like(image: Image.Image, colour: str) -> int:
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    count = 0
    for pixel, n in _histogram(image).items():
        if all(abs(a - b) <= _TOLERANCE for a, b in zip(pixel, target, strict=True)):
            count += n
    return count


def _histogram(image: Image.Image) -> dict[tuple[int, int, int], int]:
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return {tuple(rgb): n for n, rgb in colours}  # type: ignore[arg-type, misc]


def test_the_plots_render_in_a_browser(tmp_path: Path) -> None:
    image = screenshot(render_html(parse_journal(load("deviated"))), tmp_path)
    assert pixels_like(image, FAULT_COLOUR) >= _MIN_BAND_PIXELS
    assert pixels_like(image, LINE_COLOUR) >= _MIN_LINE_PIXELS


def test_without_a_series_no_plot_is_drawn(tmp_path: Path) -> None:
    journal = load("deviated")
    del journal["faultdrill"]["series"]
    image = screenshot(render_html(parse_journal(journal)), tmp_path)
    # a few antialiased pixels of the red badges come close to the band colour
    assert pixels_like(image, FAULT_COLOUR) < _MIN_BAND_PIXELS / 20
    assert pixels_like(image, LINE_COLOUR) < _MIN_LINE_PIXELS / 20
