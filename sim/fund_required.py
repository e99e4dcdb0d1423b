"""The smallest opening fund that would have kept one run's fund from running out.

Where lending capacity does not bind, the claims on the risk-compensation fund do not depend
on the fund's size: the same loans default on the same seeds whatever the deposit. One run
then tells, for its seed, the smallest opening fund ``F`` whose balance path

    F + cumulative top-ups - cumulative claims + cumulative recoveries

stays above zero in every month, where a claim is what the fund owed (``fund_payout`` plus
``fund_shortfall``, the share it could not pay). Everything is county-wide: the office moves
money between the banks' deposits, which cancels out in the sum. The run records it as
``summary["fund_required"]`` and ``sim.experiments.size_fund`` takes its (1 - alpha) quantile
over replicates instead of simulating a grid of funds (docs/experiments.md).

Within a month the fund first collects recoveries and pays claims (phase 7), then receives
the yearly top-up (phase 8), so a top-up never covers a claim of the same month. A run
exhausts its fund at ``F`` exactly when ``F <= fund_required`` (a balance that touches zero
counts as exhausted, as in the model); ``fund_required = 0`` means inflows always covered the
claims, so no positive fund runs out.

Top-up rules (``fund.topup_rule``):

* ``none``, ``fixed``: top-ups do not depend on ``F``, so ``F_req = max(0, -min_t Y_t)`` with
  ``Y_t`` the cumulative net inflow up to the claims of month ``t``.
* ``restore``: each top-up month the fund is brought back up to its target. Split the
  months into segments ending at a top-up; let ``d_k`` be the deepest drawdown within
  segment ``k`` and ``N_k`` its net inflow. With target ``T`` the balance that starts segment
  ``k >= 1`` is ``S_k = max(T, S_{k-1} + N_{k-1})``, so
  ``S_k(F) = max(F + P_k, max_{1<=j<=k} (T + N_j + ... + N_{k-1}))`` with ``P_k`` the
  sum of ``N_0 .. N_{k-1}``. Segment ``k`` needs ``S_k > d_k``; only the ``F`` branch depends on
  ``F``, hence ``F_req = max(d_0, max over k with A_k <= d_k of (d_k - P_k))`` where ``A_k``
  is the ``T`` branch. When the target is the initial fund itself (``target = 0``), ``T = F``
  and ``S_k(F) = F + M_k`` with ``M_k = max(0, max_{j<k} N_j + ... + N_{k-1})``, so
  ``F_req = max_k (d_k - M_k)``.

Recoveries are taken as observed. In a run whose fund did run short the fund recovered only
the share it had paid, so there ``fund_required`` errs on the high side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

RULES = ("none", "fixed", "restore")


def fund_required(
    claims: np.ndarray,
    recoveries: np.ndarray,
    topups: np.ndarray,
    topup_month: np.ndarray,
    rule: str,
    target: float = 0.0,
) -> float:
    """Smallest opening fund whose balance stays above zero (0: never runs out).

    Args:
        claims: the fund's claims each month (paid plus unpaid share), yuan.
        recoveries: recoveries returned to the fund each month, yuan.
        topups: top-ups received each month (used by ``none`` and ``fixed``), yuan.
        topup_month: True in the months with a yearly top-up (used by ``restore``).
        rule: ``"none"``, ``"fixed"`` or ``"restore"``.
        target: the restore target in yuan (0: the initial fund).
    """
    claims, rec = np.asarray(claims, float), np.asarray(recoveries, float)
    if rule not in RULES:
        raise ValueError(f"fund.topup_rule={rule!r}: choose one of {', '.join(RULES)}")
    if len(claims) == 0:
        return 0.0
    net = rec - claims
    if rule in ("none", "fixed"):
        before_topup = np.concatenate([[0.0], np.cumsum(np.asarray(topups, float))[:-1]])
        return float(max(0.0, -np.min(np.cumsum(net) + before_topup)))
    ends = np.asarray(topup_month, bool).nonzero()[0]
    segments = np.split(net, ends + 1)
    drawdown = np.array([max(0.0, -np.min(np.cumsum(s))) if len(s) else 0.0 for s in segments])
    total = np.array([s.sum() for s in segments])
    need = drawdown[0]
    prefix = 0.0  # P_k = N_0 + ... + N_{k-1}
    reach = 0.0  # target: R_k = max(0, R_{k-1} + N_{k-1}), R_1 = 0; else M_k, M_0 = 0
    for k in range(1, len(segments)):
        prefix += total[k - 1]
        if target > 0:
            reach = 0.0 if k == 1 else max(0.0, reach + total[k - 1])
            if drawdown[k] > 0 and target + reach <= drawdown[k]:
                need = max(need, drawdown[k] - prefix)
        else:
            reach = max(0.0, reach + total[k - 1])
            need = max(need, drawdown[k] - reach)
    return float(max(0.0, need))


class FundRequirement:
    """Collects the county's monthly fund flows of one run (fed by the recorder)."""

    def __init__(self, model: MicrocreditModel):
        f = model.cfg.fund
        self.rule, self.target = str(f.topup_rule), float(f.target)
        self.topup_month_of_year = int(f.topup_month)
        self.claims: list[float] = []
        self.recoveries: list[float] = []
        self.topups: list[float] = []
        self.topup_month: list[bool] = []
        self.months_capacity_bound = 0

    def observe(
        self,
        model: MicrocreditModel,
        month_totals: dict[str, float] | None = None,
        fund_balance: float | None = None,
    ) -> None:
        """Read this month's ledger flows (call once a month, after the fund is managed).

        ``month_totals`` (county total of each flow this month) and ``fund_balance`` (the
        county's fund now) may be passed when already summed; they are read from the ledger
        otherwise.
        """
        led = model.ledger
        if month_totals is None:
            month_totals = {f: float(v.sum()) for f, v in led.month.items()}
        self.claims.append(month_totals["fund_payout"] + month_totals["fund_shortfall"])
        self.recoveries.append(month_totals["fund_recovery"])
        self.topups.append(month_totals["fund_topup"])
        t = model.t
        self.topup_month.append(t > 0 and model.calendar.month(t) == self.topup_month_of_year)
        # lending refused for want of capacity while the fund was still whole (not yet drawn
        # below its opening size): the fund's size shapes the loan book, so another fund
        # would make other loans and other claims. Refusals once the fund has been drawn
        # down come with every fund near its requirement and are judged by the sizing.
        if model.month_counts.get("blocked_capacity", 0) > 0:
            if fund_balance is None:
                fund_balance = float(led.fund_balance.sum())
            if fund_balance >= led.opening_fund.sum() - 1e-6:
                self.months_capacity_bound += 1

    def summary(self) -> dict[str, float | int]:
        """Run-summary keys: ``fund_required``, ``fund_claims`` (yuan), ``months_capacity_bound``."""
        value = fund_required(
            np.array(self.claims),
            np.array(self.recoveries),
            np.array(self.topups),
            np.array(self.topup_month),
            self.rule,
            self.target,
        )
        return {
            "fund_required": value,
            "fund_claims": float(np.sum(self.claims)),
            "months_capacity_bound": self.months_capacity_bound,
        }
