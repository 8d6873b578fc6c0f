"""Densities of materials, keyed by material vocabulary id (``fabnet.vocab.materials``).

Typical room-temperature values in g/cm³ as datasheets and the English Wikipedia articles the
vocabulary links give them (solid material; a printed part with infill, a foam or a fabric weighs
less). A material without its own value takes its nearest ancestor's (``aluminium-5754`` would
take ``aluminium``); a broad family such as ``metal`` or ``textile`` has none on purpose: the
spread (1.7 to 9 g/cm³) makes any single value misleading, so mass stays unknown.
"""

from __future__ import annotations

from fabnet.vocab.materials import MaterialVocabulary, get_material_vocabulary

DENSITY_G_PER_CM3: dict[str, float] = {
    # thermoplastics
    "thermoplastic": 1.20,
    "pla": 1.24,
    "petg": 1.27,
    "pet": 1.38,
    "abs": 1.04,
    "asa": 1.07,
    "nylon": 1.14,
    "pa6": 1.13,
    "pa66": 1.14,
    "pa12": 1.01,
    "tpu": 1.21,
    "pc": 1.20,
    "pp": 0.90,
    "polyethylene": 0.95,
    "hdpe": 0.95,
    "ldpe": 0.92,
    "uhmwpe": 0.93,
    "hips": 1.04,
    "polystyrene": 1.05,
    "pva": 1.23,
    "pvc": 1.38,
    "pmma": 1.18,
    "pom": 1.41,
    "peek": 1.30,
    "ptfe": 2.20,
    # photopolymers and thermosets (cured)
    "resin": 1.18,
    "epoxy": 1.15,
    "polyurethane-resin": 1.10,
    "silicone": 1.10,
    "rubber": 1.20,
    # metals
    "aluminium": 2.70,
    "aluminium-5052": 2.68,
    "aluminium-5083": 2.66,
    "aluminium-6061": 2.70,
    "aluminium-6082": 2.70,
    "aluminium-7075": 2.81,
    "steel": 7.85,
    "tool-steel": 7.80,
    "stainless-steel": 8.00,
    "cast-iron": 7.20,
    "brass": 8.50,
    "bronze": 8.80,
    "copper": 8.96,
    "titanium": 4.51,
    "titanium-6al-4v": 4.43,
    "zinc": 7.14,
    "magnesium": 1.74,
    # wood and boards
    "wood": 0.60,
    "plywood": 0.68,  # birch plywood
    "mdf": 0.75,
    "osb": 0.62,
    "hardwood": 0.70,
    "softwood": 0.50,
    "bamboo": 0.70,
    "cork": 0.24,
    # composites and boards
    "fr4": 1.85,
    "fr1": 1.45,
    "carbon-fibre": 1.60,
    "glass-fibre": 1.90,
    "aluminium-composite-panel": 1.50,
    # sheets and others
    "leather": 0.86,
    "paper": 0.80,
    "cardboard": 0.69,
    "glass": 2.50,
    "ceramic": 2.40,
    "stone": 2.60,
}


def density_for(material_id: str, vocabulary: MaterialVocabulary | None = None) -> float | None:
    """Density of a material id (g/cm³): its own, else its nearest ancestor's, else None."""
    found = DENSITY_G_PER_CM3.get(material_id)
    if found is not None:
        return found
    vocab = vocabulary or get_material_vocabulary()
    if material_id not in vocab:
        return None
    for ancestor in vocab.ancestors(material_id):
        found = DENSITY_G_PER_CM3.get(ancestor)
        if found is not None:
            return found
    return None


def mass_g(volume_mm3: float, material_id: str) -> float | None:
    """Solid mass in grams of ``volume_mm3`` of a material, or None when its density is unknown."""
    density = density_for(material_id)
    return None if density is None else volume_mm3 / 1000.0 * density
