"""``faultdrill sandbox``: placeholder until the sandbox lands."""

import click


@click.group()
def sandbox() -> None:
    """The LocalizeVideos demo target on loopback."""
