"""Controlled vocabularies: processes, materials, tolerances and certifications (pure)."""

from fabnet.vocab.certifications import is_known_certification, normalise_certification
from fabnet.vocab.materials import MaterialNode, MaterialVocabulary, get_material_vocabulary
from fabnet.vocab.processes import ProcessNode, ProcessTaxonomy, get_process_taxonomy
from fabnet.vocab.tolerance import meets_tolerance, normalise_tolerance, tolerance_fineness_um

__all__ = [
    "MaterialNode",
    "MaterialVocabulary",
    "ProcessNode",
    "ProcessTaxonomy",
    "get_material_vocabulary",
    "get_process_taxonomy",
    "is_known_certification",
    "meets_tolerance",
    "normalise_certification",
    "normalise_tolerance",
    "tolerance_fineness_um",
]
