"""The one exception tree of fabnet.

Every error that fabnet raises on purpose derives from :class:`FabnetError`. Adapters map them:
the CLI prints ``str(error)`` on one line and exits with code 2 for :class:`InputError` (bad input
the user can fix), the API answers RFC 9457 problem+json with the status in ``http_status``.
Anything else escaping a service is a bug.
"""

from __future__ import annotations


class FabnetError(Exception):
    """Base of every error fabnet raises on purpose."""

    http_status: int = 500
    title: str = "fabnet error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(FabnetError):
    """Input that the user can fix: a file, a field, a parameter. CLI exit code 2, HTTP 422."""

    http_status = 422
    title = "Invalid input"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.source = source
        self.field = field

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.source, self.field) if p)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class ManifestError(InputError):
    """An OKH or OKW record that cannot become a Design or Facility."""

    title = "Invalid manifest"


class UnknownTermError(InputError):
    """A process, material or tolerance term that no vocabulary knows."""

    title = "Unknown term"


class AmbiguousPlaceError(InputError):
    """A place name that matches several places; the message lists the candidates."""

    title = "Ambiguous place"

    def __init__(self, message: str, *, candidates: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.candidates = candidates


class UnknownPlaceError(InputError):
    title = "Unknown place"


class FileTooLargeError(InputError):
    http_status = 413
    title = "File too large"


class NotFoundError(FabnetError):
    http_status = 404
    title = "Not found"


class AmbiguousIdError(InputError):
    """An id prefix that matches several objects."""

    title = "Ambiguous id"


class ConflictError(FabnetError):
    """The object changed meanwhile, or the request repeats one with different content."""

    http_status = 409
    title = "Conflict"


class StaleVersionError(ConflictError):
    """The object is no longer at the version the caller based its change on. The API answers
    412 when the version came from ``If-Match``, 409 when it came from the body."""


class PreconditionFailedError(FabnetError):
    http_status = 412
    title = "Precondition failed"


class AuthenticationError(FabnetError):
    http_status = 401
    title = "Not authenticated"


class PermissionDeniedError(FabnetError):
    http_status = 403
    title = "Permission denied"


class TransitionError(FabnetError):
    """A life-cycle transition that the state machine or its guard refuses."""

    http_status = 409
    title = "Transition not allowed"


class InfeasibleError(FabnetError):
    """An order that cannot be planned; the message names the cause."""

    http_status = 422
    title = "Infeasible"


class ExternalToolError(FabnetError):
    """A tool fabnet runs (PrusaSlicer, OpenSCAD) failed in a way the input does not explain."""

    http_status = 502
    title = "External tool failed"


class ConfigurationError(FabnetError):
    title = "Configuration error"
