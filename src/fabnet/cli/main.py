"""The ``fabnet`` command: a root app with one sub-app or command module per area.

To add an area, write ``fabnet/cli/<area>.py`` with a ``register(app: typer.Typer) -> None``
function and add its module name to :data:`COMMAND_MODULES` (one line).
"""

from __future__ import annotations

import importlib

import typer

from fabnet.cli._common import OneLineErrorsGroup

COMMAND_MODULES: list[str] = [
    "fabnet.cli.db",
    "fabnet.cli.demo",
    "fabnet.cli.designs",
    "fabnet.cli.facilities",
    "fabnet.cli.places",
    "fabnet.cli.taxonomy",
    "fabnet.cli.identity",
    "fabnet.cli.serve",
    "fabnet.cli.orders",
    "fabnet.cli.contracts",
    "fabnet.cli.audit",
    "fabnet.cli.plan",
    "fabnet.cli.match",
    "fabnet.cli.quote",
    "fabnet.cli.variants",
]

app = typer.Typer(
    name="fabnet",
    help="Distributed manufacturing: OKH designs, OKW facilities, matching, planning, orders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    cls=OneLineErrorsGroup,
)


def _register_all() -> None:
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.register(app)


_register_all()


if __name__ == "__main__":
    app()
