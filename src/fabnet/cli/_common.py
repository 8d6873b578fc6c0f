"""What every fabnet command shares: error handling, JSON output, consoles, the database.

Build sub-apps with :func:`new_app` (every command it registers goes through
:func:`handle_errors`), print machine output with :func:`emit_json`, open the database with
:func:`open_db`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import NoArgsIsHelpError
from typer.core import TyperGroup
from typer.models import CommandFunctionType

from fabnet.errors import FabnetError, InputError, NotFoundError

if TYPE_CHECKING:  # the database layer (SQLAlchemy, Alembic) is imported when first used
    from fabnet.storage.db import Database

P = ParamSpec("P")
R = TypeVar("R")

#: Exit code for input the user can fix (bad file, unknown id, unknown term).
EXIT_INPUT = 2
#: Exit code for other deliberate failures (configuration, external tools, conflicts).
EXIT_FAILURE = 1

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON on stdout (nothing else).")


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print ``message`` as one red line on stderr; return the Exit to raise."""
    err_console.print(f"[red]error:[/red] {escape(_one_line(message))}", soft_wrap=True)
    return typer.Exit(code)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn fabnet's own errors into one red line on stderr and an exit code, never a traceback.

    InputError (and its subclasses: AmbiguousIdError, ManifestError, ...) and NotFoundError exit
    with 2; other FabnetErrors with 1. Anything else is a bug and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (InputError, NotFoundError) as exc:
            raise fail(str(exc), EXIT_INPUT) from None
        except FabnetError as exc:
            raise fail(str(exc), EXIT_FAILURE) from None

    return wrapper


def usage_error_line(exc: typer.TyperException) -> str:
    """A usage error of the command-line parser (bad option value, unknown command, missing
    argument) as one line that names the problem and where to read the usage."""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None)
    message = _one_line(exc.format_message())
    return f"{message} (see `{path} --help`)" if path else message


class OneLineErrorsGroup(TyperGroup):
    """The root group: the parser's usage errors become one red line and exit code 2, like
    fabnet's own errors, instead of a usage box. ``fabnet`` alone still prints the help."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise
        except typer.TyperException as exc:
            raise fail(usage_error_line(exc), exc.exit_code) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except typer.TyperException as exc:
            raise fail(usage_error_line(exc), exc.exit_code) from None


class FabnetTyper(typer.Typer):
    """A Typer app whose commands all go through :func:`handle_errors`."""

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        register = super().command(name, **kwargs)

        def decorator(func: CommandFunctionType) -> CommandFunctionType:
            register(handle_errors(func))
            return func

        return decorator


def new_app(help: str, **kwargs: Any) -> FabnetTyper:
    """A sub-app (``fabnet designs ...``) with fabnet's error handling and no shell completion."""
    return FabnetTyper(help=help, no_args_is_help=True, add_completion=False, **kwargs)


def to_jsonable(value: Any) -> Any:
    """Pydantic models, dataclasses, enums, paths and dates as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def emit_json(value: Any) -> None:
    """Write ``value`` as JSON on stdout (plain text: no colours, no wrapping)."""
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


LIMIT_OPTION_HELP = "Items per page (1-200)."
CURSOR_OPTION_HELP = "Continue with the next_cursor of the previous page."


def cursor_option() -> Any:
    """``--cursor``: every paged list continues the same way."""
    return typer.Option(None, "--cursor", help=CURSOR_OPTION_HELP)


def limit_option(default: int = 50) -> Any:
    """``--limit``: every paged list takes 1-200 items per page, like the API."""
    return typer.Option(default, "--limit", min=1, max=200, help=LIMIT_OPTION_HELP)


def emit_page(items: Sequence[Any], next_cursor: str | None) -> None:
    """A page as ``--json`` output: ``{"items": [...], "next_cursor": ...}``, the API's shape."""
    emit_json({"items": list(items), "next_cursor": next_cursor})


WIDE_OPTION = typer.Option(False, "--wide", help="Show every column (wider than 80 columns).")
QUIET_OPTION = typer.Option(False, "-q", "--quiet", help="Print only the ids, one per line.")


@dataclasses.dataclass(frozen=True)
class Column:
    """A column of a listing; ``wide`` columns show only with ``--wide``."""

    header: str
    wide: bool = False


def print_list(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], *, wide: bool, quiet: bool
) -> None:
    """A listing whose first column is the id: with ``quiet`` the ids alone, one per line (for
    scripts); otherwise a borderless table in which ids are never cut (other cells wrap, never
    end in an ellipsis), so it fits 80 columns without ``wide``. Cells are plain text."""
    if quiet:
        for row in rows:
            sys.stdout.write(row[0] + "\n")
        return
    from rich import box
    from rich.table import Table

    shown = [i for i, column in enumerate(columns) if wide or not column.wide]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for position, i in enumerate(shown):
        if position == 0:
            id_width = max([len(columns[i].header), *(len(row[i]) for row in rows)])
            table.add_column(columns[i].header, no_wrap=True, min_width=id_width)
        else:
            table.add_column(columns[i].header, overflow="fold")
    for row in rows:
        table.add_row(*(escape(row[i]) for i in shown))
    console.print(table)


def format_amount(value: float, code: str, *, grouped: bool = False) -> str:
    """An amount with as many decimals as the currency has (12.3456 EUR -> ``"12.35 EUR"``,
    1234.5 JPY -> ``"1235 JPY"``, 1.2345 KWD -> ``"1.235 KWD"``), rounded half up;
    ``grouped``: thousands separated (``"12,345.68 EUR"``)."""
    return f"{format_number(value, code, grouped=grouped)} {code.upper()}"


def format_number(value: float, code: str, *, grouped: bool = False) -> str:
    """The number of :func:`format_amount` without the currency code (for a table whose header
    names the currency)."""
    from decimal import ROUND_HALF_UP, Decimal

    from fabnet.domain.orders.currency import exponent

    places = exponent(code)
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{rounded:{',' if grouped else ''}.{places}f}"


def print_more(next_cursor: str | None, command: str) -> None:
    """Tell how to get the next page of a table."""
    if next_cursor:  # written as one line, never wrapped, so the cursor can be copied whole
        console.file.write(f"more: {command} --cursor {next_cursor}\n")


def open_db() -> Database:
    """The database from ``FABNET_*`` settings.

    The embedded SQLite default is migrated on the fly; a configured database
    (``FABNET_DATABASE_URL``) must be at the newest schema (``fabnet db upgrade``).
    """
    from fabnet.services.platform.database import open_database
    from fabnet.settings import get_settings

    settings = get_settings()
    new_file = (
        settings.data_dir / "fabnet.db"
        if settings.database_url is None and not (settings.data_dir / "fabnet.db").exists()
        else None
    )
    db = open_database(settings)
    if new_file is not None:
        err_console.print(f"created a new database at {escape(str(new_file))}", soft_wrap=True)
    return db


def path_argument(value: str | Path) -> Path:
    """A file or folder argument; an empty string is refused (it would mean the current folder)."""
    if not str(value).strip():
        raise typer.BadParameter("give a path, not an empty string")
    return Path(value)


def check_output_path(output: Path | None, option: str) -> None:
    """Refuse an output file that cannot be written, before any work is done or stored."""
    if output is None or str(output) == "-":
        return
    if not str(output).strip() or output.is_dir():
        raise InputError("is a folder; give a file name", source=str(output), field=option)
    if not output.parent.is_dir():
        raise InputError(
            f"the folder {str(output.parent)!r} does not exist", source=str(output), field=option
        )


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to stdout when it is None or ``-``."""
    if output is None or str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", source=str(output)) from exc
    err_console.print(f"wrote {escape(str(output))}")
