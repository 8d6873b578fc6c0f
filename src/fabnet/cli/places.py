"""``fabnet locate``: find a place in the offline gazetteer."""

from __future__ import annotations

import typer
from rich.markup import escape

from fabnet.cli._common import JSON_OPTION, console, emit_json, handle_errors
from fabnet.services.catalogue.places import locate_place


@handle_errors
def locate(
    query: str = typer.Argument(..., metavar="PLACE", help='A place, e.g. "Gent, Belgium".'),
    json_output: bool = JSON_OPTION,
) -> None:
    """Find a place by name: prints name, region, country, latitude and longitude."""
    place = locate_place(query)
    if json_output:
        emit_json(place)
        return
    region = f", {place.admin1}" if place.admin1 else ""
    console.print(
        f"{escape(place.name)}{escape(region)}, {place.country}  "
        f"lat {place.latitude:.4f}  lon {place.longitude:.4f}"
    )


def register(root: typer.Typer) -> None:
    root.command("locate")(locate)
