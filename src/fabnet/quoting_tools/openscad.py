"""Rendering an OpenSCAD design with chosen parameters, safely.

    openscad -o out.stl -D name=LITERAL ... design.scad

- The design's folder is copied into a fresh temporary folder, where OpenSCAD runs (``HOME`` and
  ``OPENSCADPATH`` point into it, so no user or system library is found).
- Before running, every ``include <...>``, ``use <...>``, ``import(...)`` and ``surface(...)`` of
  the file and of the files it includes is checked: it must name, by a literal relative path, a file
  inside the design's folder. An absolute path, ``..`` leading outside, a symlink out, a missing
  file or a computed path is refused (:class:`~fabnet.errors.InputError`) and nothing runs.
- Values are written as OpenSCAD literals
  (:func:`fabnet.standards.openscad_customizer.openscad_literal`): never an expression.
- The child process has a wall-clock time limit, a CPU-time and an address-space limit
  (``resource.setrlimit`` before ``exec``).

A failing render raises :class:`~fabnet.errors.ExternalToolError` naming the parameter set.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fabnet.errors import ExternalToolError, InputError
from fabnet.standards.openscad_customizer import Value, openscad_literal

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3
MAX_FOLDER_BYTES = 50 * 1024 * 1024

_INCLUDE = re.compile(r"\b(include|use)\s*<([^>]*)>")
_CALL = re.compile(r"\b(import|surface)\s*\(\s*(file\s*=\s*)?([^,)]*)")
_STRING = re.compile(r'^"([^"\\]*)"$')
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINE_COMMENT = re.compile(r"//[^\n]*")


@dataclass(frozen=True)
class RenderResult:
    stl: bytes
    command: tuple[str, ...]
    stderr_tail: str


def _strip_comments(text: str) -> str:
    return _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub("", text))


def _inside(root: Path, candidate: Path) -> bool:
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def check_references(scad: Path, root: Path) -> list[Path]:
    """Every file ``scad`` includes, uses or imports (recursively), each checked to lie inside
    ``root``; InputError for the first that does not."""
    seen: list[Path] = []
    pending = [scad]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        text = _strip_comments(current.read_text(encoding="utf-8", errors="replace"))
        refs: list[tuple[str, str, bool]] = [
            (m.group(1), m.group(2).strip(), True) for m in _INCLUDE.finditer(text)
        ]
        for m in _CALL.finditer(text):
            literal = _STRING.match(m.group(3).strip())
            if literal is None:
                raise InputError(
                    f"{m.group(1)}() with a computed path cannot be checked, so it is refused",
                    source=current.name,
                    hint="give the file as a literal relative path inside the design's folder",
                )
            refs.append((m.group(1), literal.group(1), False))
        for keyword, name, is_scad in refs:
            target = current.parent / name
            if Path(name).is_absolute() or not _inside(root, target):
                raise InputError(
                    f"{keyword} of {name!r} points outside the design's folder; refused",
                    source=current.name,
                    hint="a design may only use its own files",
                )
            if not target.is_file():
                raise InputError(
                    f"{keyword} of {name!r}: no such file in the design", source=current.name
                )
            if is_scad:
                pending.append(target)
    return seen


def _limits(memory_bytes: int, cpu_s: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()

    return apply


def _copy_folder(root: Path, into: Path) -> None:
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() and not _inside(root, path):
            continue  # a link out is never copied (and a reference to it was refused above)
        if path.is_file():
            total += path.stat().st_size
            if total > MAX_FOLDER_BYTES:
                raise InputError(f"the design folder holds more than {MAX_FOLDER_BYTES} bytes")
            target = into / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def render_stl(
    scad: Path,
    values: Mapping[str, Value],
    *,
    set_name: str = "custom",
    root: Path | None = None,
    openscad_path: str = "openscad",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> RenderResult:
    """Render ``scad`` (inside the design folder ``root``, default its own folder) with
    ``values`` to STL bytes (see the module docstring)."""
    root = (root or scad.parent).resolve()
    scad = scad.resolve()
    if not scad.is_file() or not _inside(root, scad):
        raise InputError("no such OpenSCAD file in the design", source=str(scad))
    check_references(scad, root)
    binary = shutil.which(openscad_path)
    if binary is None:
        raise ExternalToolError(
            f"OpenSCAD not found: {openscad_path!r}",
            hint="install openscad (apt-get install openscad) or set FABNET_OPENSCAD_PATH",
        )
    defines: list[str] = []
    for name, value in values.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError("not an OpenSCAD variable name", field=name)
        defines += ["-D", f"{name}={openscad_literal(value)}"]
    with tempfile.TemporaryDirectory(prefix="fabnet-openscad-") as tmp:
        work = Path(tmp)
        design = work / "design"
        design.mkdir()
        _copy_folder(root, design)
        out = work / "out.stl"
        command = [binary, "-o", str(out), *defines, str(design / scad.relative_to(root))]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
               "OPENSCADPATH": str(design), "LANG": "C.UTF-8"}  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=design, capture_output=True, text=True, timeout=timeout_s,
                check=False, env=env, preexec_fn=_limits(memory_bytes, int(timeout_s) + 1),
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise ExternalToolError(
                f"OpenSCAD took longer than {timeout_s:g} s rendering {scad.name} with "
                f"parameter set {set_name!r}",
                hint="choose smaller values or raise the time limit",
            ) from exc
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            memory = any(
                sign in done.stderr
                for sign in (
                    "bad_alloc",
                    "failed to map",
                    "Cannot allocate memory",
                    "out of memory",
                )
            )
            if done.returncode < 0 or memory:
                reason = (
                    f"stopped by the memory limit ({memory_bytes // 2**20} MB) or the CPU-time "
                    f"limit: {tail}"
                )
            else:
                reason = tail
            raise ExternalToolError(
                f"OpenSCAD failed rendering {scad.name} with parameter set {set_name!r} "
                f"(exit code {done.returncode}): {reason}"
            )
        if (
            "WARNING: No top level geometry" in done.stderr
            or "Current top level object is empty" in done.stderr
        ):
            raise ExternalToolError(
                f"OpenSCAD rendered no geometry for {scad.name} with parameter set {set_name!r}"
            )
        return RenderResult(_binary_stl(out), tuple(command), tail)


def _binary_stl(path: Path) -> bytes:
    """OpenSCAD writes ASCII STL; stored as binary STL (a third of the size, as the demos)."""
    import trimesh  # about 1 s to import: only when a render is stored, not at API start-up  # noqa: PLC0415

    mesh = trimesh.load(str(path), file_type="stl", force="mesh")
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise ExternalToolError(f"OpenSCAD wrote no triangles to {path.name}")
    data: bytes = trimesh.exchange.stl.export_stl(mesh)
    return data
