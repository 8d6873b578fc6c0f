"""Places by name, from the offline gazetteer."""

from __future__ import annotations

from fabnet.geo.gazetteer import Place, locate


def locate_place(query: str) -> Place:
    """The place ``query`` names ("Gent", "Gent, Belgium", "Portland, US-OR").

    Raises UnknownPlaceError or AmbiguousPlaceError (listing candidates) for the user to fix.
    """
    return locate(query)
