"""Every paged ``--json`` list of the CLI has the API's one page shape, and pages the same way."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.design import Design
from fabnet.domain.identity import OrgKind
from fabnet.services.identity import accounts as identity
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository

LISTS = [
    ["designs", "list"],
    ["facilities", "list"],
    ["orders", "list"],
    ["orgs", "list"],
    ["users", "list"],
    ["tokens", "list"],
]


@pytest.mark.parametrize("command", LISTS, ids=lambda c: " ".join(c))
def test_every_list_answers_one_page_shape(
    runner: CliRunner, sqlite_env: Database, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--json"])
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert set(page) == {"items", "next_cursor"} and isinstance(page["items"], list)


@pytest.mark.parametrize("command", LISTS, ids=lambda c: " ".join(c))
def test_every_list_refuses_a_page_larger_than_the_api_allows(
    runner: CliRunner, sqlite_env: Database, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--limit", "201"])
    assert result.exit_code == 2
    assert "--limit" in result.output and "200" in result.output


def test_designs_page_through_the_cursor(runner: CliRunner, sqlite_env: Database) -> None:
    with sqlite_env.transaction() as session:
        repo = DesignRepository(session)
        for i in range(5):
            repo.add_or_replace(Design(id=f"d{i}", name=f"Design {i}"))
    first = json.loads(runner.invoke(app, ["designs", "list", "--limit", "3", "--json"]).stdout)
    assert [d["id"] for d in first["items"]] == ["d0", "d1", "d2"]
    second_run = runner.invoke(
        app, ["designs", "list", "--limit", "3", "--cursor", first["next_cursor"], "--json"]
    )
    second = json.loads(second_run.stdout)
    assert [d["id"] for d in second["items"]] == ["d3", "d4"] and second["next_cursor"] is None
    table = runner.invoke(app, ["designs", "list", "--limit", "3"])
    assert f"fabnet designs list --cursor {first['next_cursor']}" in table.stdout


def test_organisations_page_through_the_cursor(runner: CliRunner, sqlite_env: Database) -> None:
    for i in range(3):
        identity.create_organisation(sqlite_env, f"Lab {i}", OrgKind.MANUFACTURER, actor=None)
    first = json.loads(runner.invoke(app, ["orgs", "list", "--limit", "2", "--json"]).stdout)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = runner.invoke(app, ["orgs", "list", "--cursor", first["next_cursor"], "--json"])
    names = [o["name"] for o in first["items"] + json.loads(rest.stdout)["items"]]
    assert names == ["Lab 0", "Lab 1", "Lab 2"]


def test_a_cursor_that_is_not_ours_is_refused_at_the_option(
    runner: CliRunner, sqlite_env: Database
) -> None:
    result = runner.invoke(app, ["designs", "list", "--cursor", "not-a-cursor"])
    assert result.exit_code == 2
    assert "cursor" in result.output
