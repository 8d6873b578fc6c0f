"""A thin sparse model builder over highspy: blocks of columns and rows, passed in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from fabnet.engine.planning.highs import new_highs

INF = float(highspy.kHighsInf)


@dataclass
class RowBlock:
    """A named group of rows; ``entity`` says which object each row belongs to."""

    name: str
    start: int
    stop: int
    entity: NDArray[np.int64]


@dataclass
class ModelBuilder:
    cost: list[NDArray[np.float64]] = field(default_factory=list)
    lower: list[NDArray[np.float64]] = field(default_factory=list)
    upper: list[NDArray[np.float64]] = field(default_factory=list)
    integer: list[NDArray[np.bool_]] = field(default_factory=list)
    n_cols: int = 0
    row_lower: list[NDArray[np.float64]] = field(default_factory=list)
    row_upper: list[NDArray[np.float64]] = field(default_factory=list)
    coo_row: list[NDArray[np.int64]] = field(default_factory=list)
    coo_col: list[NDArray[np.int64]] = field(default_factory=list)
    coo_val: list[NDArray[np.float64]] = field(default_factory=list)
    n_rows: int = 0
    blocks: dict[str, RowBlock] = field(default_factory=dict)

    def add_columns(
        self,
        n: int,
        cost: ArrayLike = 0.0,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = INF,
        *,
        integer: bool = False,
    ) -> NDArray[np.int64]:
        """Add ``n`` columns; returns their indices."""
        self.cost.append(np.broadcast_to(np.asarray(cost, np.float64), (n,)).copy())
        self.lower.append(np.broadcast_to(np.asarray(lower, np.float64), (n,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, np.float64), (n,)).copy())
        self.integer.append(np.full(n, integer))
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.n_cols += n
        return idx

    def add_rows(
        self,
        name: str,
        n: int,
        lower: ArrayLike,
        upper: ArrayLike,
        row: NDArray[np.int64],
        col: NDArray[np.int64],
        val: ArrayLike,
        entity: NDArray[np.int64] | None = None,
    ) -> RowBlock:
        """Add ``n`` rows from triplets (``row`` is local: 0..n-1)."""
        start = self.n_rows
        self.row_lower.append(np.broadcast_to(np.asarray(lower, np.float64), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, np.float64), (n,)).copy())
        values = np.broadcast_to(np.asarray(val, np.float64), row.shape).copy()
        self.coo_row.append(np.asarray(row, np.int64) + start)
        self.coo_col.append(np.asarray(col, np.int64))
        self.coo_val.append(values)
        self.n_rows += n
        ent = np.arange(n, dtype=np.int64) if entity is None else np.asarray(entity, np.int64)
        block = RowBlock(name, start, start + n, ent)
        if n:
            if name in self.blocks:
                raise ValueError(f"row block {name!r} added twice")  # programming error
            self.blocks[name] = block
        return block

    def column_arrays(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
        cat = np.concatenate
        return (
            cat(self.cost) if self.cost else np.zeros(0),
            cat(self.lower) if self.lower else np.zeros(0),
            cat(self.upper) if self.upper else np.zeros(0),
            cat(self.integer) if self.integer else np.zeros(0, bool),
        )

    def matrix(self) -> sp.csr_matrix:
        cat = np.concatenate
        if not self.coo_row:
            return sp.csr_matrix((self.n_rows, self.n_cols))
        return sp.csr_matrix(
            (cat(self.coo_val), (cat(self.coo_row), cat(self.coo_col))),
            shape=(self.n_rows, self.n_cols),
        )

    def row_bounds(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not self.row_lower:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.row_lower), np.concatenate(self.row_upper)

    def satisfied_by(self, values: NDArray[np.float64], tol: float = 1e-6) -> bool:
        """Whether ``values`` keeps every column and row bound of the model (relative ``tol``)."""
        _, lower, upper, _ = self.column_arrays()
        if (values < lower - tol).any() or (values > upper + tol).any():
            return False
        activity = self.matrix() @ values
        row_lo, row_up = self.row_bounds()
        scale = tol * np.maximum(1.0, np.abs(activity))
        return bool(((activity >= row_lo - scale) & (activity <= row_up + scale)).all())

    def to_highs(self, *, relax: bool, threads: int = 1) -> highspy.Highs:
        """A fresh Highs instance holding the model (integrality dropped when ``relax``)."""
        h = new_highs()
        h.setOptionValue("threads", threads)
        cost, lower, upper, integer = self.column_arrays()
        h.addCols(
            len(cost),
            cost,
            lower,
            upper,
            0,
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        add_csr_rows(h, self.matrix(), *self.row_bounds())
        if not relax and integer.any():
            set_integrality(h, np.flatnonzero(integer))
        return h


def add_csr_rows(
    h: highspy.Highs,
    matrix: sp.csr_matrix,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> None:
    """Add rows in one call."""
    if matrix.shape[0] == 0:
        return
    m = matrix.tocsr()
    m.sum_duplicates()
    h.addRows(
        m.shape[0],
        np.ascontiguousarray(lower, np.float64),
        np.ascontiguousarray(upper, np.float64),
        m.nnz,
        m.indptr[:-1].astype(np.int32),
        m.indices.astype(np.int32),
        m.data.astype(np.float64),
    )


def set_integrality(h: highspy.Highs, columns: NDArray[np.int64]) -> None:
    if len(columns):
        h.changeColsIntegrality(
            len(columns),
            columns.astype(np.int32),
            np.full(len(columns), highspy.HighsVarType.kInteger),
        )
