"""The root command lists COMMANDS without importing them and loads a module on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import COMMANDS, app, load_module_commands


@pytest.mark.parametrize(("name", "module", "help_text"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_listed_help_is_the_modules_own(name: str, module: str, help_text: str) -> None:
    commands = load_module_commands(module)
    assert name in commands, f"{module}.register does not register {name!r}"
    own = " ".join((commands[name].help or "").split("\n\n")[0].split())
    assert own == " ".join(help_text.split())


def test_every_registered_command_is_listed() -> None:
    listed = {name for name, _, _ in COMMANDS}
    for module in {m for _, m, _ in COMMANDS}:
        assert set(load_module_commands(module)) <= listed, module


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys\n"
        "from fabnet.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('fabnet.cli.', 'fabnet.services',"
        " 'sqlalchemy', 'alembic', 'scipy', 'trimesh')) and m not in"
        " ('fabnet.cli.main', 'fabnet.cli._common'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "HEAVY="


def test_a_listed_command_runs() -> None:
    result = CliRunner().invoke(app, ["taxonomy", "--help"])
    assert result.exit_code == 0
    assert "taxonomy" in result.output
