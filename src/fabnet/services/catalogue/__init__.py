"""Catalogue: designs, facilities, places, variants; id/prefix resolution and import tallies."""
