"""Facilities: list with filters, read, import an uploaded OKW file or fablabs.io CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from fabnet.api.deps import DbDep, Reader, SettingsDep, Writer
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.imports import ImportOut, tally_out, uploaded_file
from fabnet.domain.facility import Facility
from fabnet.services.catalogue import facilities
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/facilities", tags=["facilities"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[Facility])
def list_facilities(
    db: DbDep,
    principal: Reader,
    page: PageDep,
    country: str | None = None,
    process: str | None = None,
    status: str | None = None,
    material: str | None = None,
    certification: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
) -> Page[Facility]:
    """``country``: ISO 3166-1 alpha-2; ``process``, ``material``: a process or material term;
    ``certification``: e.g. ISO 13485; ``status``: OKW status; ``near`` (a place, e.g. "Nairobi,
    KE") with ``radius_km``: at most that far. A term fabnet cannot resolve is refused (422)."""
    return facilities.list_facilities(
        db,
        country=country,
        process=process,
        status=status,
        material=material,
        certification=certification,
        near=near,
        radius_km=radius_km,
        limit=page.limit,
        cursor=page.cursor,
    )


@router.get("/{facility_id}", response_model=Facility)
def get_facility(facility_id: str, db: DbDep, principal: Reader) -> Facility:
    """By id or unique id prefix."""
    return facilities.get_facility(db, facility_id)


@router.post("/import", response_model=ImportOut)
def import_facilities(
    file: Annotated[UploadFile, File(description="OKW YAML/JSON, or a fablabs.io CSV export")],
    db: DbDep,
    settings: SettingsDep,
    principal: Writer,
    format: Annotated[Literal["okw", "fablabs"] | None, Form()] = None,
) -> ImportOut:
    """Import facilities; the format comes from the file suffix unless ``format`` is given."""
    with uploaded_file(file, settings.max_file_bytes) as (path, folder):
        tally = facilities.import_facilities(db, [path], fmt=format)
        return tally_out(tally, folder)
