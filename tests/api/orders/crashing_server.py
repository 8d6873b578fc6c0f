"""An API server that kills itself (SIGKILL: no clean-up, as a crash or ``kill -9``) at the commit
of the transaction that stores an idempotent request's response: ``before_commit`` (the change
and the response never commit) or ``after_commit`` (both committed, no response sent).

    python tests/api/orders/crashing_server.py PORT before_commit|after_commit

reads the ``FABNET_*`` settings (database, data folder, secret key) from the environment.
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn
from sqlalchemy import event
from sqlalchemy.orm import Session

from fabnet.server import create_app
from fabnet.services.platform.idempotency import COMPLETION_MARK
from fabnet.settings import Settings


def _crash(session: Session) -> None:
    # before_commit and after_commit also fire for savepoints: only the real commit counts
    if COMPLETION_MARK in session.info and not session.in_nested_transaction():
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    port, moment = int(sys.argv[1]), sys.argv[2]
    assert moment in ("before_commit", "after_commit")
    event.listen(Session, moment, _crash)
    app = create_app(Settings(), run_jobs=False, web=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
