"""``fabnet taxonomy``: the process taxonomy as a tree, or one term resolved."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from fabnet.cli._common import JSON_OPTION, console, emit_json, handle_errors
from fabnet.vocab.processes import get_process_taxonomy


@handle_errors
def taxonomy(
    term: str | None = typer.Argument(
        None, help="A process term to resolve, e.g. fdm or 'laser cutting'."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Print the process taxonomy, or resolve TERM (node, path, aliases); unknown terms exit 2."""
    from fabnet.vocab.render import describe_term, taxonomy_tree_lines  # loaded when used

    if term is not None:
        described = describe_term(term)
        if json_output:
            emit_json(described)
        else:
            _print_description(described)
        return
    lines = list(taxonomy_tree_lines(get_process_taxonomy()))
    if json_output:
        emit_json(
            [
                {"id": node.id, "label": node.label, "parent": node.parent, "depth": depth}
                for depth, node in lines
            ]
        )
        return
    for depth, node in lines:
        console.print(f"{'  ' * depth}{escape(node.id)}  [dim]{escape(node.label)}[/dim]")


def _print_description(described: dict[str, Any]) -> None:
    for key, value in described.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, list | tuple):
            value = " > ".join(map(str, value)) if key == "path" else ", ".join(map(str, value))
        console.print(f"{escape(str(key))}: {escape(str(value))}")


def register(root: typer.Typer) -> None:
    root.command("taxonomy")(taxonomy)
