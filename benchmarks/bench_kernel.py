"""What a compiled kernel would save: one phase in NumPy against the same phase fused in numba.

numba is not a dependency of the model; this estimate needs it installed separately
(``pip install numba``). It steps the default county to month 24 (mid-campaign, loans of every
age on the book), then times, on that state:

* ``accrue_interest`` as the model does it (phase 3: monthly interest on performing loans,
  the quarter's interest due, the guarantee fees, each summed per bank), without the
  quarter-end settlement;
* the same arithmetic fused into one compiled pass over the households.

The two must give the same per-bank sums (checked); the ratio says what compiling the
month's household passes would gain. Usage::

    python benchmarks/bench_kernel.py [--reps 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_config  # noqa: E402
from sim.runner import build_model  # noqa: E402

try:
    import numba
except ImportError:  # pragma: no cover - an optional measurement
    sys.exit("bench_kernel needs numba (pip install numba); it is not a dependency of the model")


@numba.njit(cache=False)
def fused_accrual(balance, rate, active, overdue, bank, n_banks, fee_rate, interest_due):
    """Interest and guarantee fee of every performing loan, summed per bank, in one pass."""
    interest_by_bank = np.zeros(n_banks)
    fee_by_bank = np.zeros(n_banks)
    for i in range(balance.shape[0]):
        if active[i] and not overdue[i]:
            x = balance[i] * rate[i] / 12.0
            interest_due[i] += x
            interest_by_bank[bank[i]] += x
            fee_by_bank[bank[i]] += balance[i] * fee_rate
    return interest_by_bank, fee_by_bank


def numpy_accrual(loans, n_banks, fee_rate, interest_due):
    """The model's NumPy passes for the same quantities."""
    performing = loans.active & ~loans.overdue
    interest = loans.balance * loans.rate
    interest *= performing
    interest /= 12.0
    interest_due += interest
    fee = loans.balance * performing
    fee *= fee_rate
    return loans.sum_by_bank(interest, n_banks), loans.sum_by_bank(fee, n_banks)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args(argv)
    cfg = load_config("baseline", [])
    model = build_model(cfg, 1)
    for _ in range(24):
        model.step()
    loans, n_banks = model.loans, model.ledger.n_banks
    fee_rate = cfg.guarantee.household_fee_rate / 12.0
    bank = loans.bank.astype(np.int64)
    due_np, due_nb = loans.interest_due.copy(), loans.interest_due.copy()
    fused_accrual(loans.balance, loans.rate, loans.active, loans.overdue, bank, n_banks,
                  fee_rate, due_nb.copy())  # compile  # fmt: skip
    a = numpy_accrual(loans, n_banks, fee_rate, due_np)
    b = fused_accrual(loans.balance, loans.rate, loans.active, loans.overdue, bank, n_banks,
                      fee_rate, due_nb)  # fmt: skip
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9)
    np.testing.assert_allclose(due_np, due_nb, rtol=1e-12)
    timings = {}
    for name, fn in (
        ("numpy", lambda: numpy_accrual(loans, n_banks, fee_rate, due_np)),
        ("numba", lambda: fused_accrual(loans.balance, loans.rate, loans.active,
                                        loans.overdue, bank, n_banks, fee_rate, due_nb)),
    ):  # fmt: skip
        start = time.perf_counter()
        for _ in range(args.reps):
            fn()
        timings[name] = (time.perf_counter() - start) / args.reps
    n = loans.n
    print(
        f"{n} households, {int(loans.active.sum())} open loans at month 24 (numba {numba.__version__})"
    )
    for name, sec in timings.items():
        print(f"  {name}: {sec * 1e6:7.1f} us a month ({sec / n * 1e9:.2f} ns a household)")
    print(f"  ratio numba / numpy: {timings['numba'] / timings['numpy']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
