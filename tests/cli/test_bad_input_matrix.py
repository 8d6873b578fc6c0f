"""Bad input at the command line: exit code 2 and one line on stderr that says what to fix.

Never a traceback, never a usage box, nothing on stdout (even with ``--json``), and nothing
written when the command is refused. Each row: the arguments (``{bad}``: a folder of broken
files, ``{design}``/``{facility}``: ids in a small world, ``{order}``: a valid order file) and a
fragment the error line must contain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.errors import AmbiguousIdError
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.services.catalogue.facilities import import_facilities, list_facilities
from fabnet.services.catalogue.records import resolve_id
from fabnet.storage.db import Database
from fabnet.storage.records import RecordRef

CASES: list[tuple[str, list[str], str]] = [
    # Parser errors: one line naming the option and the help to read.
    ("limit zero", ["designs", "list", "--limit", "0"], "'--limit'"),
    ("limit not a number", ["facilities", "list", "--limit", "abc"], "valid integer"),
    ("unknown command", ["bogus"], "No such command 'bogus'"),
    ("unknown subcommand", ["db", "bogus"], "fabnet db --help"),
    ("missing argument", ["designs", "show"], "Missing argument 'ID'"),
    ("port out of range", ["serve", "--port", "70000"], "'--port'"),
    ("unknown log level", ["serve", "--log-level", "bogus"], "unknown log level 'bogus'"),
    # Files that cannot be imported: the reason of the refused file is on the one line.
    ("missing file", ["designs", "import", "{bad}/nope.toml"], "nope.toml: no such file"),
    ("missing file --json", ["designs", "import", "{bad}/nope.toml", "--json"], "no such file"),
    ("empty path", ["designs", "import", ""], "not an empty string"),
    ("empty facility path", ["facilities", "import", ""], "not an empty string"),
    ("malformed YAML", ["designs", "import", "{bad}/bad.yaml"], "(line 2, column 6)"),
    ("binary manifest", ["designs", "import", "{bad}/garbage.toml", "--json"], "not UTF-8"),
    ("binary CSV", ["facilities", "import", "{bad}/garbage.csv"], "CSV is not UTF-8"),
    ("malformed OKW", ["facilities", "import", "{bad}/bad.yaml"], "not valid YAML"),
    ("two bad files", ["designs", "import", "{bad}/bad.yaml", "{bad}/nope.toml"], "2 files"),
    # Unknown values are refused, not answered with an empty page.
    ("unassigned country", ["facilities", "list", "--country", "XX"], "unknown country 'XX'"),
    ("unknown org", ["users", "list", "--org", "nonexistent"], "no organisation"),
    ("empty id", ["facilities", "show", ""], "give a facility id"),
    # Output files are checked before any work is done.
    ("export to folder", ["designs", "export", "{design}", "-o", "{bad}"], "is a folder"),
    ("export to no folder", ["designs", "export", "{design}", "-o", "{bad}/x/y.toml"], "exist"),
    ("pdf to folder", ["contracts", "pdf", "any", "--output", "{bad}"], "is a folder"),
    ("geojson to folder", ["plan", "{order}", "--geojson", "{bad}"], "is a folder"),
    # Order files and planner options.
    ("order is a folder", ["plan", "{bad}"], "is a folder"),
    ("order malformed", ["plan", "{bad}/bad.yaml", "--json"], "(line 2, column 6)"),
    ("order binary", ["plan", "{bad}/garbage.toml"], "not UTF-8"),
    ("order empty path", ["plan", ""], "not an empty string"),
    ("order huge demand", ["plan", "{bad}/huge.yaml"], "0 to 1,000,000,000 units"),
    ("pinned and excluded", ["plan", "{bad}/pinned.yaml"],
     "both pinned (matching.pin_facilities) and excluded"),
    ("CO2 price NaN", ["plan", "{order}", "--co2-price", "nan"], "finite"),
    ("time limit inf", ["plan", "{order}", "--time-limit", "inf", "--json"], "finite"),
    # Designs given as paths, and quantities.
    ("design is a folder", ["quote", "{bad}"], "is a folder"),
    ("design empty", ["quote", ""], "give a design id"),
    ("design path missing", ["match", "./missing/okh.toml"], "no such file"),
    ("design path broken", ["quote", "{bad}/bad.yaml"], "bad.yaml: not valid YAML"),
    ("huge quote qty", ["quote", "{design}", "--qty", "99999999999999999999"], "at most"),
    ("huge match qty", ["match", "{design}", "--qty", "2000000000", "--json"], "at most"),
    ("huge reverse qty", ["match", "facility", "{facility}", "--qty", "2000000000"], "at most"),
]


@pytest.fixture
def world(sqlite_env: Database, data_dir: Path, tmp_path: Path) -> dict[str, str]:
    """One design, a few facilities, a folder of broken files and a valid order file."""
    import_designs(sqlite_env, [data_dir / "designs" / "stool"])
    import_facilities(sqlite_env, [data_dir / "facilities" / "labs.yml"])
    design = list_designs(sqlite_env).items[0].id
    facility = list_facilities(sqlite_env).items[0].id
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bad.yaml").write_text("name: [unclosed\n  - x: :\n", encoding="utf-8")
    (bad / "garbage.toml").write_bytes(bytes(range(128, 256)) * 4)
    (bad / "garbage.csv").write_bytes(b"\xff\xfe\x00" + bytes(range(128, 256)))
    order = {
        "name": "Stools",
        "products": [{"key": "stool", "design": design}],
        "delivery_points": [{"id": "gent", "place": "Gent, BE", "due_days": 30,
                             "demand": {"stool": 5}}],
    }  # fmt: skip
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order), encoding="utf-8")
    order["delivery_points"][0]["demand"] = {"stool": 10**20}  # type: ignore[index]
    (bad / "huge.yaml").write_text(json.dumps(order), encoding="utf-8")
    order["delivery_points"][0]["demand"] = {"stool": 5}  # type: ignore[index]
    order["matching"] = {"pin_facilities": [facility], "exclude_facilities": [facility]}
    (bad / "pinned.yaml").write_text(json.dumps(order), encoding="utf-8")
    return {"bad": str(bad), "design": design, "facility": facility, "order": str(order_file)}


@pytest.mark.parametrize(
    ("args", "fragment"), [(args, fragment) for _, args, fragment in CASES],
    ids=[label for label, _, _ in CASES],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, world: dict[str, str], args: list[str], fragment: str
) -> None:
    result = runner.invoke(app, [arg.format(**world) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0]


def test_refused_geojson_path_stores_no_plan(
    runner: CliRunner, world: dict[str, str], sqlite_env: Database
) -> None:
    from sqlalchemy import text

    result = runner.invoke(app, ["plan", world["order"], "--geojson", world["bad"]])
    assert result.exit_code == 2
    with sqlite_env.read() as session:
        assert session.execute(text("SELECT count(*) FROM plans")).scalar_one() == 0


def test_fabnet_alone_still_prints_the_help(runner: CliRunner, sqlite_env: Database) -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output and "designs" in result.output
    assert "error:" not in result.output


def test_ambiguous_prefix_names_the_kind_in_plural() -> None:
    refs = [RecordRef(id=f"0{i}ab", name=f"Lab {i}") for i in range(2)]
    with pytest.raises(AmbiguousIdError, match="2 facilities start with '0'"):
        resolve_id(
            "facility", "0", exists=lambda _: False, find_by_prefix=lambda _: refs,
            list_command="fabnet facilities list",
        )  # fmt: skip


def test_orders_list_pages_with_a_cursor(cli_env: Database) -> None:
    """An empty registry answers one empty page with no cursor; a bad cursor exits 2."""
    runner = CliRunner()
    result = runner.invoke(app, ["orders", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"items": [], "next_cursor": None}
    bad = runner.invoke(app, ["orders", "list", "--cursor", "garbage"])
    assert bad.exit_code == 2 and "cursor" in bad.stderr
