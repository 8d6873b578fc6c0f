"""Listings fit 80 columns without cutting what a user copies: full ids, names wrapped rather
than cut, ``-q`` for the ids alone and ``--wide`` for every column (run at COLUMNS=80)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.design import Design
from fabnet.domain.identity import OrgKind
from fabnet.services.identity import accounts as identity
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository

LONG_NAME = "Kisumu Community Fabrication and Repair Laboratory for Medical Devices"


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    from fabnet.cli import _common

    monkeypatch.setattr(_common.console, "_width", 80)


def _orgs(db: Database) -> list[str]:
    return [
        identity.create_organisation(db, name, OrgKind.MANUFACTURER, actor=None).id
        for name in (LONG_NAME, "face-shield headband maker A", "face-shield headband maker B")
    ]


def test_orgs_list_fits_80_columns_with_full_ids_and_names(
    runner: CliRunner, sqlite_env: Database, narrow: None
) -> None:
    ids = _orgs(sqlite_env)
    out = runner.invoke(app, ["orgs", "list"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, out.stdout
    assert "…" not in out.stdout
    for org_id in ids:
        assert any(org_id in line for line in lines)  # on one line, whole
    words = " ".join(out.stdout.split())
    assert "maker A" in words and "maker B" in words  # names that differ at the end differ
    assert all(word in words for word in LONG_NAME.split())


def test_quiet_prints_only_the_ids_and_wide_every_column(
    runner: CliRunner, sqlite_env: Database, narrow: None
) -> None:
    ids = _orgs(sqlite_env)
    quiet = runner.invoke(app, ["orgs", "list", "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout.splitlines() == ids
    assert "kind" not in runner.invoke(app, ["orgs", "list"]).stdout
    wide = runner.invoke(app, ["orgs", "list", "--wide"])
    assert "kind" in wide.stdout and "manufacturer" in wide.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["designs", "list"],
        ["facilities", "list"],
        ["orders", "list"],
        ["users", "list"],
        ["tokens", "list"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_listing_takes_quiet_and_wide(
    runner: CliRunner, sqlite_env: Database, narrow: None, command: list[str]
) -> None:
    for flag in ("-q", "--wide"):
        result = runner.invoke(app, [*command, flag])
        assert result.exit_code == 0, result.output


def test_design_ids_and_a_cursor_are_never_cut(
    runner: CliRunner, sqlite_env: Database, narrow: None
) -> None:
    with sqlite_env.transaction() as session:
        repo = DesignRepository(session)
        for i in range(3):
            repo.add_or_replace(
                Design(id=f"4a88c3ec-91a5-5994-a920-80bf446fd8{i:02d}", name=f"{LONG_NAME} {i}")
            )
    out = runner.invoke(app, ["designs", "list", "--limit", "2"])
    assert out.exit_code == 0, out.output
    table, more = out.stdout.splitlines()[:-1], out.stdout.splitlines()[-1]
    assert max(len(line) for line in table) <= 80
    assert sum("4a88c3ec-91a5-5994-a920-80bf446fd8" in line for line in table) == 2
    assert more.startswith("more: fabnet designs list --cursor ")  # the cursor on that line
    page = runner.invoke(app, ["designs", "list", "--cursor", more.split()[-1], "-q"])
    assert page.stdout.splitlines() == ["4a88c3ec-91a5-5994-a920-80bf446fd802"]
