"""``create_demo``: a fresh embedded database holding the demo world and the demo designs.

Where: the database the settings name (by default the embedded SQLite file
``<data dir>/fabnet.db``), so that every other command, the API and the web UI see the demo
without more configuration; or any SQLite URL passed in. Only SQLite files are created: a
server database is never dropped by a demo.

Fresh means: the file is deleted and created again, then migrated. A file that a previous demo
made (it has a ``<file>.demo.json`` marker beside it) or a database with no facilities and no
designs is replaced; any other database is refused unless ``force`` is given.

The world goes in through the facility repository's bulk upsert (one transaction), the designs
through :func:`fabnet.services.catalogue.designs.import_designs` (manifests and their STL files).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fabnet.demo.designs import manifest_paths
from fabnet.demo.regions import region_of
from fabnet.demo.world import DEFAULT_SEED, WorldSummary, build_world
from fabnet.domain.common import Provenance
from fabnet.domain.facility import Facility
from fabnet.errors import ConflictError, InputError
from fabnet.services.catalogue.designs import count_designs, get_design, import_designs
from fabnet.services.catalogue.facilities import count_facilities
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings, get_settings
from fabnet.storage import migrate
from fabnet.storage.db import Database, normalise_url
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

MARKER_SUFFIX = ".demo.json"
FABLAB = "fab labs (imported, enriched)"
WORKSHOP = "workshops (synthetic)"


@dataclass(frozen=True)
class DemoProgress:
    """Reported as the demo is built: ``stage`` is world, facilities or designs."""

    stage: str
    done: int
    total: int


DemoProgressCallback = Callable[[DemoProgress], None]


@dataclass(frozen=True)
class DemoDesign:
    id: str
    name: str
    parts: int
    parts_per_product: int
    assemblies: int
    license: str | None


@dataclass
class DemoSummary:
    """What ``create_demo`` made; structured so that later story steps can extend it."""

    database_url: str
    database_path: str
    seed: int
    created_at: str
    facilities: int = 0
    facilities_by_provenance: dict[str, int] = field(default_factory=dict)
    facilities_by_region: dict[str, dict[str, int]] = field(default_factory=dict)
    world: WorldSummary | None = None
    designs: list[DemoDesign] = field(default_factory=list)
    design_warnings: list[str] = field(default_factory=list)
    replaced_existing: bool = False


def demo_database_url(settings: Settings | None = None) -> str:
    """Where ``create_demo`` puts the demo by default: the settings' database."""
    return (settings or get_settings()).resolved_database_url


def create_demo(
    db_url: str | None = None,
    *,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    store: FileStore | None = None,
    on_progress: DemoProgressCallback | None = None,
) -> DemoSummary:
    """Create a fresh SQLite database at ``db_url`` (default: the settings' database) with the
    demo world of ``seed`` and every demo design, and say what is in it."""
    url = db_url or demo_database_url()
    path = _sqlite_file(url)
    replaced = _make_room(url, path, force=force)

    def report(stage: str, done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(DemoProgress(stage, done, total))

    report("world", 0, 1)
    world = build_world(seed)
    report("world", 1, 1)

    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    try:
        migrate.upgrade(db)
        report("facilities", 0, len(world.facilities))
        with db.transaction() as session:
            FacilityRepository(session).bulk_upsert(world.facilities)
        report("facilities", len(world.facilities), len(world.facilities))
        manifests = manifest_paths()
        tally = import_designs(
            db,
            manifests,
            store=store or open_file_store(),
            on_progress=lambda step: report("designs", step.done, step.total),
        )
        if tally.refused:
            refused = "; ".join(f"{r.source}: {r.message}" for r in tally.refused)
            raise InputError(f"demo designs refused: {refused}", source="fabnet demo")
        summary = DemoSummary(
            database_url=db.url_text,
            database_path=str(path),
            seed=seed,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            world=world.summary,
            replaced_existing=replaced,
        )
        _count_facilities(summary, world.facilities)
        summary.facilities = count_facilities(db)
        ids = [*tally.created, *tally.updated, *tally.unchanged]
        for design_id in ids:
            design = get_design(db, design_id)
            summary.designs.append(
                DemoDesign(
                    id=design.id,
                    name=design.name,
                    parts=len(design.parts),
                    parts_per_product=sum(design.part_quantities().values()),
                    assemblies=len(design.assemblies),
                    license=design.license,
                )
            )
        summary.designs.sort(key=lambda d: d.name)
        summary.design_warnings = [str(w) for w in tally.warnings]
    finally:
        db.dispose()
    _write_marker(path, summary)
    return summary


def _sqlite_file(url: str) -> Path:
    parsed = normalise_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        raise InputError(
            "the demo needs an embedded SQLite file, not "
            + parsed.render_as_string(hide_password=True),
            field="database",
            hint="unset FABNET_DATABASE_URL, or give a sqlite:///path/to/demo.db URL",
        )
    return Path(database).expanduser().resolve()


def marker_path(database: Path) -> Path:
    """The file beside a demo database that says a demo made it."""
    return database.with_name(database.name + MARKER_SUFFIX)


def is_demo_database(database: Path) -> bool:
    return marker_path(database).is_file()


def _make_room(url: str, path: Path, *, force: bool) -> bool:
    """Delete the database at ``path`` when allowed; True when one was there."""
    if not path.exists():
        return False
    if not (force or is_demo_database(path) or _is_empty(url)):
        raise ConflictError(
            f"{path} holds a database that is not a demo; the demo would replace it",
            hint="run with --force to replace it, or point FABNET_DATA_DIR or "
            "FABNET_DATABASE_URL elsewhere",
        )
    for suffix in ("", "-wal", "-shm", "-journal", MARKER_SUFFIX):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return True


def _is_empty(url: str) -> bool:
    """True when the database has fabnet's schema and no facilities and no designs."""
    db = Database(url)
    try:
        if not migrate.is_up_to_date(db):
            return False
        return count_facilities(db) == 0 and count_designs(db) == 0
    except Exception:  # unreadable or foreign: not empty as far as the demo can tell
        return False
    finally:
        db.dispose()


def _count_facilities(summary: DemoSummary, facilities: list[Facility]) -> None:
    by_kind: Counter[str] = Counter()
    by_region: dict[str, Counter[str]] = {}
    for facility in facilities:
        kind = FABLAB if facility.provenance.identity is Provenance.IMPORTED else WORKSHOP
        by_kind[kind] += 1
        region = region_of(facility.location.country)
        by_region.setdefault(region, Counter())[kind] += 1
    summary.facilities_by_provenance = dict(by_kind)
    summary.facilities_by_region = {r: dict(c) for r, c in sorted(by_region.items())}


def _write_marker(path: Path, summary: DemoSummary) -> None:
    marker = {
        "seed": summary.seed,
        "created_at": summary.created_at,
        "facilities": summary.facilities,
        "designs": [asdict(d) for d in summary.designs],
    }
    marker_path(path).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


__all__ = [
    "DemoDesign",
    "DemoProgress",
    "DemoSummary",
    "create_demo",
    "demo_database_url",
    "is_demo_database",
]
