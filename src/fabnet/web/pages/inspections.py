"""The inspector's pages: the lots assigned to the inspection body, each inspection's ISO 2859-1
plan (lot size -> code letter, sample size, Ac/Re per defect class) and the form that records
the defects found; the decision follows from the counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.errors import FabnetError, InputError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render

router = APIRouter()


def _assigned(db: Db, user: CurrentUser) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = services.list_orders(db, user.principal, limit=200, cursor=cursor)
        for order in page.items:
            for lot in services.list_lots(db, user.principal, order.id):
                if lot.inspector_org_id != user.principal.org_id:
                    continue
                tasks = services.lot_inspections(db, user.principal, lot.id)
                rows.append({"lot": lot, "order": order, "tasks": tasks})
        if not page.next_cursor:
            return rows
        cursor = page.next_cursor


def _page(request: Request, db: Db, user: CurrentUser, errors: dict[str, dict[str, str]],
          status_code: int = 200) -> Response:  # fmt: skip
    return render(request, "inspections/list.html",
                  {"rows": _assigned(db, user), "errors": errors},
                  title="Inspections", status_code=status_code)  # fmt: skip


@router.get("/inspections")
def inspections_page(request: Request, user: CurrentUser, db: Db) -> Response:
    return _page(request, db, user, {})


@router.post("/inspections/{inspection_id}/record")
async def record(request: Request, inspection_id: str, user: CurrentUser, db: Db) -> Response:
    form = await request.form()
    counts: dict[str, int] = {}
    evidence = [str(v).strip() for v in form.getlist("evidence") if str(v).strip()]
    try:
        for key, value in form.items():
            if key.startswith("defects_"):
                text = str(value).strip() or "0"
                if not text.isdigit():
                    raise InputError(f"{text!r} is not a count of defects", field=key,
                                     hint="a whole number, 0 when none")  # fmt: skip
                counts[key.removeprefix("defects_")] = int(text)
        reason = str(form.get("reason") or "").strip() or None
        services.record_inspection(db, user.principal, inspection_id, counts,
                                   evidence_sha256=evidence, reason=reason)  # fmt: skip
    except FabnetError as error:
        if error.http_status == 404:
            raise
        field = getattr(error, "field", None) or (
            "reason" if "reason" in error.message else "evidence"
        )
        message = error.message + (f" ({error.hint})" if error.hint else "")
        return _page(request, db, user, {inspection_id: {str(field): message}}, status_code=422)
    return RedirectResponse("/inspections", status_code=303)
