"""The ``fabnet`` command: a root app with one sub-app or command module per area.

Command modules are imported only when their command runs (``fabnet --help`` imports none of
them: the help lines come from :data:`COMMANDS`). To add an area, write
``fabnet/cli/<area>.py`` with a ``register(app: typer.Typer) -> None`` function and add one
``(name, module, help)`` line per command it registers to :data:`COMMANDS`
(``tests/cli/test_lazy_commands.py`` checks the help lines against the modules).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer._click import Command, Context
from typer.core import TyperCommand
from typer.main import get_group

from fabnet.cli._common import OneLineErrorsGroup

COMMANDS: list[tuple[str, str, str]] = [
    (
        "demo",
        "fabnet.cli.demo",
        "Create a fresh demo database: every fab lab of the fablabs.io snapshot with synthetic"
        " machines, rates and capacity, dozens of synthetic workshops, and the demo designs.",
    ),
    (
        "locate",
        "fabnet.cli.places",
        "Find a place by name: prints name, region, country, latitude and longitude.",
    ),
    (
        "taxonomy",
        "fabnet.cli.taxonomy",
        "Print the process taxonomy, or resolve TERM (node, path, aliases); unknown terms exit 2.",
    ),
    (
        "serve",
        "fabnet.cli.serve",
        "Serve the web interface at / and the REST API at /v1 (OpenAPI at /openapi.json).",
    ),
    (
        "plan",
        "fabnet.cli.plan",
        "Plan an order: who makes how many of each part, where products are assembled, what ships"
        " where and how, with costs, CO2e, lead times and the savings against two baselines.",
    ),
    (
        "quote",
        "fabnet.cli.quote",
        "Hours per unit and material for every part and assembly step; the price with --facility.",
    ),
    (
        "worker",
        "fabnet.cli.worker",
        "Run a Celery worker for fabnet's background jobs (FABNET_REDIS_URL, FABNET_DATABASE_URL).",
    ),
    (
        "db",
        "fabnet.cli.db",
        "The database: migrate it to the newest schema; re-seal secrets after a key rotation.",
    ),
    (
        "designs",
        "fabnet.cli.designs",
        "Open Know-How designs: import manifests, list, show, export.",
    ),
    (
        "facilities",
        "fabnet.cli.facilities",
        "Open Know-Where facilities: import, list, show, export.",
    ),
    (
        "orgs",
        "fabnet.cli.identity",
        "Organisations: buyers, manufacturers, inspection bodies, designers...",
    ),
    ("users", "fabnet.cli.identity", "Users of organisations (each with an Ed25519 signing key)."),
    ("tokens", "fabnet.cli.identity", "API tokens: create (shown once), list, revoke."),
    ("orders", "fabnet.cli.orders", "Orders across many manufacturers: orders, lots, money."),
    ("contracts", "fabnet.cli.contracts", "Contracts: canonical terms, Ed25519 signatures, PDFs."),
    (
        "lots",
        "fabnet.cli.lots",
        "Lots: accept, decline, counter-offer, ship, deliver... as a named user.",
    ),
    (
        "inspections",
        "fabnet.cli.lots",
        "Inspections: assign an inspector, the AQL plan, record the result.",
    ),
    (
        "notifications",
        "fabnet.cli.notifications",
        "Notifications: what other parties did; e-mail them through SMTP.",
    ),
    (
        "audit",
        "fabnet.cli.audit",
        "The audit log: every order, lot, contract and ledger event, hash-chained.",
    ),
    (
        "match",
        "fabnet.cli.match",
        "Match a design to facilities. `fabnet match DESIGN [OPTIONS]` ranks candidates for every"
        " part (options: `fabnet match design --help`); `why-not` explains one facility;"
        " `facility` lists what a facility can make.",
    ),
    (
        "makebuy",
        "fabnet.cli.makebuy",
        "Home cost per unit (filament + energy + printer wear + failures) against retail and the"
        " network; printability on your printer explained as in matching.",
    ),
    (
        "variants",
        "fabnet.cli.variants",
        "Variants of parametric (OpenSCAD) designs: parameters, create, list, export.",
    ),
]
"""``(command name, module registering it, its one-line help)``; the help is what
``fabnet --help`` shows without importing the module."""

_MODULE_OF = {name: module for name, module, _ in COMMANDS}
_HELP_OF = {name: help_text for name, _, help_text in COMMANDS}


def load_module_commands(module_name: str) -> dict[str, Command]:
    """Import one command module and return the click commands its ``register`` adds."""
    module = importlib.import_module(module_name)
    holder = typer.Typer(add_completion=False)
    module.register(holder)
    return dict(get_group(holder).commands)


class LazyCommandsGroup(OneLineErrorsGroup):
    """The root group: lists :data:`COMMANDS` and imports a command's module on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name, _, _ in COMMANDS if name not in eager]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        found = self.commands.get(cmd_name)
        if found is not None or cmd_name not in _MODULE_OF:
            return found
        if self._listing:
            return TyperCommand(cmd_name, help=_HELP_OF[cmd_name])
        for name, command in load_module_commands(_MODULE_OF[cmd_name]).items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="fabnet",
    help="Distributed manufacturing: OKH designs, OKW facilities, matching, planning, orders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    cls=LazyCommandsGroup,
)


@app.callback()
def _root() -> None:
    """Distributed manufacturing: OKH designs, OKW facilities, matching, planning, orders."""


if __name__ == "__main__":
    app()
