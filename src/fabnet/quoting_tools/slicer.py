"""Slicing FDM parts with the PrusaSlicer CLI for their real print time and filament.

    prusa-slicer --loglevel 1 --load PROFILE.ini --export-gcode -o part.gcode part.stl

runs in a temporary folder with a timeout. The profile is fabnet's flattened base profile
(``profiles/<name>.ini``) with the filament keys of the chosen material written over it
(:data:`FILAMENTS`): one file per printer set-up, never one per material. The estimates are the
G-code's comments ``; estimated printing time (normal mode) = 1h 27m 38s``,
``; total filament used [g]`` and ``; filament used [cm3]``. Exit code 134 ("Objects could not
fit on the bed") means the part does not fit the profile's bed: ``fits=False``, not an error.

Every run increments :data:`RUNS` (a counter tests and benchmarks read to check the cache).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fabnet.errors import ExternalToolError, InputError

DEFAULT_PROFILE = "default-0.2mm"
DEFAULT_TIMEOUT_S = 120.0
EXIT_DOES_NOT_FIT = 134
SLICER_VERSION = "prusaslicer-2.5"
METHOD_REVISION = "v1"
"""Bump when the profiles or the parsing change: cached slicing results keyed by it go stale."""


@dataclass(frozen=True)
class Filament:
    density_g_cm3: float
    nozzle_c: int
    bed_c: int
    max_volumetric_mm3_s: float


FILAMENTS: dict[str, Filament] = {
    "pla": Filament(1.24, 215, 60, 15.0),
    "petg": Filament(1.27, 240, 85, 8.0),
    "abs": Filament(1.04, 255, 100, 11.0),
    "asa": Filament(1.07, 260, 105, 11.0),
    "tpu": Filament(1.21, 230, 50, 1.35),
    "pc": Filament(1.20, 275, 110, 8.0),
    "nylon": Filament(1.14, 285, 90, 8.0),
    "hips": Filament(1.04, 240, 100, 11.0),
}
"""Filament settings by material vocabulary id (typical generic-filament values)."""


class _Counter:
    def __init__(self) -> None:
        self.value = 0


RUNS = _Counter()


@dataclass(frozen=True)
class SliceResult:
    """What slicing one part told: print time and filament for one copy, or that it won't fit."""

    fits: bool
    print_hours: float | None
    filament_g: float | None
    filament_mm3: float | None
    profile: str
    material: str
    stderr_tail: str = ""

    @property
    def method(self) -> str:
        return method_for(self.profile, self.material)


def method_for(profile: str, material: str) -> str:
    """The method and cache key of a result, e.g. ``prusaslicer-2.5/default-0.2mm/pla/v1``."""
    return f"{SLICER_VERSION}/{profile}/{material}/{METHOD_REVISION}"


def profile_text(profile: str = DEFAULT_PROFILE, material: str = "pla") -> str:
    """The flattened ini for ``profile`` with ``material``'s filament keys set."""
    filament = FILAMENTS.get(material)
    if filament is None:
        raise InputError(
            f"no FDM filament profile for material {material!r}",
            field="material",
            hint=f"use one of {', '.join(sorted(FILAMENTS))}",
        )
    ref = resources.files("fabnet.quoting_tools").joinpath("profiles", f"{profile}.ini")
    if not ref.is_file():
        raise InputError(f"no slicer profile named {profile!r}", field="profile")
    overrides = {
        "filament_density": f"{filament.density_g_cm3}",
        "temperature": f"{filament.nozzle_c}",
        "first_layer_temperature": f"{filament.nozzle_c}",
        "bed_temperature": f"{filament.bed_c}",
        "first_layer_bed_temperature": f"{filament.bed_c}",
        "max_volumetric_speed": f"{filament.max_volumetric_mm3_s}",
    }
    lines = []
    for line in ref.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if key in overrides:
            continue
        lines.append(line)
    lines.extend(f"{k} = {v}" for k, v in overrides.items())
    return "\n".join(lines) + "\n"


_DURATION_PART = re.compile(r"(\d+)\s*([dhms])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration_hours(text: str) -> float:
    """``"1d 2h 3m 4s"`` (any subset, in order) as hours."""
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"not a PrusaSlicer duration: {text!r}")
    return sum(int(n) * _UNIT_SECONDS[u] for n, u in parts) / 3600.0


@dataclass(frozen=True)
class GcodeEstimates:
    print_hours: float | None
    filament_g: float | None
    filament_cm3: float | None


def parse_gcode_estimates(lines: list[str] | str) -> GcodeEstimates:
    """The estimates PrusaSlicer writes as G-code comments (None for any that is missing)."""
    items = lines.splitlines() if isinstance(lines, str) else lines
    hours = grams = cm3 = None
    for line in items:
        if not line.startswith(";"):
            continue
        key, sep, value = line[1:].partition("=")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "estimated printing time (normal mode)":
            hours = parse_duration_hours(value)
        elif key == "total filament used [g]":
            grams = float(value)
        elif key == "filament used [cm3]":
            cm3 = float(value)
    return GcodeEstimates(hours, grams, cm3)


def slice_fdm(
    path: Path,
    *,
    profile: str = DEFAULT_PROFILE,
    material: str = "pla",
    slicer_path: str = "prusa-slicer",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    file_type: str | None = None,
) -> SliceResult:
    """Slice the mesh at ``path`` (``file_type`` such as ``"stl"`` when its name has none)."""
    binary = shutil.which(slicer_path)
    if binary is None:
        raise ExternalToolError(
            f"PrusaSlicer not found: {slicer_path!r}",
            hint="install prusa-slicer (apt-get install prusa-slicer) or set FABNET_SLICER_PATH",
        )
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    kind = (file_type or path.suffix.lstrip(".") or "stl").lower()
    ini = profile_text(profile, material)
    with tempfile.TemporaryDirectory(prefix="fabnet-slice-") as tmp:
        folder = Path(tmp)
        (folder / "profile.ini").write_text(ini, encoding="utf-8")
        model = folder / f"model.{kind}"
        shutil.copyfile(path, model)
        gcode = folder / "out.gcode"
        command = [
            binary, "--loglevel", "1", "--load", "profile.ini",
            "--export-gcode", "-o", gcode.name, model.name,
        ]  # fmt: skip
        RUNS.value += 1
        try:
            done = subprocess.run(
                command, cwd=folder, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ExternalToolError(
                f"PrusaSlicer took longer than {timeout_s:g} s on {path.name}",
                hint="simplify the mesh or raise the timeout",
            ) from exc
        tail = _tail(done.stderr)
        if done.returncode == EXIT_DOES_NOT_FIT or (
            done.returncode != 0 and "could not fit on the bed" in done.stderr
        ):
            return SliceResult(False, None, None, None, profile, material, tail)
        if done.returncode != 0 or not gcode.is_file():
            raise ExternalToolError(
                f"PrusaSlicer failed on {path.name} (exit code {done.returncode}): {tail}"
            )
        with gcode.open(encoding="utf-8", errors="replace") as handle:
            estimates = parse_gcode_estimates([ln.rstrip("\n") for ln in handle if ln[:1] == ";"])
    if estimates.print_hours is None or estimates.filament_g is None:
        raise ExternalToolError(
            f"PrusaSlicer wrote no time or filament estimate for {path.name}",
            hint="is filament_density set in the profile?",
        )
    mm3 = None if estimates.filament_cm3 is None else estimates.filament_cm3 * 1000.0
    return SliceResult(
        True, estimates.print_hours, estimates.filament_g, mm3, profile, material, tail
    )


def _tail(text: str, lines: int = 5) -> str:
    kept = [ln for ln in text.strip().splitlines() if "[trace]" not in ln]
    return "\n".join(kept[-lines:])
