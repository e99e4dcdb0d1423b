"""Sums of per-household values over contiguous groups (villages, townships, banks).

Households are stored village by village, villages township by township, and townships in
the contiguous bank blocks of 分片包干, so every such group is one run of consecutive rows and
a group sum is a single ``np.add.reduceat`` pass (several times faster than ``np.bincount``
with weights, which the month-end aggregation would otherwise spend most of its time in).
"""

from __future__ import annotations

import numpy as np


class Segments:
    """Contiguous groups of rows: ``group`` must be non-decreasing."""

    def __init__(self, group: np.ndarray, n_groups: int):
        group = np.asarray(group)
        if len(group) and np.any(group[1:] < group[:-1]):
            raise ValueError("rows must be ordered by group for segment sums")
        self.n_groups = int(n_groups)
        self.n_rows = len(group)
        self.counts = np.bincount(group, minlength=n_groups)
        starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.intp)
        self.starts = starts
        # reduceat sums from each index to the next one (the last to the end of the array), so
        # it is given the starts of the non-empty groups only; empty groups stay zero
        self._filled = self.counts.nonzero()[0]
        self._any_empty = len(self._filled) < self.n_groups
        self._at = starts[self._filled]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per row) in each group; booleans are counted."""
        if self.n_rows == 0:
            return np.zeros(self.n_groups, dtype=np.int64 if values.dtype == bool else float)
        if values.dtype == bool:
            sums = np.add.reduceat(values.view(np.uint8), self._at, dtype=np.int64)
        else:
            sums = np.add.reduceat(values, self._at)
        if not self._any_empty:
            return sums
        out = np.zeros(self.n_groups, dtype=sums.dtype)
        out[self._filled] = sums
        return out

    def sum_rows(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per row of ``rows``, increasing) in each group.

        Each group's rows are one run of ``rows``, so this too is one ``reduceat`` pass.
        """
        out = np.zeros(self.n_groups)
        if not len(rows):
            return out
        at = np.searchsorted(rows, self.starts)  # where each group's run of rows starts
        some = np.diff(np.append(at, len(rows))) > 0  # groups with at least one row
        out[some] = np.add.reduceat(values, at[some])
        return out
