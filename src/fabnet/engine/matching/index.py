"""The facility index: a registry flattened into numpy arrays, built once per registry version.

Two levels of rows:

* **capability rows** (one per piece of equipment, plus one for facility-level processes, see
  :mod:`.capability`), with process and material membership *closed under ancestors* (a row
  offering ``fdm`` also holds ``additive-manufacturing``, so "who meets requirement R" is the
  rows that hold R). Per process node a :class:`ProcessColumn` lists those rows with their
  facility, sorted envelope sides and tolerance code pre-gathered; materials are a boolean
  matrix (node x row);
* **facility rows**: status, access, country, certification bitset, provenance, coordinates
  (with a :class:`scipy.spatial.cKDTree` on unit vectors for radius queries), batch limit and
  capacity; rate-card lines per process node as :class:`RateColumn` tables.

Matching a part is a few boolean operations over capability rows, a scatter to facilities, and
vectorised scoring of the survivors; only the listed candidates and near-misses are explained in
Python (:func:`.criteria.assess`).
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from fabnet.domain.common import BoardLimits
from fabnet.domain.facility import AccessType, Facility, FacilityStatus
from fabnet.engine.matching.capability import rows_of
from fabnet.engine.matching.criteria import (
    facility_country,
    normalised_certification,
    quoted_hours,
    tolerance_met,
)
from fabnet.engine.matching.request import DeliveryPoint, MatchRequest
from fabnet.engine.matching.requirement import PartRequirement
from fabnet.engine.matching.scoring import data_quality, max_batch, unit_costs
from fabnet.engine.matching.terms import Terms, material_terms, process_terms
from fabnet.errors import InputError
from fabnet.geo.distance import chord_to_km, haversine_km, km_to_chord, to_unit_xyz
from fabnet.vocab.tolerance import tolerance_fineness_um

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

STATUSES: tuple[FacilityStatus, ...] = tuple(FacilityStatus)
ACCESS_TYPES: tuple[AccessType, ...] = tuple(AccessType)


class _Columns:
    """Vocabulary ids -> matrix columns, assigned as closures are first seen."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.index: dict[str, int] = {}
        self._cache: dict[tuple[str, ...], tuple[int, ...]] = {}

    def of(self, ids: tuple[str, ...]) -> tuple[int, ...]:
        cached = self._cache.get(ids)
        if cached is None:
            cols: set[int] = set()
            for term in ids:
                for node in self.terms.closure(term):
                    cols.add(self.index.setdefault(node, len(self.index)))
            cached = tuple(sorted(cols))
            self._cache[ids] = cached
        return cached


def _matrix(pairs_col: array[int], pairs_row: array[int], n_cols: int, n_rows: int) -> BoolArray:
    matrix = np.zeros((max(n_cols, 1), n_rows), dtype=np.bool_)
    if pairs_col:
        matrix[np.asarray(pairs_col, dtype=np.int64), np.asarray(pairs_row, dtype=np.int64)] = True
    return matrix


def _csr(pairs_col: array[int], pairs_row: array[int], n_cols: int) -> tuple[IntArray, ...]:
    """Per column, the sorted row numbers that have it (a column-compressed boolean matrix)."""
    cols = np.asarray(pairs_col, dtype=np.int64)
    rows = np.asarray(pairs_row, dtype=np.int32)
    order = np.lexsort((rows, cols))
    cols, rows = cols[order], rows[order]
    bounds = np.searchsorted(cols, np.arange(n_cols + 1))
    return tuple(np.ascontiguousarray(rows[bounds[c] : bounds[c + 1]]) for c in range(n_cols))


def _merged(columns: list[ProcessColumn]) -> ProcessColumn:
    """Rows of several process columns, each row once, in row order."""
    rows = np.concatenate([c.rows for c in columns])
    unique_rows, first = np.unique(rows, return_index=True)

    def pick(name: str) -> Any:
        return np.concatenate([getattr(c, name) for c in columns])[first]

    return ProcessColumn(
        rows=unique_rows.astype(np.int32),
        facility=pick("facility"),
        side0=pick("side0"),
        side1=pick("side1"),
        side2=pick("side2"),
        tolerance=pick("tolerance"),
    )


def _codes(values: list[str | None]) -> tuple[npt.NDArray[np.int16], tuple[str, ...]]:
    """Small-integer codes for a column of strings; -1 for None."""
    table: dict[str, int] = {}
    codes = np.fromiter(
        (-1 if v is None else table.setdefault(v, len(table)) for v in values),
        dtype=np.int16,
        count=len(values),
    )
    return codes, tuple(table)


def _lut(values: Sequence[Any], test: Any, unknown: bool = False) -> BoolArray:
    """A lookup table over codes; its last entry answers code -1 (not declared)."""
    return np.array([bool(test(v)) for v in values] + [unknown], dtype=np.bool_)


@dataclass(frozen=True)
class ProcessColumn:
    """The capability rows whose process closure holds one taxonomy node, with their envelope,
    tolerance and facility pre-gathered (contiguous) for that node."""

    rows: IntArray
    facility: IntArray
    side0: FloatArray  # sorted envelope sides; NaN = no envelope declared
    side1: FloatArray
    side2: FloatArray
    tolerance: npt.NDArray[np.int16]

    def nbytes(self) -> int:
        return sum(a.nbytes for a in vars(self).values())


@dataclass(frozen=True)
class RateColumn:
    """The rate-card lines whose process closure holds one taxonomy node, facility-major.

    Pre-gathered per node so that costing a part reads contiguous arrays. ``machine`` and
    ``weekly`` come from the rate's declared units per hour; where that is missing (NaN), a part
    with quoted hours gets ``hourly * hours`` and ``hours_per_week / hours`` instead
    (:meth:`FacilityIndex.costs_and_weekly`).
    """

    facility: IntArray
    machine: FloatArray  # hourly_rate / units_per_hour; 0 when the hourly rate is 0; NaN unknown
    setup: FloatArray
    material_per_kg: FloatArray
    minimum_lot: FloatArray
    weekly: FloatArray  # units_per_hour * capacity.hours_per_week; NaN unknown
    currency: npt.NDArray[np.int16]
    hourly: FloatArray  # hourly_rate: prices quoted hours where ``machine`` is NaN
    hours_per_week: FloatArray  # the facility's capacity.hours_per_week; NaN without a record
    process: npt.NDArray[np.int16]  # the rate's own process (FacilityIndex.rate_process_values)
    starts: IntArray  # where each facility's segment begins
    owners: IntArray  # the facility of each segment

    def nbytes(self) -> int:
        return sum(a.nbytes for a in vars(self).values())


@dataclass(frozen=True)
class RequestView:
    """Facility-level results of one request: who passes, failure counts, distances."""

    passes: BoolArray
    failures: npt.NDArray[np.int8]
    distance_km: FloatArray  # NaN: no delivery point, or no coordinates


@dataclass(frozen=True)
class PartView:
    """Capability of every facility for one part (before facility-level criteria)."""

    offering_rows: IntArray  # rows that offer a required process
    offering_facility: IntArray  # their facilities
    row_failures: npt.NDArray[np.int8]  # material + envelope + tolerance failures per such row
    capable: BoolArray  # per facility: some row passes all four
    batch_ok: BoolArray  # per facility


def _kd_tree(points: FloatArray) -> Any:
    """A k-d tree over unit vectors (scipy.spatial is imported here, when an index is first
    built or read: importing it costs a process that never matches about 0.2 s)."""
    from scipy.spatial import cKDTree  # noqa: PLC0415

    return cKDTree(points)


class LazyFacilities(Sequence[Facility]):
    """The index's facilities by position, each loaded by ``load(ids)`` the first time it is
    read (an index read from its arrays needs only the few facilities a match lists)."""

    def __init__(self, ids: Sequence[str], load: Callable[[Sequence[str]], Sequence[Facility]]):
        self.ids = tuple(ids)
        self._load = load
        self._loaded: dict[int, Facility] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Facility: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Facility]: ...

    def __getitem__(self, i: int | slice) -> Facility | Sequence[Facility]:
        if isinstance(i, slice):
            return self._fetch(range(len(self.ids))[i])
        position = range(len(self.ids))[i]  # IndexError like a tuple
        found = self._loaded.get(position)
        return found if found is not None else self._fetch([position])[0]

    def __iter__(self) -> Iterator[Facility]:
        return iter(self._fetch(range(len(self.ids))))

    def _fetch(self, positions: Sequence[int]) -> list[Facility]:
        missing = [p for p in positions if p not in self._loaded]
        if missing:
            by_id = {f.id: f for f in self._load([self.ids[p] for p in missing])}
            with self._lock:
                for p in missing:
                    facility = by_id.get(self.ids[p])
                    if facility is None:
                        raise LookupError(f"facility {self.ids[p]!r} of the index is gone")
                    self._loaded[p] = facility
        return [self._loaded[p] for p in positions]


_COLUMN_TABLES = {"process_table": ProcessColumn, "rate_columns": RateColumn}
_META_FIELDS = (
    "country_values",
    "cert_columns",
    "currency_values",
    "process_columns",
    "material_columns",
    "tolerance_values",
    "rate_process_values",
)


@dataclass(frozen=True, eq=False)
class FacilityIndex:
    facilities: Sequence[Facility]
    position: dict[str, int]
    id_rank: IntArray
    status: npt.NDArray[np.int16]
    access: npt.NDArray[np.int16]
    country: npt.NDArray[np.int16]
    country_values: tuple[str, ...]
    certs: BoolArray
    cert_columns: dict[str, int]
    has_cert: BoolArray
    synthetic: BoolArray
    data_quality: FloatArray
    latitude: FloatArray
    longitude: FloatArray
    xyz: FloatArray
    tree: Any
    tree_facility: IntArray
    max_batch: FloatArray
    declared_weekly: FloatArray
    hours_per_week: FloatArray
    currency: npt.NDArray[np.int16]
    currency_values: tuple[str, ...]
    row_facility: IntArray
    row_board: FloatArray
    """Per capability row: the largest board's sorted sides, layers and finest pitch (mm) of
    electronics equipment; NaN = not declared (read only for PCB parts, so kept per row rather
    than gathered per process column)."""
    process_table: tuple[ProcessColumn, ...]
    process_columns: dict[str, int]
    row_materials: BoolArray
    material_columns: dict[str, int]
    tolerance_values: tuple[str, ...]
    rate_columns: tuple[RateColumn, ...]
    rate_process_values: tuple[str, ...]
    _board_by_columns: dict[tuple[int, ...], FloatArray] = field(
        default_factory=dict, init=False, repr=False
    )
    """``row_board`` gathered for the rows of a process column (or merged columns), filled by
    the first PCB part that needs it: the index is immutable, and gathering 4 figures of tens
    of thousands of rows costs about 2 ms per part, the cache a few MB for electronics nodes."""

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, facilities: Sequence[Facility]) -> FacilityIndex:
        """Flatten ``facilities``; facility ids must be unique (they identify everything)."""
        facs = tuple(facilities)
        position: dict[str, int] = {}
        for i, fac in enumerate(facs):
            if position.setdefault(fac.id, i) != i:
                raise InputError(
                    f"facility id {fac.id!r} appears twice", source="facility registry", field="id"
                )
        n = len(facs)
        id_order = sorted(range(n), key=lambda i: facs[i].id)
        id_rank = np.empty(n, dtype=np.int32)
        id_rank[np.asarray(id_order, dtype=np.int64)] = np.arange(n, dtype=np.int32)

        proc_cols = _Columns(process_terms())
        mat_cols = _Columns(material_terms())
        cert_columns: dict[str, int] = {}
        row_fac: array[int] = array("i")
        p_col: array[int] = array("i")
        p_row: array[int] = array("i")
        m_col: array[int] = array("i")
        m_row: array[int] = array("i")
        env: array[float] = array("d")
        board: array[float] = array("d")
        tol: list[str | None] = []
        c_col: array[int] = array("i")
        c_fac: array[int] = array("i")
        rate_fac: array[int] = array("i")
        r_col: array[int] = array("i")
        r_row: array[int] = array("i")
        rate_num: array[float] = array("d")
        rate_process: list[str | None] = []
        nan3 = (np.nan, np.nan, np.nan)
        nan4 = (np.nan, np.nan, np.nan, np.nan)
        for f, fac in enumerate(facs):
            for row in rows_of(fac):
                r = len(row_fac)
                row_fac.append(f)
                for col in proc_cols.of(row.processes):
                    p_col.append(col)
                    p_row.append(r)
                for col in mat_cols.of(row.materials):
                    m_col.append(col)
                    m_row.append(r)
                env.extend(row.envelope.sorted() if row.envelope is not None else nan3)
                limits = row.board
                if limits is None:
                    board.extend(nan4)
                else:
                    limit_sides = limits.sides() or (np.nan, np.nan)
                    board.extend(
                        (
                            *limit_sides,
                            np.nan if limits.layers is None else float(limits.layers),
                            np.nan if limits.pitch_mm is None else limits.pitch_mm,
                        )
                    )
                tol.append(row.tolerance_class)
            for text in fac.certifications:
                c_col.append(
                    cert_columns.setdefault(normalised_certification(text), len(cert_columns))
                )
                c_fac.append(f)
            card = fac.extension.rate_card
            for rate in card.rates if card is not None else ():
                k = len(rate_fac)
                rate_fac.append(f)
                rate_process.append(rate.process)
                for col in proc_cols.of((rate.process,)):
                    r_col.append(col)
                    r_row.append(k)
                rate_num.extend(
                    (
                        rate.hourly_rate,
                        rate.setup_cost,
                        rate.material_cost_per_kg,
                        float(rate.minimum_lot),
                        np.nan if rate.units_per_hour is None else rate.units_per_hour,
                    )
                )

        lat = np.array(
            [np.nan if f.location.latitude is None else f.location.latitude for f in facs],
            dtype=np.float64,
        )
        lon = np.array(
            [np.nan if f.location.longitude is None else f.location.longitude for f in facs],
            dtype=np.float64,
        )
        with_coords = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon)).astype(np.int32)
        xyz = np.full((n, 3), np.nan)
        tree = None
        if with_coords.size:
            xyz[with_coords] = to_unit_xyz(lat[with_coords], lon[with_coords])
            tree = _kd_tree(xyz[with_coords])
        country, country_values = _codes([facility_country(f) for f in facs])
        currency, currency_values = _codes(
            [
                None if f.extension.rate_card is None else f.extension.rate_card.currency
                for f in facs
            ]
        )
        tolerance, tolerance_values = _codes(tol)
        envelope = np.frombuffer(env, dtype=np.float64).reshape(-1, 3)
        boards = np.frombuffer(board, dtype=np.float64).reshape(-1, 4)
        rates = np.frombuffer(rate_num, dtype=np.float64).reshape(-1, 5)
        hours_per_week = np.array(
            [
                np.nan if f.extension.capacity is None else f.extension.capacity.hours_per_week
                for f in facs
            ],
            dtype=np.float64,
        )
        rate_process_codes, rate_process_values = _codes(rate_process)
        rate_columns = _rate_columns(
            np.asarray(rate_fac, dtype=np.int32),
            rates,
            rate_process_codes,
            hours_per_week,
            currency,
            _csr(r_col, r_row, len(proc_cols.index)),
        )
        capacities = [f.extension.capacity for f in facs]
        row_facility = np.asarray(row_fac, dtype=np.int32)
        return cls(
            facilities=facs,
            position=position,
            id_rank=id_rank,
            status=np.array([STATUSES.index(f.status) for f in facs], dtype=np.int16),
            access=np.array(
                [-1 if f.access_type is None else ACCESS_TYPES.index(f.access_type) for f in facs],
                dtype=np.int16,
            ),
            country=country,
            country_values=country_values,
            certs=_matrix(c_col, c_fac, len(cert_columns), n),
            cert_columns=cert_columns,
            has_cert=np.array([bool(f.certifications) for f in facs], dtype=np.bool_),
            synthetic=np.array([f.provenance.any_synthetic for f in facs], dtype=np.bool_),
            data_quality=np.array([data_quality(f) for f in facs], dtype=np.float64),
            latitude=lat,
            longitude=lon,
            xyz=xyz,
            tree=tree,
            tree_facility=with_coords,
            max_batch=np.array(
                [np.nan if (b := max_batch(f)) is None else b for f in facs], dtype=np.float64
            ),
            declared_weekly=np.array(
                [
                    np.nan if c is None or c.units_per_week is None else c.units_per_week
                    for c in capacities
                ],
                dtype=np.float64,
            ),
            hours_per_week=hours_per_week,
            currency=currency,
            currency_values=currency_values,
            row_facility=row_facility,
            row_board=boards,
            process_table=tuple(
                ProcessColumn(
                    rows=rows,
                    facility=row_facility[rows],
                    side0=envelope[rows, 0],
                    side1=envelope[rows, 1],
                    side2=envelope[rows, 2],
                    tolerance=tolerance[rows],
                )
                for rows in _csr(p_col, p_row, len(proc_cols.index))
            ),
            process_columns=proc_cols.index,
            row_materials=_matrix(m_col, m_row, len(mat_cols.index), len(row_fac)),
            material_columns=mat_cols.index,
            tolerance_values=tolerance_values,
            rate_columns=rate_columns,
            rate_process_values=rate_process_values,
        )

    # -- persisting ----------------------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """The index as named numpy arrays plus JSON-ready metadata (facility ids, vocabulary
        columns), without the facility objects: :meth:`from_arrays` reads it back."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        meta: dict[str, Any] = {"ids": list(self.facility_ids())}
        for name in _META_FIELDS:
            value = getattr(self, name)
            meta[name] = dict(value) if isinstance(value, dict) else list(value)
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                arrays[item.name] = value
        for name, kind in _COLUMN_TABLES.items():
            columns = getattr(self, name)
            meta[f"{name}_count"] = len(columns)
            for column_field in fields(kind):
                parts = [getattr(c, column_field.name) for c in columns]
                arrays[f"{name}.{column_field.name}.len"] = np.array(
                    [p.size for p in parts], dtype=np.int64
                )
                arrays[f"{name}.{column_field.name}"] = (
                    np.concatenate(parts) if parts else np.zeros(0)
                )
        return arrays, meta

    def facility_ids(self) -> Sequence[str]:
        """The facilities' ids by position (without loading lazily held facilities)."""
        facilities = self.facilities
        if isinstance(facilities, LazyFacilities):
            return facilities.ids
        return [f.id for f in facilities]

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, npt.NDArray[Any]],
        meta: dict[str, Any],
        load: Callable[[Sequence[str]], Sequence[Facility]],
    ) -> FacilityIndex:
        """The index :meth:`to_arrays` wrote, its facilities read through ``load(ids)`` when
        a match first needs them."""
        ids: list[str] = list(meta["ids"])
        values: dict[str, Any] = {
            "facilities": LazyFacilities(ids, load),
            "position": {fid: i for i, fid in enumerate(ids)},
        }
        for name in _META_FIELDS:
            value = meta[name]
            values[name] = dict(value) if isinstance(value, dict) else tuple(value)
        for name, kind in _COLUMN_TABLES.items():
            count = int(meta[f"{name}_count"])
            per_field: dict[str, list[npt.NDArray[Any]]] = {}
            for column_field in fields(kind):
                lengths = arrays[f"{name}.{column_field.name}.len"]
                flat = arrays[f"{name}.{column_field.name}"]
                per_field[column_field.name] = np.split(flat, np.cumsum(lengths)[:-1])[:count]
            values[name] = tuple(
                kind(**{key: parts[k] for key, parts in per_field.items()}) for k in range(count)
            )
        for item in fields(cls):
            if item.init and item.name not in values and item.name != "tree":
                values[item.name] = arrays[item.name]
        tree_facility = values["tree_facility"]
        values["tree"] = _kd_tree(values["xyz"][tree_facility]) if tree_facility.size else None
        return cls(**values)

    # -- size ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.facilities)

    @property
    def row_count(self) -> int:
        return int(self.row_facility.size)

    def nbytes(self) -> int:
        """Bytes held by the index's numpy arrays (the facility objects are not counted)."""
        total = 0
        for value in vars(self).values():
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, np.ndarray):
                    total += item.nbytes
                elif isinstance(item, RateColumn | ProcessColumn):
                    total += item.nbytes()
        if self.tree is not None:
            total += int(self.tree.data.nbytes + self.tree.indices.nbytes)
        return total

    # -- per request ---------------------------------------------------------------------------

    def request_view(self, request: MatchRequest) -> RequestView:
        """Facility-level criteria of ``request`` for every facility, vectorised."""
        n = len(self.facilities)
        status_ok = _lut(STATUSES, lambda s: s in request.statuses)[self.status]
        if request.access_types is None:
            access_ok = np.ones(n, dtype=np.bool_)
        else:
            allowed = request.access_types
            access_ok = _lut(ACCESS_TYPES, lambda a: a in allowed)[self.access]
        if request.countries is None and not request.excluded_countries:
            country_ok = np.ones(n, dtype=np.bool_)
        else:
            countries = request.countries
            excluded = request.excluded_countries
            country_ok = _lut(
                self.country_values,
                lambda c: (countries is None or c in countries) and c not in excluded,
            )[self.country]
        cert_ok = np.ones(n, dtype=np.bool_)
        for cert in request.required_certifications:
            col = self.cert_columns.get(cert)
            if col is None:
                cert_ok[:] = False
            else:
                cert_ok &= self.certs[col]
        data_ok = np.ones(n, dtype=np.bool_) if request.include_synthetic else ~self.synthetic
        failures = np.zeros(n, dtype=np.int8)
        for check in (status_ok, access_ok, country_ok, cert_ok, data_ok):
            failures += ~check
        distance = np.full(n, np.nan, dtype=np.float64)
        if request.delivery_points:
            if request.radius_km is not None:
                near = self._within_radius(request)
                distance[near] = self._nearest_km(request, near)
                failures += ~(distance <= request.radius_km)
            else:
                todo = self.tree_facility[failures[self.tree_facility] == 0]
                distance[todo] = self._nearest_km_chord(request, todo)
        return RequestView(passes=failures == 0, failures=failures, distance_km=distance)

    def _nearest_km_chord(self, request: MatchRequest, todo: IntArray) -> FloatArray:
        """Distances for ranking only, from unit vectors (chord); within 1e-8 km of haversine.

        Without a radius nothing is filtered on distance, so this fast form only orders
        candidates; every distance that is shown or checked against a radius is haversine.
        """
        points = request.delivery_points
        centres = to_unit_xyz([p.latitude for p in points], [p.longitude for p in points])
        dots = self.xyz[todo] @ centres.T
        chords = np.sqrt(np.clip(2.0 - 2.0 * dots.max(axis=1), 0.0, 4.0))
        result: FloatArray = chord_to_km(chords)
        return result

    def _within_radius(self, request: MatchRequest) -> IntArray:
        """Facilities the k-d tree puts near a delivery point (a superset; exact check after)."""
        if self.tree is None or request.radius_km is None:
            return np.zeros(0, dtype=np.int32)
        points = request.delivery_points
        xyz = np.asarray(
            to_unit_xyz(
                np.array([p.latitude for p in points]), np.array([p.longitude for p in points])
            )
        )
        chord = float(km_to_chord(request.radius_km)) * (1 + 1e-6) + 1e-9
        hits: set[int] = set()
        for found in self.tree.query_ball_point(xyz, r=chord):
            hits.update(found)
        order = np.fromiter(sorted(hits), dtype=np.int64, count=len(hits))
        result: IntArray = self.tree_facility[order]
        return result

    def nearest(
        self, request: MatchRequest, positions: IntArray
    ) -> list[tuple[float, DeliveryPoint] | None]:
        """(km, nearest delivery point) for facilities at ``positions``; None without coordinates
        or delivery points. The same numbers as :func:`.criteria.nearest_point`, in bulk."""
        points = request.delivery_points
        if not points or positions.size == 0:
            return [None] * int(positions.size)
        lat = self.latitude[positions]
        lon = self.longitude[positions]
        table = np.stack(
            [np.asarray(haversine_km(p.latitude, p.longitude, lat, lon)) for p in points]
        )
        best = np.argmin(np.where(np.isnan(table), np.inf, table), axis=0)
        out: list[tuple[float, DeliveryPoint] | None] = []
        for i, k in enumerate(best):
            km = float(table[k, i])
            out.append(None if np.isnan(km) else (km, points[int(k)]))
        return out

    def _nearest_km(self, request: MatchRequest, todo: IntArray) -> FloatArray:
        best = np.full(todo.size, np.inf, dtype=np.float64)
        lat = self.latitude[todo]
        lon = self.longitude[todo]
        for point in request.delivery_points:
            d = np.asarray(haversine_km(point.latitude, point.longitude, lat, lon))
            best = np.minimum(best, d)
        return best

    # -- per part ------------------------------------------------------------------------------

    def part_view(self, req: PartRequirement) -> PartView:
        n = len(self.facilities)
        cols = [self.process_columns[p] for p in req.processes if p in self.process_columns]
        if not cols:
            table = ProcessColumn(
                rows=np.zeros(0, dtype=np.int32),
                facility=np.zeros(0, dtype=np.int32),
                side0=np.zeros(0),
                side1=np.zeros(0),
                side2=np.zeros(0),
                tolerance=np.zeros(0, dtype=np.int16),
            )
        elif len(cols) == 1:
            table = self.process_table[cols[0]]
        else:
            table = _merged([self.process_table[c] for c in cols])
        rows = table.rows
        failures = np.zeros(rows.size, dtype=np.int8)
        if req.materials:
            works = np.zeros(rows.size, dtype=np.bool_)
            for mat in req.materials:
                col = self.material_columns.get(mat)
                if col is not None:
                    works |= self.row_materials[col][rows]
            failures += ~works
        if req.board is not None:
            key = tuple(cols)
            board = self._board_by_columns.get(key)
            if board is None:
                board = self._board_by_columns.setdefault(key, self.row_board[rows])
            failures += ~_board_fits(board, req.board)
        elif req.dimensions is not None:
            a, b, c = req.dimensions.sorted()
            fits = (table.side0 >= a) & (table.side1 >= b) & (table.side2 >= c)
            failures += ~fits
        if req.tolerance_class is not None:
            required = req.tolerance_class
            tolerance_fineness_um(required)  # an unreadable requirement raises, as in assess()
            lut = _lut(self.tolerance_values, lambda t: tolerance_met(t, required))
            failures += ~lut[table.tolerance]
        capable = np.zeros(n, dtype=np.bool_)
        capable[table.facility[failures == 0]] = True
        batch_ok = ~(self.max_batch < req.quantity)
        return PartView(
            offering_rows=rows,
            offering_facility=table.facility,
            row_failures=failures,
            capable=capable,
            batch_ok=batch_ok,
        )

    def costs_and_weekly(
        self, req: PartRequirement, request: MatchRequest, found: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """Cheapest unit cost and best units/week of the facilities ``found`` (sorted
        positions); NaN = unknown. Mirrors :func:`.criteria.cost_and_throughput`, including the
        part's quoted hours for rates that declare no units per hour."""
        weekly = self.declared_weekly[found]
        cols = [self.process_columns[p] for p in req.processes if p in self.process_columns]
        if not cols:
            return np.full(found.size, np.nan), weekly
        if len(cols) == 1:
            table = self.rate_columns[cols[0]]
            fac, starts, owners = table.facility, table.starts, table.owners
            lines = {name: getattr(table, name) for name in _RATE_LINE_FIELDS}
        else:
            tables = [self.rate_columns[c] for c in cols]
            fac = np.concatenate([t.facility for t in tables])
            order = np.argsort(fac, kind="stable")
            fac = fac[order]
            lines = {
                name: np.concatenate([getattr(t, name) for t in tables])[order]
                for name in _RATE_LINE_FIELDS
            }
            starts, owners = _segments(fac)
        if fac.size == 0:
            return np.full(found.size, np.nan), weekly
        machine, rate_weekly = lines["machine"], lines["weekly"]
        if req.hours:
            hours = self._quoted_hours(req)[lines["process"]]
            with np.errstate(divide="ignore", invalid="ignore"):
                machine = np.where(np.isnan(machine), lines["hourly"] * hours, machine)
                rate_weekly = np.where(
                    np.isnan(rate_weekly) & (hours > 0),
                    lines["hours_per_week"] / hours,
                    rate_weekly,
                )
        costs = unit_costs(
            machine,
            lines["setup"],
            lines["material_per_kg"],
            lines["minimum_lot"],
            req.quantity,
            req.mass_g,
        )
        code = (
            self.currency_values.index(request.currency)
            if request.currency in self.currency_values
            else -2
        )
        costs = np.where(np.isnan(costs) | (lines["currency"] != code), np.inf, costs)
        # rows are facility-major: reduce each facility's segment
        n = len(self.facilities)
        cheapest = np.full(n, np.inf)
        cheapest[owners] = np.minimum.reduceat(costs, starts)
        cost = cheapest[found]
        cost[np.isinf(cost)] = np.nan
        best_weekly = np.full(n, np.nan)
        best_weekly[owners] = np.fmax.reduceat(rate_weekly, starts)
        weekly = np.where(np.isnan(weekly), best_weekly[found], weekly)
        return cost, weekly

    def _quoted_hours(self, req: PartRequirement) -> FloatArray:
        """The part's quoted hours per unit by rate-process code (NaN: none apply)."""
        table = np.full(len(self.rate_process_values), np.nan)
        for code, process in enumerate(self.rate_process_values):
            hours = quoted_hours(process, req)
            if hours is not None:
                table[code] = hours
        return table


def _board_fits(board: FloatArray, need: BoardLimits) -> BoolArray:
    """Rows (of ``board``: sorted sides, layers, pitch) whose declared board limits meet every
    figure of ``need`` (NaN never meets), as in :func:`.criteria.board_met`."""
    ok = np.ones(board.shape[0], dtype=np.bool_)
    sides = need.sides()
    if sides is not None:
        ok &= (board[:, 0] >= sides[0]) & (board[:, 1] >= sides[1])
    if need.layers is not None:
        ok &= board[:, 2] >= need.layers
    if need.pitch_mm is not None:
        ok &= board[:, 3] <= need.pitch_mm
    return ok


_RATE_LINE_FIELDS = (
    "machine",
    "setup",
    "material_per_kg",
    "minimum_lot",
    "weekly",
    "currency",
    "hourly",
    "hours_per_week",
    "process",
)


def _rate_columns(
    rate_facility: IntArray,
    rates: FloatArray,
    rate_process: npt.NDArray[np.int16],
    hours_per_week: FloatArray,
    currency: npt.NDArray[np.int16],
    rows_by_column: tuple[IntArray, ...],
) -> tuple[RateColumn, ...]:
    hourly, setup, per_kg, lot, per_hour = (np.ascontiguousarray(rates[:, i]) for i in range(5))
    with np.errstate(divide="ignore", invalid="ignore"):
        machine = np.where(hourly == 0, 0.0, hourly / per_hour)  # NaN units/hour -> NaN
    rate_hours_per_week = hours_per_week[rate_facility]
    lines = {
        "machine": machine,
        "setup": setup,
        "material_per_kg": per_kg,
        "minimum_lot": lot,
        "weekly": per_hour * rate_hours_per_week,
        "currency": currency[rate_facility],
        "hourly": hourly,
        "hours_per_week": rate_hours_per_week,
        "process": rate_process,
    }
    return tuple(_rate_column(rows, rate_facility, lines) for rows in rows_by_column)


def _segments(facility: IntArray) -> tuple[IntArray, IntArray]:
    """Start of each run of equal facility numbers in a facility-major array, and its owner."""
    if facility.size == 0:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    starts = np.flatnonzero(np.concatenate(([True], facility[1:] != facility[:-1])))
    return starts.astype(np.int32), facility[starts]


def _rate_column(
    rows: IntArray, rate_facility: IntArray, lines: dict[str, npt.NDArray[Any]]
) -> RateColumn:
    facility = rate_facility[rows]
    starts, owners = _segments(facility)
    return RateColumn(
        facility=facility,
        starts=starts,
        owners=owners,
        **{name: lines[name][rows] for name in _RATE_LINE_FIELDS},
    )
