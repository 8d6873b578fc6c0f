"""The outbox: background jobs recorded in the caller's transaction and dispatched after commit.

It sits below ``services`` (which submit jobs through :func:`fabnet.outbox.queue.submit`) and above
``storage`` (the ``jobs`` table). It imports no service and no adapter: the handlers that jobs run
live in the ``fabnet.jobs`` adapter (webhook delivery, housekeeping), which registers them with
:func:`fabnet.outbox.registry.job_handler`; :data:`fabnet.outbox.registry.BUILTIN_HANDLER_MODULES`
names them so every runner (in-process or a Celery worker) loads the same set.

Modules: ``queue`` (submit, the in-process and Celery runners, the process-wide queue),
``execution`` (one attempt of a recorded job), ``registry`` (named handlers), ``retry`` (backoff),
``celery_app`` (the Celery task, imported only with the celery backend).
"""
