"""A contract's PDF rendered in the background (``contracts.pdf``): WeasyPrint takes a second or
more, so the API answers 202 at once (``services.orders.contracts.start_contract_pdf_job``) and
the PDF is then served from the file store."""

from __future__ import annotations

from typing import Any

from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.orders.contracts import CONTRACT_PDF_JOB, contract_pdf_job_result
from fabnet.services.platform.database import open_file_store


@job_handler(CONTRACT_PDF_JOB, max_attempts=3)
def contract_pdf(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    store = open_file_store(context.settings)
    return dict(contract_pdf_job_result(context.db, payload, store=store))
