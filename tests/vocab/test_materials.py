"""The material vocabulary: families, exact resolution with documented clean-up, satisfies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fabnet.errors import ConfigurationError, UnknownTermError
from fabnet.vocab.materials import (
    MaterialVocabulary,
    clean_material_text,
    get_material_vocabulary,
)

MAT = get_material_vocabulary()
IDS = st.sampled_from(MAT.ids())


@pytest.mark.parametrize(
    ("node_id", "family"),
    [
        ("pla", "thermoplastic"),
        ("petg", "thermoplastic"),
        ("pa12", "thermoplastic"),
        ("pmma", "thermoplastic"),
        ("castable-resin", "resin"),
        ("aluminium-7075", "metal"),
        ("stainless-steel-316", "metal"),
        ("mild-steel", "metal"),
        ("plywood", "wood"),
        ("fr4", "composite"),
        ("nylon-fabric", "textile"),
        ("cardboard", "paper"),
        ("silicone", "elastomer"),
        ("glass", "glass"),
    ],
)
def test_families(node_id: str, family: str) -> None:
    assert MAT.family(node_id) == family


def test_nylon_grades_are_children_of_nylon_and_steels_nest() -> None:
    assert set(MAT.children("nylon")) >= {"pa6", "pa12"}
    assert MAT.ancestors("stainless-steel-304") == ("stainless-steel", "steel", "metal")


@pytest.mark.parametrize(
    ("term", "node_id"),
    [
        ("PLA", "pla"),
        ("pla", "pla"),
        ("Polylactic acid", "pla"),
        ("PET-G", "petg"),
        ("pet-g", "petg"),
        ("1.4301", "stainless-steel-304"),
        ("1.4401", "stainless-steel-316"),
        ("1.0715", "mild-steel"),
        ("AISI 316L", "stainless-steel-316"),
        ("Acrylic", "pmma"),
        ("Perspex", "pmma"),
        ("Plexiglass", "pmma"),
        ("aluminum", "aluminium"),
        ("6061-T6", "aluminium-6061"),
        ("https://en.wikipedia.org/wiki/Polylactic_acid", "pla"),
        ("https://en.wikipedia.org/wiki/Poly(methyl_methacrylate)", "pmma"),
        ("https://en.wikipedia.org/wiki/Poly%28methyl_methacrylate%29", "pmma"),
        ("nylon 6,6", "pa66"),
    ],
)
def test_resolve_exact_terms(term: str, node_id: str) -> None:
    assert MAT.resolve(term) == node_id


def test_the_okw_pcbs_link_to_polychlorinated_biphenyl_means_fr4() -> None:
    assert MAT.resolve("https://en.wikipedia.org/wiki/Polychlorinated_biphenyl") == "fr4"
    # ... but the chemical's name as plain text is not taken for a board material
    assert MAT.resolve("polychlorinated biphenyl") is None


@pytest.mark.parametrize(
    ("text", "node_id"),
    [
        ("PLA+", "pla"),
        ("PLA (white)", "pla"),
        ("PLA [recycled]", "pla"),
        ("PETG filament", "petg"),
        ("PETG filament 1.75 mm", "petg"),
        ("Black ABS filament, 2.85mm", "abs"),
        ("Plywood sheet 3mm", "plywood"),
        ("MDF 6 mm", "mdf"),
        ("Aluminium plate 5mm", "aluminium"),
        ("Perspex 600x400 mm sheet", "pmma"),
        ("Stainless steel 304 rod Ø10mm", "stainless-steel-304"),
    ],
)
def test_free_text_resolves_after_the_documented_clean_up(text: str, node_id: str) -> None:
    assert MAT.resolve(text) == node_id


@pytest.mark.parametrize(
    "text",
    ["ABS, PLA", "PLA or PETG", "plastic-ish stuff", "PLAA", "unobtainium sheet", "", "3 mm"],
)
def test_free_text_never_guesses(text: str) -> None:
    assert MAT.resolve(text) is None


def test_clean_material_text_is_deterministic_and_documented() -> None:
    assert clean_material_text("PETG filament (black) 1.75 mm") == "PETG"
    assert clean_material_text("PLA+") == "PLA"
    assert clean_material_text("Birch plywood 4 mm") == "Birch plywood"
    assert clean_material_text("304") == "304"  # bare numbers are designations, not sizes


def test_resolve_list_splits_alternatives() -> None:
    assert MAT.resolve_list("ABS, PLA or PETG (black)") == (("abs", "pla", "petg"), ())
    assert MAT.resolve_list("PLA and unobtainium") == (("pla",), ("unobtainium",))
    assert MAT.resolve_list("nylon 6,6") == (("pa66",), ())
    assert MAT.resolve_list("PLA+") == (("pla",), ())


def test_satisfies_same_or_more_specific() -> None:
    assert MAT.satisfies("pla", "thermoplastic")
    assert not MAT.satisfies("pla", "petg")
    assert not MAT.satisfies("thermoplastic", "pla")
    assert MAT.satisfies("stainless-steel-316", "steel")
    assert not MAT.satisfies("stainless-steel-304", "stainless-steel-316")
    assert not MAT.satisfies("nylon-fabric", "nylon")  # the textile is not the polymer


def test_unknown_ids_raise_unknown_term() -> None:
    with pytest.raises(UnknownTermError, match="unknown material 'plaa'"):
        MAT.node("plaa")
    assert "pla" in MAT.suggest("plaa")


@given(IDS, IDS, IDS)
def test_satisfies_is_a_partial_order(a: str, b: str, c: str) -> None:
    assert MAT.satisfies(a, a)
    if MAT.satisfies(a, b) and MAT.satisfies(b, c):
        assert MAT.satisfies(a, c)
    if a != b and MAT.satisfies(a, b):
        assert not MAT.satisfies(b, a)


@given(IDS)
def test_family_is_the_last_ancestor(node: str) -> None:
    family = MAT.family(node)
    assert family in MAT.roots()
    assert MAT.satisfies(node, family)


def test_every_alias_resolves_to_its_node() -> None:
    for node_id in MAT.ids():
        node = MAT.node(node_id)
        for term in (node.id, node.label, *node.aliases, *node.wikipedia):
            assert MAT.resolve(term) == node_id, term


def test_a_material_alias_naming_two_nodes_is_refused() -> None:
    data = {
        "nodes": [
            {"id": "a", "label": "A", "aliases": ["X"]},
            {"id": "b", "label": "B", "aliases": ["x"]},
        ]
    }
    with pytest.raises(ConfigurationError):
        MaterialVocabulary.from_data(data)
