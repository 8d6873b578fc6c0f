"""The inspector's pages.

``/inspections``: the lots assigned to the inspection body (assignment is possible at any state
before the result, so a lot assigned after submission is here with its open task) and the first
articles waiting for review. ``/inspections/{id}``: one inspection's ISO 2859-1 plan (lot size ->
code letter, sample size, Ac/Re per defect class) and the per-sample form: each defect found is a
row with the sample's number, its defect class, a note and a photo; the counts per class follow
from the rows and the decision from the counts (previewed while the form is filled in, decided by
the service when recorded). ``/inspections/lots/{lot_id}/first-article``: approve or reject a
submitted first article with photo and measurement files, when the buyer delegated that decision
to the inspector (otherwise the page says the buyer decides, and a review is refused with 403).
Another organisation's inspection or lot answers 404 (the services decide)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from fabnet.domain.orders.aql import DefectClass, InspectionResult, evaluate_classes
from fabnet.domain.orders.states import LotState
from fabnet.errors import FabnetError, InputError, NotFoundError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import is_htmx, render
from fabnet.web.uploads import store_upload, stored_files

router = APIRouter()

DEFAULT_ROWS = 5
MAX_ROWS = 200


def _assigned(db: Db, user: CurrentUser) -> list[dict[str, Any]]:
    # one read snapshot for the page; each order's lots read ahead (not a few queries per lot)
    with services.read_snapshot(db):
        return _assigned_rows(db, user)


def _assigned_rows(db: Db, user: CurrentUser) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = services.list_orders(db, user.principal, limit=200, cursor=cursor)
        for order in page.items:
            services.preload_lot_views(db, user.principal, order.id)
            for lot in services.list_lots(db, user.principal, order.id):
                if lot.inspector_org_id != user.principal.org_id:
                    continue
                tasks = services.lot_inspections(db, user.principal, lot.id)
                rows.append(
                    {
                        "lot": lot,
                        "order": order,
                        "tasks": tasks,
                        "first_article": _first_article(db, user, lot),
                        "approval": services.prototype_approval(db, user.principal, lot.id),
                    }
                )
        if not page.next_cursor:
            return rows
        cursor = page.next_cursor


def _first_article(db: Db, user: CurrentUser, lot: Any) -> dict[str, Any] | None:
    """The files of the lot's latest first-article submission, when one waits for review."""
    if lot.state is not LotState.PROTOTYPE_SUBMITTED:
        return None
    history = services.lot_history(db, user.principal, lot.id)
    submitted = [t for t in history if t.action == "submit_prototype"]
    digests = submitted[-1].evidence_sha256 if submitted else ()
    return {"files": [_file(db, d) for d in digests], "attempt": len(submitted)}


def _file(db: Db, digest: str) -> dict[str, Any]:
    try:
        stored = services.get_stored_file(db, digest)
    except NotFoundError:
        return {"sha256": digest, "name": "", "size": None}
    return {"sha256": digest, "name": stored.original_name or "", "size": stored.size_bytes}


def _message(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.get("/inspections")
def inspections_page(request: Request, user: CurrentUser, db: Db) -> Response:
    return _list(request, db, user, {})


def _list(
    request: Request,
    db: Db,
    user: CurrentUser,
    errors: dict[str, dict[str, str]],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "inspections/list.html",
        {"rows": _assigned(db, user), "errors": errors},
        title="Inspections",
        status_code=status_code,
    )


# --- one inspection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectRow:
    """One defect found: which sample unit, its class, what it is, the photo's SHA-256."""

    sample: int
    defect_class: DefectClass
    note: str
    photo: str | None


def _row_count(value: str | None) -> int:
    try:
        return max(1, min(MAX_ROWS, int(value or DEFAULT_ROWS)))
    except ValueError:
        return DEFAULT_ROWS


def _inspection_context(db: Db, user: CurrentUser, inspection_id: str, rows: int) -> dict[str, Any]:
    task = services.get_inspection(db, user.principal, inspection_id)
    lot = services.get_lot(db, user.principal, task.lot_id)
    order = services.get_order(db, user.principal, lot.order_id)
    defects = [] if task.result is None else _recorded_defects(task.result)
    return {
        "t": task,
        "lot": lot,
        "order": order,
        "rows": rows,
        "errors": {},
        "form": {},
        "decision": None,
        "recorded_defects": defects,
        "evidence": [_file(db, d) for d in (task.result or {}).get("evidence_sha256", [])],
    }


def _recorded_defects(result: dict[str, Any]) -> list[dict[str, str]]:
    measured = result.get("measurements", {})
    out = []
    k = 1
    while f"defect.{k}.class" in measured:
        out.append(
            {
                f: str(measured.get(f"defect.{k}.{f}", ""))
                for f in ("sample", "class", "note", "photo")
            }
        )
        k += 1
    return out


@router.get("/inspections/{inspection_id}")
def inspection_page(
    request: Request, inspection_id: str, user: CurrentUser, db: Db, rows: str | None = None
) -> Response:
    context = _inspection_context(db, user, inspection_id, _row_count(rows))
    return render(
        request, "inspections/page.html", context, title=f"Inspection {inspection_id[:8]}"
    )


def _parse_rows(
    form: FormData, plans: dict[DefectClass, Any]
) -> tuple[list[tuple[int, DefectClass, str, UploadFile | None]], dict[str, str]]:
    """The filled-in defect rows (a row without a sample number is empty) and field errors."""
    found: list[tuple[int, DefectClass, str, UploadFile | None]] = []
    errors: dict[str, str] = {}
    for i in range(MAX_ROWS):
        if f"sample_{i}" not in form:
            continue
        text = str(form.get(f"sample_{i}") or "").strip()
        upload = form.get(f"photo_{i}")
        photo = upload if isinstance(upload, UploadFile) and upload.filename else None
        note = str(form.get(f"note_{i}") or "").strip()
        if not text:
            if note or photo:
                errors[f"sample_{i}"] = "which sample unit? give its number"
            continue
        cls_text = str(form.get(f"class_{i}") or "")
        try:
            cls = DefectClass(cls_text)
        except ValueError:
            errors[f"class_{i}"] = f"{cls_text!r} is not a defect class of this plan"
            continue
        if cls not in plans:
            errors[f"class_{i}"] = f"the plan has no {cls.value} class"
            continue
        size = plans[cls].sample_size
        if not text.isdigit() or not 1 <= int(text) <= size:
            errors[f"sample_{i}"] = (
                f"{text!r}: {cls.value} defects are counted on samples 1 to {size} "
                f"(the {cls.value} plan draws {size} units)"
            )
            continue
        found.append((int(text), cls, note, photo))
    return found, errors


def _counts(plans: dict[DefectClass, Any], defects: list[Any]) -> dict[DefectClass, int]:
    counts = dict.fromkeys(plans, 0)
    for d in defects:
        counts[d[1]] += 1
    return counts


def _decision(plans: dict[DefectClass, Any], counts: dict[DefectClass, int]) -> InspectionResult:
    return evaluate_classes(plans, counts)


@router.post("/inspections/{inspection_id}/decision")
async def decision_preview(
    request: Request, inspection_id: str, user: CurrentUser, db: Db
) -> Response:
    """The decision the rows filled in so far would give (nothing is recorded)."""
    form = await request.form()
    context = _inspection_context(db, user, inspection_id, _row_count(str(form.get("rows"))))
    defects, errors = _parse_rows(form, context["t"].plans)
    context.update(
        errors=errors, decision=_decision(context["t"].plans, _counts(context["t"].plans, defects))
    )
    return render(request, "inspections/_decision.html", context)


@router.post("/inspections/{inspection_id}/record")
async def record(request: Request, inspection_id: str, user: CurrentUser, db: Db) -> Response:
    form = await request.form()
    context = _inspection_context(db, user, inspection_id, _row_count(str(form.get("rows"))))
    task = context["t"]
    defects, errors = _parse_rows(form, task.plans)
    counts = _counts(task.plans, defects)
    context.update(
        form={k: str(v) for k, v in form.items() if isinstance(v, str)},
        decision=_decision(task.plans, counts),
    )
    if errors:
        context["errors"] = errors
        return render(
            request,
            "inspections/page.html",
            context,
            status_code=422,
            title=f"Inspection {inspection_id[:8]}",
        )
    try:
        measurements: dict[str, str | int] = {}
        photos: list[str] = []
        for k, (sample, cls, note, upload) in enumerate(sorted(defects, key=lambda d: d[0]), 1):
            measurements[f"defect.{k}.sample"] = sample
            measurements[f"defect.{k}.class"] = cls.value
            measurements[f"defect.{k}.note"] = note
            if upload is not None:
                digest = await store_upload(request, upload, "photo")
                if digest:
                    measurements[f"defect.{k}.photo"] = digest
                    photos.append(digest)
        evidence = [*await stored_files(request, form, "evidence"), *photos]
        accepted_text = str(form.get("accepted_quantity") or "").strip()
        if accepted_text and not accepted_text.isdigit():
            raise InputError(f"{accepted_text!r} is not a quantity", field="accepted_quantity")
        reason = str(form.get("reason") or "").strip() or None
        services.record_inspection(
            db,
            user.principal,
            inspection_id,
            {c.value: n for c, n in counts.items()},
            evidence_sha256=evidence,
            measurements=measurements,
            reason=reason,
            accepted_quantity=int(accepted_text) if accepted_text else None,
        )
    except FabnetError as error:
        if error.http_status == 404:
            raise
        field = _field_of(error)
        context["errors"] = {field: _message(error)}
        return render(
            request,
            "inspections/page.html",
            context,
            status_code=422,
            title=f"Inspection {inspection_id[:8]}",
        )
    return RedirectResponse(f"/inspections/{inspection_id}", status_code=303)


def _field_of(error: FabnetError) -> str:
    field = str(getattr(error, "field", None) or "")
    if field.startswith("evidence") or getattr(error, "source", None) == "evidence":
        return "evidence"
    if field in ("accepted_quantity", "reason", "photo"):
        return field
    return "reason" if "reason" in error.message else "evidence"


# --- first article -------------------------------------------------------------------------------


@router.post("/inspections/lots/{lot_id}/first-article")
async def review_first_article(
    request: Request, lot_id: str, user: CurrentUser, db: Db
) -> Response:
    """Approve or reject the submitted first article: photos and measurements are evidence."""
    form = await request.form()
    services.get_lot(db, user.principal, lot_id)  # another organisation's lot: 404
    decision = str(form.get("decision") or "")
    try:
        if decision not in ("approve", "reject"):
            raise InputError("choose approve or reject", field="decision")
        evidence = await stored_files(request, form, "evidence")
        reason = str(form.get("reason") or "").strip() or None
        services.review_prototype(
            db,
            user.principal,
            lot_id,
            approve=decision == "approve",
            evidence_sha256=evidence,
            reason=reason,
        )
    except FabnetError as error:
        if error.http_status == 404:
            raise
        refused = error.http_status == 403 or decision not in ("approve", "reject")
        field = "decision" if refused else _field_of(error)
        errors = {lot_id: {field: _message(error)}}
        status = 403 if error.http_status == 403 else 422  # not delegated to this inspector
        if is_htmx(request):
            return Response(_message(error), status_code=status)
        return _list(request, db, user, errors, status_code=status)
    return RedirectResponse("/inspections", status_code=303)
