"""The matching engine: which facilities can make each part of a design, ranked and explained.

See :mod:`fabnet.engine.matching.match` for the procedure, :mod:`.scoring` for the score and
docs/adr/0006-matching-index.md for the index design.
"""

from fabnet.engine.matching.criteria import (
    Assessment,
    CriterionResult,
    assess,
    capability_criteria,
)
from fabnet.engine.matching.index import FacilityIndex
from fabnet.engine.matching.match import match_design, naive_match, reverse_match, why_not
from fabnet.engine.matching.request import DeliveryPoint, MatchRequest
from fabnet.engine.matching.requirement import PartRequirement, QuotedHours, requirements_for
from fabnet.engine.matching.results import (
    Candidate,
    DesignCoverage,
    MatchResult,
    NearMiss,
    PartMatch,
)

__all__ = [
    "Assessment",
    "Candidate",
    "CriterionResult",
    "DeliveryPoint",
    "DesignCoverage",
    "FacilityIndex",
    "MatchRequest",
    "MatchResult",
    "NearMiss",
    "PartMatch",
    "PartRequirement",
    "QuotedHours",
    "assess",
    "capability_criteria",
    "match_design",
    "naive_match",
    "requirements_for",
    "reverse_match",
    "why_not",
]
