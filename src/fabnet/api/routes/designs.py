"""Designs: list, read, import an uploaded OKH manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from fabnet.api.deps import DbDep, Reader, SettingsDep, Writer
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.imports import ImportOut, tally_out, uploaded_file
from fabnet.domain.design import Design
from fabnet.services.catalogue import designs
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/designs", tags=["designs"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[Design])
def list_designs(db: DbDep, principal: Reader, page: PageDep) -> Page[Design]:
    return designs.list_designs(db, limit=page.limit, cursor=page.cursor)


@router.get("/{design_id}", response_model=Design)
def get_design(design_id: str, db: DbDep, principal: Reader) -> Design:
    """By id or unique id prefix."""
    return designs.get_design(db, design_id)


@router.post("/import", response_model=ImportOut)
def import_design(
    file: Annotated[UploadFile, File(description="An OKH manifest: okh.toml, okh.yml or .json")],
    db: DbDep,
    settings: SettingsDep,
    principal: Writer,
) -> ImportOut:
    """Import one manifest (OKH v1 YAML, OKH-LOSH or 2.x TOML/JSON); again is a no-op."""
    with uploaded_file(file, settings.max_file_bytes) as (path, folder):
        tally = designs.import_designs(db, [Path(path)])
        return tally_out(tally, folder)
