"""Contracts: read, sign (Ed25519), verify, print as PDF."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from fabnet.api.deps import DbDep, Reader, SettingsDep, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.jobs import JobOut
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.domain.orders.contracts import ContractVerification
from fabnet.services.orders import contracts
from fabnet.services.orders.contracts import ContractView
from fabnet.services.platform.jobs import get_job

router = APIRouter(prefix="/v1/contracts", tags=["contracts"], responses=PROBLEM_RESPONSES)

PDF = "application/pdf"


@router.get("/{contract_id}", response_model=ContractView)
def get_contract(contract_id: str, db: DbDep, principal: Reader) -> ContractView:
    return contracts.get_contract(db, principal, contract_id)


@router.post(
    "/{contract_id}/signatures",
    response_model=ContractView,
    status_code=status.HTTP_201_CREATED,
)
def sign_contract(
    contract_id: str, db: DbDep, settings: SettingsDep, principal: Writer
) -> ContractView:
    """The caller signs the contract's terms hash with their Ed25519 key, as the party they sign
    for. When every party has signed and the escrow is funded, the lot is contracted."""
    return contracts.sign_contract(db, principal, contract_id, settings=settings)


@router.get("/{contract_id}/verification", response_model=ContractVerification)
def verify_contract(contract_id: str, db: DbDep, principal: Reader) -> ContractVerification:
    """The stored terms and every signature checked against the signers' public keys; ``ok``
    is false with every failure named (a tampered contract is an answer, not an error)."""
    return contracts.verify_contract(db, contract_id, actor=principal)


@router.post(
    "/{contract_id}/pdf-jobs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def start_contract_pdf(
    contract_id: str, db: DbDep, principal: Reader, response: Response
) -> JobOut:
    """Render the contract's PDF in the background (WeasyPrint takes a second or more); follow
    the job at its Location, then fetch the PDF at ``result_url`` (served without rendering)."""
    job_id = contracts.start_contract_pdf_job(db, principal, contract_id)
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return JobOut.of(get_job(db, principal, job_id))


@router.get(
    "/{contract_id}/pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "The contract as a PDF"}},
)
def contract_pdf(contract_id: str, db: DbDep, principal: Reader, store: FileStoreDep) -> Response:
    """The contract printed (terms, parties, signatures and the terms' SHA-256)."""
    pdf = contracts.contract_pdf(db, principal, contract_id, store=store)
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="contract-{contract_id}.pdf"'},
    )
