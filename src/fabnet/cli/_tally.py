"""Progress bar and final tally table of ``designs import`` and ``facilities import``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fabnet.cli._common import EXIT_INPUT, console, emit_json, err_console, fail
from fabnet.services.catalogue.records import ImportProgress, ImportTally

MAX_LISTED_WARNINGS = 20


def progress_bar() -> tuple[AbstractContextManager[Progress], Callable[[ImportProgress], None]]:
    """A Rich progress bar on stderr and the callback that advances it."""
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    task = progress.add_task("import", total=None)

    def advance(step: ImportProgress) -> None:
        progress.update(task, completed=step.done, total=step.total)

    return progress, advance


def report(tally: ImportTally, *, kind: str, json_output: bool, extra: dict[str, int]) -> None:
    """Print the tally; exit 2 when nothing could be imported.

    A failed import prints nothing on stdout (not even with ``--json``) and one error line that
    says why, quoting the refusal of the only (or first) refused file.
    """
    if tally.imported == 0:
        raise fail(_nothing_imported(tally, kind), EXIT_INPUT)
    if json_output:
        emit_json(
            {
                "created": tally.created,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "refused": tally.refused,
                "warnings": [str(w) for w in tally.warnings],
                "files_read": tally.files_read,
                **extra,
            }
        )
        return
    table = Table(title=f"{kind} import", show_header=True)
    table.add_column("result")
    table.add_column("count", justify="right")
    for label, count in (
        ("created", len(tally.created)),
        ("updated", len(tally.updated)),
        ("unchanged", len(tally.unchanged)),
        ("refused files", len(tally.refused)),
        ("warnings", len(tally.warnings)),
        *extra.items(),
    ):
        table.add_row(label.replace("_", " "), str(count))
    console.print(table)
    for warning in tally.warnings[:MAX_LISTED_WARNINGS]:
        err_console.print(f"[yellow]warning:[/yellow] {escape(str(warning))}", soft_wrap=True)
    if len(tally.warnings) > MAX_LISTED_WARNINGS:
        more = len(tally.warnings) - MAX_LISTED_WARNINGS
        err_console.print(f"[yellow]... and {more} more warnings (see --json)[/yellow]")
    for refused in tally.refused:
        err_console.print(f"[red]refused:[/red] {escape(refused.message)}", soft_wrap=True)


def _nothing_imported(tally: ImportTally, kind: str) -> str:
    if not tally.refused:
        return f"nothing imported: no {kind.lower()} files found"
    first = tally.refused[0].message
    if len(tally.refused) == 1:
        return f"nothing imported: {first}"
    others = len(tally.refused) - 1
    return (
        f"nothing imported: all {len(tally.refused)} files refused; the first: {first} "
        f"(and {others} more; import them one by one to see each reason)"
    )
