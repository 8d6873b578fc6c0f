"""Make vs buy: the arithmetic by hand, printability as matching words it, the CLI and API."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.designs import DESIGNS_DIR
from fabnet.domain.common import Dimensions
from fabnet.domain.design import RetailPrice
from fabnet.engine.makebuy import Filament, Printer, Profile, compare, part_cost
from fabnet.errors import InputError, ManifestError
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.sourcing.makebuy import ProfileIn, build_profile, make_or_buy, printers
from fabnet.standards.okh import load_design as load_okh
from fabnet.standards.okh_export import dump_design_okh_toml
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore

from .conftest import import_demo, needs_slicer

SPLINT = str(DESIGNS_DIR / "finger-splint" / "okh.toml")


def _profile(failures: float = 0.1) -> Profile:
    printer = Printer("p", "P", Dimensions(x_mm=200, y_mm=200, z_mm=200), ("pla",), 100, 500, 5000)
    return Profile(printer, Filament("pla", "pla", 20.0), 0.30, failures)


def test_home_cost_by_hand() -> None:
    cost = part_cost(_profile(), "bracket", filament_g=50.0, print_hours=2.0, per_product=2)
    # 100 g x 20/kg = 2.00; 4 h x 0.1 kW x 0.30 = 0.12; 4 h x 500/5000 = 0.40
    assert cost.filament == pytest.approx(2.0)
    assert cost.energy == pytest.approx(0.12)
    assert cost.wear == pytest.approx(0.40)
    assert cost.total == pytest.approx(2.52 / 0.9)
    vs = compare("retail", 20.0, cost.total, cost.wear / 0.9, 500.0)
    assert vs.saving == pytest.approx(20.0 - 2.8)
    assert vs.saving_pct == pytest.approx(100 * 17.2 / 20)
    assert vs.payback_units == pytest.approx(500 / (20.0 - (2.8 - 0.4 / 0.9)))
    assert compare("retail", 1.0, 2.8, 0.44, 500).payback_units is None  # never pays back
    with pytest.raises(InputError, match="failure allowance"):
        _profile(failures=0.95)


def test_catalogue_and_overrides() -> None:
    assert {"prusa-mk4", "bambu-a1-mini", "ender-3-v3-se"} <= set(printers())
    profile = build_profile(ProfileIn("prusa-mk4", "recyclebot-pla", filament_price_per_kg=2.5))
    assert profile.filament.recycled and profile.filament.price_per_kg == 2.5
    with pytest.raises(InputError, match="unknown printer"):
        build_profile(ProfileIn("no-such-printer", "pla"))


def test_not_printable_is_explained_like_matching(sqlite_db: Database, store: FileStore) -> None:
    splint = import_demo(sqlite_db, store, "finger-splint")  # PETG
    result = make_or_buy(sqlite_db, splint.id, ProfileIn("prusa-mk4", "pla"), store=store)
    assert not result.printable and result.home_cost is None
    assert any("material" in r and "needs petg" in r for r in result.reasons)
    shield = import_demo(sqlite_db, store, "face-shield")  # the visor is 272 mm, laser-cut
    big = make_or_buy(sqlite_db, shield.id, ProfileIn("bambu-a1-mini", "petg"), store=store)
    assert not big.printable
    assert any(r.startswith("visor: process") for r in big.reasons)


@needs_slicer
@pytest.mark.slicer
def test_splint_at_home_against_retail(sqlite_db: Database, store: FileStore) -> None:
    splint = import_demo(sqlite_db, store, "finger-splint")
    result = make_or_buy(
        sqlite_db, splint.id, ProfileIn("prusa-mk4", "petg"), retail=12.5, store=store
    )
    assert result.printable
    (part,) = result.parts
    assert 3.0 < part.filament_g < 10.0 and 0.1 < part.print_hours < 2.0
    assert part.filament == pytest.approx(part.filament_g / 1000 * 22.0)
    assert result.home_cost == pytest.approx(part.total)
    (retail,) = result.comparisons
    assert retail.saving_pct > 75  # inside the published range for small printed items


@needs_slicer
@pytest.mark.slicer
def test_cli_exit_codes(quoting_env: Database) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app, ["makebuy", SPLINT, "--printer", "prusa-mk4", "--filament", "petg", "--retail",
              "12.50", "--json"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["printable"] and data["comparisons"][0]["against"] == "retail"
    no = runner.invoke(app, ["makebuy", SPLINT, "--printer", "prusa-mk4", "--filament", "pla"])
    assert no.exit_code == 1 and "cannot be printed" in no.output
    bad = runner.invoke(app, ["makebuy", SPLINT, "--printer", "x", "--filament", "pla"])
    assert bad.exit_code == 2 and "unknown printer" in bad.output


def _splint_with_retail(tmp_path: Path, extension: str) -> Path:
    """The demo finger splint, copied, with fabnet's ``[fabnet]`` retail-price extension."""
    folder = tmp_path / "splint"
    shutil.copytree(DESIGNS_DIR / "finger-splint", folder)
    manifest = folder / "okh.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n[fabnet]\n" + extension)
    return manifest


def test_retail_price_read_refused_and_exported(tmp_path: Path) -> None:
    manifest = _splint_with_retail(tmp_path, 'retail-price = 12.5\nretail-currency = "usd"\n')
    design = load_okh(manifest).value
    assert design.retail_price == RetailPrice(amount=12.5, currency="USD")
    again = tmp_path / "again.toml"
    again.write_text(dump_design_okh_toml(design), encoding="utf-8")
    assert load_okh(again).value.retail_price == design.retail_price
    assert load_okh(DESIGNS_DIR / "finger-splint" / "okh.toml").value.retail_price is None
    for bad, field in (
        ("retail-price = -3\n", "retail-price"),
        ('retail-currency = "EUR"\n', "retail-currency"),
        ('retail-price = 5\nretail-currency = "euro"\n', "retail-currency"),
    ):
        with pytest.raises(ManifestError) as err:
            load_okh(_splint_with_retail(tmp_path / field / str(len(bad)), bad))
        assert err.value.field is not None and err.value.field.endswith(field)  # fmt: skip


@needs_slicer
@pytest.mark.slicer
def test_retail_price_recorded_with_the_design(
    sqlite_db: Database, store: FileStore, tmp_path: Path
) -> None:
    manifest = _splint_with_retail(tmp_path, "retail-price = 12.5\n")
    tally = import_designs(sqlite_db, [manifest], store=store)
    assert not tally.refused, tally.refused
    design_id = (tally.created + tally.updated + tally.unchanged)[0]
    recorded = make_or_buy(sqlite_db, design_id, ProfileIn("prusa-mk4", "petg"), store=store)
    (vs,) = recorded.comparisons
    assert vs.against == "retail (recorded with the design)" and vs.buy_price == 12.5
    given = make_or_buy(
        sqlite_db, design_id, ProfileIn("prusa-mk4", "petg"), retail=30.0, store=store
    )
    assert [c.buy_price for c in given.comparisons] == [30.0]  # the user's figure wins
    other = _splint_with_retail(tmp_path / "usd", 'retail-price = 14\nretail-currency = "USD"\n')
    text = other.read_text(encoding="utf-8").replace('name = "', 'name = "USD ', 1)
    other.write_text(text, encoding="utf-8")
    tally = import_designs(sqlite_db, [other], store=store)
    usd_id = (tally.created + tally.updated + tally.unchanged)[0]
    usd = make_or_buy(sqlite_db, usd_id, ProfileIn("prusa-mk4", "petg"), store=store)
    assert usd.comparisons == () and any("in USD" in n for n in usd.notes)
