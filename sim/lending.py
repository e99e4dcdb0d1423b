"""Household-channel lending (户贷户用): applications, loan-years, maturity (§1, §3, §5, §9).

Functions here operate on the whole household table at once; money moves only through
``model.ledger``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.banks import approve, creditworthy, fits_whole, may_renew, priority_order
from sim.enterprises import ACTIVE, DEFAULTED, local_choice
from sim.guarantors import guarantor_index
from sim.loans import NEVER

if TYPE_CHECKING:
    from sim.model import MicrocreditModel


def amount_asked(model: MicrocreditModel, idx: np.ndarray) -> np.ndarray:
    """Amount each household in ``idx`` asks for: its share of its grade's credit line."""
    step = float(model.cfg.uptake.amount_step)
    line = model.credit_lines[model.county.hh_grade[idx]]
    return np.maximum(np.floor(line * model.households.amount_share[idx] / step) * step, step)


def subsidy_share(
    model: MicrocreditModel, amount: np.ndarray, term_m: np.ndarray, t: int
) -> np.ndarray:
    """Share of interest the county reimburses on a loan signed at ``t`` (§3)."""
    s = model.cfg.subsidy
    if not s.enabled:
        return np.zeros(len(amount))
    eligible = (amount <= s.max_amount) & (term_m <= 12 * s.max_term_years)
    share = 1.0 if model.calendar.in_campaign(t) else float(s.transition_share)
    return np.where(eligible, share, 0.0)


def rate_for(model: MicrocreditModel, term_m: np.ndarray, t: int) -> np.ndarray:
    """Benchmark rate by term in the campaign; the LPR cap afterwards (§3)."""
    c = model.cfg.credit
    if model.calendar.in_campaign(t):
        return np.where(term_m == 12, c.rate_1y, c.rate_multi)
    return np.full(len(term_m), c.rate_transition)


def applicants(model: MicrocreditModel) -> tuple[np.ndarray, np.ndarray]:
    """Rated, aware, willing, able households without a loan that apply this month.

    Returns the applicants and their place in the banks' queue: the household-event uniform
    divided by the household's hazard, which, given that it applied, is again uniform on [0, 1)
    and independent of everything else (so the queue needs no draw of its own).
    """
    t, hh, u = model.t, model.households, model.cfg.uptake
    u_apply = model.event_draw
    hazard = (
        u.hazard_monthly_campaign if model.calendar.in_campaign(t) else u.hazard_monthly_transition
    )
    # the largest hazard any household has this month; the exact one is checked on the few below it
    top = hazard * max(float(u.repeat_hazard_multiplier), 1.0)
    eligible = u_apply < top
    eligible &= hh.rated
    eligible &= hh.aware
    eligible &= hh.could_borrow
    np.greater(eligible, model.loans.active, out=eligible)  # and no loan now
    eligible &= hh.ti_next_apply <= t
    idx = eligible.nonzero()[0]
    own = np.where(hh.has_repaid[idx], hazard * u.repeat_hazard_multiplier, hazard)
    applies = u_apply[idx] < own
    return idx[applies], u_apply[idx][applies] / own[applies]


def originate(model: MicrocreditModel) -> None:
    """Applications, approval by the banks and the guarantor, and disbursement."""
    t, hh, loans = model.t, model.households, model.loans
    n = model.county.n_households
    leaking = model.cfg.enterprise.leakage_share > 0
    u_leak = model.streams["leakage"].random(n) if leaking else None
    apply, priority = applicants(model)
    amount = amount_asked(model, apply)
    worthy = creditworthy(model, apply)
    open_place = ~model.breaker.blocked_household(apply)
    approved, counts = approve(model, loans.bank[apply], amount, priority, worthy, open_place)
    for key, v in counts.items():
        model.count(key, v)
    _guarantee_room(model, amount, priority, approved)
    # refused on grade or age: wait; turned away by a suspension, capacity or guarantee: try again
    rejected = apply[~approved & ~worthy]
    hh.ti_next_apply[rejected] = t + model.cfg.uptake.reapply_wait_months
    new, amount = apply[approved], amount[approved]
    term_m = 12 * hh.term_years[new]
    g = guarantor_index(model.cfg.guarantee.household_guarantor)
    loans.originate(
        new,
        t,
        amount,
        term_m,
        rate_for(model, term_m, t),
        subsidy_share(model, amount, term_m, t),
        g,
    )
    model.ledger.post("disbursed", loans.bank[new], amount)
    _leak(model, new, u_leak)
    first = new[~hh.ever_borrowed[new]]
    hh.ever_borrowed[new] = True
    hh.ti_first_loan[first] = t
    model.count("n_applications", len(apply))
    model.count("new_loans", len(new))
    model.count("new_borrower_households", len(first))
    # the first loan-year's outcome is drawn with the loan-years that start at the review
    # (phase 5): the same draw for each household (its uniform of this month), one call a month
    loans.opened = new


def _guarantee_room(
    model: MicrocreditModel, amount: np.ndarray, priority: np.ndarray, approved: np.ndarray
) -> None:
    """Keep approved only the loans the household guarantor can still cover; the rest wait (§4).

    The guarantor takes the approved loans in ``priority`` order (queued only when they do
    not all fit).
    """
    g = guarantor_index(model.cfg.guarantee.household_guarantor)
    if g < 0:
        return
    guarantor = model.guarantors[g]
    room = guarantor.room()
    queue = approved.nonzero()[0]
    blocked = 0
    if not fits_whole(amount[queue].sum(), room, len(queue)):
        queue = priority_order(queue, priority)
        fits = guarantor.admit(amount[queue], room)
        approved[queue[~fits]] = False
        blocked = len(fits) - int(np.count_nonzero(fits))
    model.count("blocked_guarantee", blocked)


def _leak(model: MicrocreditModel, new: np.ndarray, u_leak: np.ndarray) -> None:
    """户贷企用 (§14, forbidden): a share of new loans is handed to an enterprise in the township."""
    ent, share = model.enterprises, model.cfg.enterprise.leakage_share
    if share <= 0 or u_leak is None or ent.n == 0 or len(new) == 0:
        return
    live = (ent.status == ACTIVE).nonzero()[0]
    if len(live) == 0:
        return
    leak = new[u_leak[new] < share]
    u = u_leak[leak] / share  # uniform again, given that the loan leaks
    chosen = live[local_choice(model.county.hh_township[leak], ent.township[live], u)]
    model.loans.leaked_to[leak] = chosen
    model.count("leaked_loans", len(leak))


def start_loan_years(
    model: MicrocreditModel, idx: np.ndarray, t: int, year_end: np.ndarray | None = None
) -> None:
    """Draw the project outcome of the loan-years of ``idx`` that start at ``t``.

    A loan-year runs to the next anniversary or maturity. A failed project fails in a month
    of that year and shows at the first payment it then misses (:func:`missed_payment`),
    which becomes the loan's next review; a performing one is reviewed at the year's end
    (``year_end``, by default the next anniversary or maturity).
    """
    if len(idx) == 0:
        return
    loans = model.loans
    year = model.calendar.year(t)
    u = model.outcome_noise
    failed, p = model.defaults.fails(idx, year, u, loans.pd_multiplier[idx])
    loans.failed[idx] = failed
    loans.pd_multiplier[idx] = 1.0
    length = np.minimum(12, loans.ti_maturity[idx] - t) if year_end is None else year_end - t
    review = np.empty(len(idx), dtype=loans.ti_review.dtype)
    review[:] = t + length
    # given failure v = u / p is a fresh uniform: wilful below p_wilful (非主观因素 otherwise),
    # and rescaled within either part it is again uniform and gives the month of the failure
    pw = float(model.cfg.default.p_wilful)
    f = failed.nonzero()[0]
    v = u[idx[f]] / p[f]  # p > u >= 0 where the project fails
    wilful_f = v < pw
    wilful = np.zeros(len(idx), dtype=bool)
    wilful[f] = wilful_f
    loans.wilful[idx] = wilful
    # leaked loans (户贷企用) fail with their enterprise, decided at review: not part of the cohort
    own = loans.leaked_to[idx] < 0
    own_f = own[f]
    shows = f[own_f]
    if len(shows):
        w = np.where(wilful_f, v / max(pw, 1e-300), (v - pw) / max(1.0 - pw, 1e-300))
        w = w[own_f].clip(0.0, np.nextafter(1.0, 0.0))
        t_fail = t + (w * length[shows]).astype(np.int64)
        review[shows] = missed_payment(model, idx[shows], t_fail, t)
    loans.ti_review[idx] = review
    model.recorder.count_cohort(year, int(np.count_nonzero(own)), len(shows))


def missed_payment(
    model: MicrocreditModel, idx: np.ndarray, t_fail: np.ndarray, t: int
) -> np.ndarray:
    """Step at which loans ``idx``, whose projects fail at ``t_fail``, miss a payment.

    When households pay the interest (``subsidy.interest_payer: household``) that is the
    first quarter-end at or after the failure (never the month the loan-year starts); when
    the county pays it directly, a fully subsidised loan has nothing to pay before principal
    falls due at maturity. Never later than maturity.
    """
    loans, cal = model.loans, model.calendar
    start = np.maximum(t_fail, t + 1)
    quarter_end = start + (3 - cal.month(start) % 3) % 3
    if model.cfg.subsidy.interest_payer == "county":
        quarter_end = np.where(loans.subsidy_share[idx] >= 1.0, NEVER, quarter_end)
    return np.minimum(quarter_end, loans.ti_maturity[idx])


def review(model: MicrocreditModel) -> None:
    """Loans that need a decision now: overdue, extension, renewal, repayment (§5).

    A failed project's missed payment makes the loan overdue, unless the failure is beyond
    the household's control and the bank extends it (展期), before or at maturity. A loan-year
    that ends while performing starts the next one, or at maturity the loan is repaid or
    renewed without repaying principal (无还本续贷).
    """
    t, loans, m = model.t, model.loans, model.cfg.maturity
    due = (loans.active & ~loans.overdue & (loans.ti_review == t)).nonzero()[0]
    leaked = loans.leaked_to[due] >= 0
    if leaked.any():  # a leaked loan's fate follows the enterprise that uses it
        loans.failed[due[leaked]] = (
            model.enterprises.status[loans.leaked_to[due[leaked]]] == DEFAULTED
        )
    at_maturity = loans.ti_maturity[due] == t
    failed = loans.failed[due]
    in_campaign = model.calendar.in_campaign(t)
    u_renew = model.event_draw[due]

    ext_ok = m.extension_enabled and (in_campaign or m.extension_after_campaign)
    extend = failed & ~loans.wilful[due] & (loans.extended[due] < m.max_extensions) & ext_ok
    wants = (
        ~failed
        & at_maturity
        & (loans.term_m[due] <= 12 * m.renewal_max_term_years)
        & (u_renew < m.p_renewal_request)
    )
    renew = np.zeros(len(due), dtype=bool)
    if m.renewal_enabled and (in_campaign or m.renewal_after_campaign):
        renew[wants] = may_renew(model, due[wants])  # the same rule at every bank
    next_year = ~failed & ~at_maturity

    go_overdue(model, due[failed & ~extend])
    repay(model, due[~failed & at_maturity & ~renew])
    _extend(model, due[extend], t)
    idx = due[renew]
    loans.ti_maturity[idx] = t + 12
    loans.renewed[idx] += 1
    model.count("renewals", int(renew.sum()))
    model.count("extensions", int(extend.sum()))
    model.count("new_overdue", int((failed & ~extend).sum()))
    # the loans opened this month (phase 2) start their first loan-year with these
    start_loan_years(model, np.concatenate([due[extend], idx, due[next_year], loans.opened]), t)
    loans.opened = loans.opened[:0]


def _extend(model: MicrocreditModel, idx: np.ndarray, t: int) -> None:
    """Extend loans ``idx``: maturity moves on by up to the original term (展期, §5)."""
    if len(idx) == 0:
        return
    loans = model.loans
    length = np.minimum(model.cfg.maturity.extension_max_months, loans.term_m[idx])
    loans.ti_maturity[idx] = np.maximum(loans.ti_maturity[idx], t) + length
    loans.extended[idx] += 1
    loans.pd_multiplier[idx] = model.cfg.default.extension_pd_multiplier


def go_overdue(model: MicrocreditModel, idx: np.ndarray) -> None:
    """Loans ``idx`` stop performing: accrued interest of the quarter is reversed."""
    if len(idx) == 0:
        return
    loans = model.loans
    loans.overdue[idx] = True
    loans.mpd[idx] = 0
    model.ledger.post("interest_reversed", loans.bank[idx], loans.interest_due[idx])
    loans.interest_due[idx] = 0.0


def repay(model: MicrocreditModel, idx: np.ndarray) -> None:
    """Households ``idx`` repay their whole principal (and settle the quarter's interest)."""
    if len(idx) == 0:
        return
    loans, hh = model.loans, model.households
    model.finance_office.settle_interest(model.t, idx, quarter_end=False)
    model.ledger.post("principal_repaid", loans.bank[idx], loans.balance[idx])
    loans.reduce(idx, loans.balance[idx].copy(), "repaid")
    hh.has_repaid[idx] = True
    hh.ti_next_apply[idx] = model.t + model.cfg.uptake.reapply_wait_months
    loans.close(idx)
