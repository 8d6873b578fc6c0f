"""Hostile mesh files are refused before trimesh reads them, with a message saying why
(issue 15 items 2 and 4): 3MF zip bombs (total size, ratio) and truncated binary STLs."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from fabnet.errors import InputError
from fabnet.quoting_tools.geometry import check_3mf_archive, load_part_geometry


def _binary_stl(path: Path, triangles: int) -> bytes:
    rng = np.random.default_rng(7)
    rows = np.zeros(triangles, dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    rows["v"] = rng.random((triangles, 3, 3), dtype=np.float32) * 10
    data = b"\0" * 80 + struct.pack("<I", triangles) + rows.tobytes()
    path.write_bytes(data)
    return data


def test_a_truncated_binary_stl_says_it_is_truncated(tmp_path: Path) -> None:
    whole = _binary_stl(tmp_path / "whole.stl", 100)
    cut = tmp_path / "cut.stl"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated: its header announces 100 triangles"):
        load_part_geometry(cut)


def test_a_stl_shorter_than_its_header_is_truncated(tmp_path: Path) -> None:
    cut = tmp_path / "cut.stl"
    cut.write_bytes(b"\0" * 40)
    with pytest.raises(InputError, match="truncated"):
        load_part_geometry(cut)


def test_a_whole_binary_stl_still_loads(tmp_path: Path) -> None:
    _binary_stl(tmp_path / "whole.stl", 100)
    assert load_part_geometry(tmp_path / "whole.stl").area_mm2 > 0


def _bomb(path: Path, megabytes: int) -> None:
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("3D/3dmodel.model", "w") as member,
    ):
        for _ in range(megabytes):
            member.write(block)


def test_a_3mf_that_unpacks_far_beyond_its_size_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.3mf"
    _bomb(bomb, 64)  # 64 MiB of zeros pack to about 64 KB: ratio about 1000
    with pytest.raises(InputError, match="times its packed size"):
        load_part_geometry(bomb)


def test_a_3mf_over_the_total_limit_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "big.3mf"
    _bomb(bomb, 2)
    with pytest.raises(InputError, match="unpacks to 2,097,152 bytes, more than"):
        check_3mf_archive(bomb, max_unpacked_bytes=1024 * 1024, max_ratio=1e9)


def test_a_3mf_that_is_not_a_zip_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "bad.3mf"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match=r"not a readable 3MF archive: .+"):
        load_part_geometry(bad)
