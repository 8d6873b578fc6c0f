"""The process taxonomy: required ids, exact resolution, satisfies, load-time validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fabnet.errors import ConfigurationError, UnknownTermError
from fabnet.vocab.processes import (
    TSDC_CODES,
    UNSPECIFIC_TSDC,
    ProcessTaxonomy,
    get_process_taxonomy,
    load_packaged_taxonomy,
)

TAX = get_process_taxonomy()
IDS = st.sampled_from(TAX.ids())

REQUIRED_TREE = {
    "additive-manufacturing": None,
    "fdm": "additive-manufacturing",
    "sla": "additive-manufacturing",
    "sls": "additive-manufacturing",
    "mjf": "additive-manufacturing",
    "dmls": "additive-manufacturing",
    "machining": None,
    "cnc-milling": "machining",
    "precision-milling": "cnc-milling",
    "cnc-turning": "machining",
    "cutting": None,
    "laser-cutting": "cutting",
    "vinyl-cutting": "cutting",
    "waterjet-cutting": "cutting",
    "plasma-cutting": "cutting",
    "electronics": None,
    "pcb-fabrication": "electronics",
    "pcb-assembly": "electronics",
    "soldering": "electronics",
    "joining": None,
    "welding": "joining",
    "arc-welding": "welding",
    "resistance-welding": "welding",
    "gas-welding": "welding",
    "forming": None,
    "sheet-metal-bending": "forming",
    "injection-moulding": "forming",
    "casting": "forming",
    "thermoforming": "forming",
    "textiles": None,
    "sewing": "textiles",
    "embroidery": "textiles",
    "woodworking": None,
    "assembly": None,
    "final-assembly": "assembly",
}


@pytest.mark.parametrize(("node_id", "parent"), sorted(REQUIRED_TREE.items()))
def test_ids_that_other_modules_hard_code_exist_where_expected(
    node_id: str, parent: str | None
) -> None:
    assert TAX.node(node_id).parent == parent


@pytest.mark.parametrize(
    ("code", "node_id"),
    [
        ("3DP", "additive-manufacturing"),
        ("CNC", "cnc-milling"),
        ("LAS", "laser-cutting"),
        ("CIR", "electronics"),
        ("PCB", "pcb-fabrication"),
        ("WEL", "welding"),
        ("ASM", "assembly"),
    ],
)
def test_tsdc_codes_resolve_to_their_node(code: str, node_id: str) -> None:
    assert TAX.resolve(code) == node_id
    assert TAX.resolve(code.lower()) == node_id
    assert TAX.for_tsdc(code) == node_id


def test_mec_is_known_but_names_no_specific_process() -> None:
    assert "MEC" in TSDC_CODES and "MEC" in UNSPECIFIC_TSDC
    assert TAX.resolve("MEC") is None
    assert TAX.for_tsdc("MEC") is None


@pytest.mark.parametrize(
    ("capability", "node_id"),
    [
        ("three_d_printing", "additive-manufacturing"),
        ("laser", "laser-cutting"),
        ("cnc_milling", "cnc-milling"),
        ("vinyl_cutting", "vinyl-cutting"),
        ("circuit_production", "pcb-fabrication"),
        ("precision_milling", "precision-milling"),
    ],
)
def test_fablabs_capabilities_map_to_nodes(capability: str, node_id: str) -> None:
    assert TAX.resolve(capability) == node_id
    assert TAX.for_fablabs(capability) == node_id


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Fused_filament_fabrication",
        "http://en.wikipedia.org/wiki/Fused_filament_fabrication",
        "en.wikipedia.org/wiki/Fused_filament_fabrication",
        "https://en.m.wikipedia.org/wiki/Fused_filament_fabrication",
        "HTTPS://EN.WIKIPEDIA.ORG/wiki/fused_filament_fabrication/",
        "https://en.wikipedia.org/wiki/Fused%20filament%20fabrication",
        "https://en.wikipedia.org/wiki/Fused_filament_fabrication#History",
    ],
)
def test_wikipedia_urls_resolve_in_any_spelling(url: str) -> None:
    assert TAX.resolve(url) == "fdm"


def test_percent_encoded_parentheses_resolve() -> None:
    assert TAX.resolve("https://en.wikipedia.org/wiki/Milling_%28machining%29") == "cnc-milling"


def test_wikipedia_url_of_another_language_or_unknown_article_does_not_resolve() -> None:
    assert TAX.resolve("https://de.wikipedia.org/wiki/Fused_filament_fabrication") is None
    assert TAX.resolve("https://en.wikipedia.org/wiki/Banana") is None


def test_wikipedia_title_alone_is_not_a_url_match_but_aliases_still_work() -> None:
    assert TAX.resolve("Fused filament fabrication") == "fdm"


@pytest.mark.parametrize(
    ("term", "node_id"),
    [
        ("FDM", "fdm"),
        ("fff", "fdm"),
        ("3D printing", "additive-manufacturing"),
        ("3d-printing", "additive-manufacturing"),
        ("3D_Printing", "additive-manufacturing"),
        ("Laser Cutter", "laser-cutting"),
        ("cnc", "cnc-milling"),
        ("Injection molding", "injection-moulding"),
        ("TIG", "tig-welding"),
        ("Q229367", "additive-manufacturing"),
        ("https://www.wikidata.org/wiki/Q229367", "additive-manufacturing"),
        ("  pcb assembly  ", "pcb-assembly"),
        ("Präzisionsfräsen", None),
        ("", None),
        ("milng", None),
    ],
)
def test_resolve_is_exact_after_folding_and_never_fuzzy(term: str, node_id: str | None) -> None:
    assert TAX.resolve(term) == node_id


@pytest.mark.parametrize(
    ("number", "node_id"),
    [
        ("111", "mma-welding"),
        ("135", "mig-mag-welding"),
        ("136", "flux-cored-arc-welding"),
        ("141", "tig-welding"),
        ("21", "spot-welding"),
        ("311", "gas-welding"),
        ("19", "arc-welding"),
        ("52", "laser-beam-welding"),
        ("ISO 4063-141", "tig-welding"),
        ("6", None),
        ("abc", None),
    ],
)
def test_iso4063_numbers_pick_the_most_specific_welding_node(
    number: str, node_id: str | None
) -> None:
    assert TAX.resolve_iso4063(number) == node_id


def test_bare_numbers_are_not_resolved_by_resolve_but_prefixed_ones_are() -> None:
    assert TAX.resolve("141") is None
    assert TAX.resolve("ISO 4063 141") == "tig-welding"


def test_suggest_offers_close_ids_for_messages() -> None:
    assert "welding" in TAX.suggest("weldng")
    assert TAX.suggest("milling", limit=2)[0] == "cnc-milling"
    assert len(TAX.suggest("cutting", limit=2)) == 2
    assert TAX.suggest("") == []


def test_node_of_unknown_id_raises_unknown_term_with_suggestion() -> None:
    with pytest.raises(UnknownTermError) as info:
        TAX.node("laser-cuting")
    assert "laser-cutting" in str(info.value)


def test_structure_queries() -> None:
    assert TAX.ancestors("tig-welding") == ("arc-welding", "welding", "joining")
    assert TAX.ancestors("joining") == ()
    assert "tig-welding" in TAX.descendants("welding")
    assert "welding" not in TAX.descendants("welding")
    assert TAX.children("cnc-milling")[0] == "precision-milling"
    assert "additive-manufacturing" in TAX.roots()
    assert TAX.path("fdm") == ("additive-manufacturing", "fdm")


def test_the_spec_cases_of_satisfies() -> None:
    assert TAX.satisfies("fdm", "additive-manufacturing")  # 3DP is met by FDM
    assert not TAX.satisfies("sla", "fdm")  # FDM is not met by SLA
    assert not TAX.satisfies("additive-manufacturing", "fdm")  # general does not meet specific
    assert not TAX.satisfies("assembly", "pcb-assembly")
    assert not TAX.satisfies("pcb-assembly", "assembly")  # PCB assembly is not under assembly
    assert TAX.satisfies("precision-milling", "cnc-milling")
    assert TAX.satisfies("tig-welding", "welding")


def test_satisfies_refuses_unknown_ids() -> None:
    with pytest.raises(UnknownTermError):
        TAX.satisfies("fdm", "teleportation")
    with pytest.raises(UnknownTermError):
        TAX.satisfies("teleportation", "fdm")


@given(IDS)
def test_satisfies_is_reflexive(node: str) -> None:
    assert TAX.satisfies(node, node)


@given(IDS, IDS, IDS)
def test_satisfies_is_transitive(a: str, b: str, c: str) -> None:
    if TAX.satisfies(a, b) and TAX.satisfies(b, c):
        assert TAX.satisfies(a, c)


@given(IDS, IDS)
def test_satisfies_is_antisymmetric_and_matches_descendants(a: str, b: str) -> None:
    if a != b and TAX.satisfies(a, b):
        assert not TAX.satisfies(b, a)
    assert TAX.satisfies(a, b) == (a == b or a in TAX.descendants(b))


@given(IDS)
def test_siblings_never_satisfy_each_other(node: str) -> None:
    parent = TAX.node(node).parent
    siblings = TAX.children(parent) if parent else TAX.roots()
    for other in siblings:
        if other != node:
            assert not TAX.satisfies(node, other)


def test_every_node_resolves_from_its_id_label_and_aliases() -> None:
    for node_id in TAX.ids():
        node = TAX.node(node_id)
        assert TAX.resolve(node.id) == node_id
        assert TAX.resolve(node.label) == node_id
        for alias in node.aliases:
            assert TAX.resolve(alias) == node_id, alias
        for url in node.wikipedia:
            assert TAX.resolve(url) == node_id, url


def _tree(*nodes: dict[str, object]) -> dict[str, object]:
    return {"nodes": list(nodes)}


def test_duplicate_ids_are_refused_on_load() -> None:
    data = _tree(
        {"id": "a", "label": "A"},
        {"id": "b", "label": "B", "children": [{"id": "a", "label": "A again"}]},
    )
    with pytest.raises(ConfigurationError, match="duplicate id 'a'"):
        ProcessTaxonomy.from_data(data)


def test_an_alias_naming_two_nodes_is_refused_on_load() -> None:
    data = _tree(
        {"id": "a", "label": "A", "aliases": ["Shared word"]},
        {"id": "b", "label": "B", "aliases": ["shared-word"]},
    )
    with pytest.raises(ConfigurationError, match="names both 'a' and 'b'"):
        ProcessTaxonomy.from_data(data)


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"id": "Not A Slug", "label": "x"}, "kebab-case"),
        ({"id": "a", "label": ""}, "label"),
        ({"id": "a", "label": "A", "colour": "red"}, "unknown keys colour"),
        ({"id": "a", "label": "A", "aliases": "one"}, "list of non-empty strings"),
        ({"id": "a", "label": "A", "tsdc": ["XYZ"]}, "TsDC"),
        ({"id": "a", "label": "A", "wikidata": ["229367"]}, "Q-id"),
        ({"id": "a", "label": "A", "wikipedia": ["https://example.org/x"]}, "Wikipedia"),
    ],
)
def test_malformed_nodes_are_refused_on_load(node: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ProcessTaxonomy.from_data(_tree(node))


def test_the_packaged_file_loads_the_same_as_the_cached_singleton() -> None:
    assert get_process_taxonomy() is get_process_taxonomy()
    fresh = load_packaged_taxonomy()
    assert fresh is not get_process_taxonomy()
    assert fresh.ids() == TAX.ids()
    assert all(fresh.node(i) == TAX.node(i) for i in TAX.ids())
    assert len(TAX) >= 60
