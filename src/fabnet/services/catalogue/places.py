"""Places by name, from the offline gazetteer."""

from __future__ import annotations

from fabnet.errors import InputError
from fabnet.geo.gazetteer import Place, get_gazetteer, locate


def locate_place(query: str) -> Place:
    """The place ``query`` names ("Gent", "Gent, Belgium", "Portland, US-OR").

    Raises UnknownPlaceError or AmbiguousPlaceError (listing candidates) for the user to fix.
    """
    return locate(query)


def suggest_places(text: str, *, limit: int = 8) -> list[Place]:
    """Places whose name starts with ``text`` ("Nai", "Spring, US"), most populous first, for a
    suggestion list as the user types (nothing for fewer than three letters)."""
    return get_gazetteer().complete(text, limit=limit)


def nearest_place(latitude: float, longitude: float) -> tuple[Place, float]:
    """The known place nearest to a point (e.g. a click on a map) and its distance in km."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InputError(
            f"{latitude:g}, {longitude:g} are not coordinates",
            field="coordinates",
            hint="latitude -90 to 90, longitude -180 to 180",
        )
    return get_gazetteer().nearest(latitude, longitude)
