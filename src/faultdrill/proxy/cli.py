"""``faultdrill proxy``: placeholder until the embedded server lands."""

import click


@click.group()
def proxy() -> None:
    """The embedded Toxiproxy-compatible server."""
