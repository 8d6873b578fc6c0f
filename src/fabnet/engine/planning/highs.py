"""One way to create a HiGHS instance: silently.

HiGHS prints a copyright banner on standard output the first time a ``Highs`` object is made in a
process, before any option can be set. That banner would corrupt ``fabnet plan --json`` (and any
adapter writing to stdout), so the first construction runs with file descriptor 1 pointed at
/dev/null.
"""

from __future__ import annotations

import os
import sys
import threading

import highspy

_LOCK = threading.Lock()
_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A ``Highs`` instance with output switched off, the banner swallowed."""
    global _BANNER_SHOWN
    with _LOCK:
        if _BANNER_SHOWN:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h
