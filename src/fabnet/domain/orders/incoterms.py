"""Incoterms 2020: the rule and named place that fix where cost and risk pass to the buyer."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fabnet.domain.common import Frozen


class Incoterm(StrEnum):
    # any mode of transport
    EXW = "EXW"  # Ex Works
    FCA = "FCA"  # Free Carrier
    CPT = "CPT"  # Carriage Paid To
    CIP = "CIP"  # Carriage and Insurance Paid To
    DAP = "DAP"  # Delivered at Place
    DPU = "DPU"  # Delivered at Place Unloaded
    DDP = "DDP"  # Delivered Duty Paid
    # sea and inland waterway only
    FAS = "FAS"  # Free Alongside Ship
    FOB = "FOB"  # Free on Board
    CFR = "CFR"  # Cost and Freight
    CIF = "CIF"  # Cost, Insurance and Freight


SEA_ONLY = frozenset({Incoterm.FAS, Incoterm.FOB, Incoterm.CFR, Incoterm.CIF})


class TransportMode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    AIR = "air"
    SEA = "sea"
    INLAND_WATERWAY = "inland-waterway"
    MULTIMODAL = "multimodal"
    COURIER = "courier"


WATER_MODES = frozenset({TransportMode.SEA, TransportMode.INLAND_WATERWAY})


class DeliveryTerms(Frozen):
    """``rule`` + ``named_place`` (e.g. FCA "Nairobi, Kenya"), and the main transport mode."""

    rule: Incoterm
    named_place: str = Field(min_length=2, description="Port, terminal, or address")
    transport_mode: TransportMode

    @model_validator(mode="after")
    def _sea_only(self) -> DeliveryTerms:
        if self.rule in SEA_ONLY and self.transport_mode not in WATER_MODES:
            raise ValueError(
                f"{self.rule.value} is for sea and inland waterway transport only, not "
                f"{self.transport_mode.value}; use FCA, CPT, CIP or another any-mode rule"
            )
        if not self.named_place.strip():
            raise ValueError("the named place is empty")
        return self
