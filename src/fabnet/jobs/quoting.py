"""The instant quote in the background (``quotes.instant``): slice, match and price a design or
an uploaded part (:func:`fabnet.services.sourcing.instant_quote.run_instant_quote`).

Submitted by :func:`~fabnet.services.sourcing.instant_quote.start_instant_quote` (the web's
instant-quote page). One attempt: a quote that fails does so again for the same reason; a
problem the buyer can fix is the job's result (``{"error": ...}``), said on the page.
"""

from __future__ import annotations

from typing import Any

from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.platform.database import open_file_store
from fabnet.services.sourcing.instant_quote import QUOTE_JOB, quote_job_result


@job_handler(QUOTE_JOB, max_attempts=1)
def instant_quote(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    return quote_job_result(
        context.db,
        payload,
        store=open_file_store(context.settings),
        slicer_path=context.settings.slicer_path,
        progress=context.report_progress,
    )
