"""Variants of parametric designs: Customizer parameters, create, list, OKH export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.api.schemas_orders import ID_PATTERN
from fabnet.services.catalogue import variants

router = APIRouter(tags=["variants"], responses=PROBLEM_RESPONSES)

DesignId = Annotated[str, Path(pattern=ID_PATTERN, description="Design id or prefix")]


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parameters: dict[str, str | float | int | bool | list[float]] = Field(
        default_factory=dict, description="Customizer parameter name -> value", max_length=100
    )
    parameter_set: str | None = Field(
        default=None, max_length=200, description="One of the design's OpenSCAD parameter sets"
    )
    name: str | None = Field(default=None, max_length=200, description="Label of the variant")


@router.get("/v1/designs/{design_id}/parameters")
def parameters(
    design_id: DesignId, db: DbDep, store: FileStoreDep, principal: Reader
) -> dict[str, Any]:
    """The design's Customizer parameters (group, default, range or choices, description), its
    parameter sets, and whether its licence permits variants."""
    return variants.design_parameters(db, design_id, store=store).to_json()


@router.post("/v1/designs/{design_id}/variants", status_code=201)
def create(
    design_id: DesignId, body: VariantIn, db: DbDep, store: FileStoreDep, principal: Writer
) -> dict[str, Any]:
    """Render a variant with OpenSCAD and store it as a design of its own (same values: the
    same variant)."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in body.parameters.items()}
    made = variants.create_variant(
        db, design_id, values, parameter_set=body.parameter_set, name=body.name, store=store
    )
    return made.to_json()


@router.get("/v1/designs/{design_id}/variants")
def list_(design_id: DesignId, db: DbDep, principal: Reader) -> list[dict[str, Any]]:
    """The variants made of a design."""
    return [
        {"id": r.id, "parameter_set": r.set_name, "parameters": r.parameters,
         "obligations": list(r.obligations), "fork_of": r.fork_of}
        for r in variants.list_variants(db, design_id)
    ]  # fmt: skip


@router.get("/v1/variants/{variant_id}/okh", response_class=PlainTextResponse)
def okh(
    variant_id: Annotated[str, Path(pattern=ID_PATTERN)],
    db: DbDep,
    principal: Reader,
    format: Annotated[str, Query(pattern="^(toml|json)$")] = "toml",
) -> str:
    """The variant's OKH 2.x manifest with ``fork-of`` and ``[fabnet.variant]``."""
    return variants.variant_manifest(db, variant_id, format)
