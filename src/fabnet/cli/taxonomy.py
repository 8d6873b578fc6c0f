"""``fabnet taxonomy``: the process taxonomy as a tree, or one term resolved."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from fabnet.cli._common import JSON_OPTION, console, emit_json, handle_errors
from fabnet.errors import UnknownTermError
from fabnet.vocab.processes import get_process_taxonomy


@handle_errors
def taxonomy(
    term: str | None = typer.Argument(
        None, help="A process or material term to resolve, e.g. fdm or 'laser cutting'."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Print the process taxonomy, or resolve TERM (node, path, aliases); unknown terms exit 2."""
    from fabnet.vocab.render import describe_term, taxonomy_tree_lines  # loaded when used

    if term is not None:
        described = describe_term(term)
        if described.get("process") is None and described.get("material") is None:
            raise _unknown(term, described.get("suggestions", {}))
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


def _unknown(term: str, suggestions: dict[str, list[str]]) -> UnknownTermError:
    offered = [f"{s} ({kind})" for kind, ids in suggestions.items() for s in ids]
    hint = "did you mean " + ", ".join(offered) + "?" if offered else "run `fabnet taxonomy`"
    return UnknownTermError(
        f"unknown process or material {term!r}", source="taxonomy", field="term", hint=hint
    )


def _print_description(described: dict[str, Any]) -> None:
    for kind in ("process", "material"):
        node = described.get(kind)
        if not node:
            continue
        console.print(f"[bold]{kind}[/bold] {escape(node['id'])}  {escape(node['label'])}")
        console.print(f"  path: {escape(' > '.join(node.get('path_labels') or node['path']))}")
        for key in ("aliases", "children", "tsdc", "fablabs", "wikipedia", "wikidata"):
            values = node.get(key)
            if values:
                console.print(f"  {key}: {escape(', '.join(map(str, values)))}")


def register(root: typer.Typer) -> None:
    root.command("taxonomy")(taxonomy)
