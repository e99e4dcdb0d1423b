"""The sub-commands behind the command line: parse items, run, print a short report."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from sim.config import load_config
from sim.experiments import levers
from sim.experiments.spec import ExperimentError, from_config, load
from sim.experiments.stats import MIN_N


def split_items(items: list[str], names_allowed: bool) -> tuple[str, list[str], list[str]]:
    """``scenario=NAME``, other ``KEY=VALUE`` overrides, and scenario names.

    Where several scenarios are allowed (``compare``), ``scenario=NAME`` adds one to the names.
    """
    scenario, overrides, names = "baseline", [], []
    for item in items:
        if item.startswith("scenario=") and names_allowed:
            names.append(item.split("=", 1)[1])
        elif item.startswith("scenario="):
            scenario = item.split("=", 1)[1]
        elif "=" in item:
            overrides.append(item)
        elif names_allowed:
            names.append(item)
        else:
            raise ExperimentError(
                f"{item!r} is not KEY=VALUE (write scenario={item} to choose a scenario)"
            )
    return scenario, overrides, names


def options(args) -> dict:
    """Keyword arguments shared by every experiment function."""
    from sim.results import TABLES

    if args.tables is None:
        tables = None
    elif args.tables == "all":
        tables = TABLES
    else:
        tables = tuple(t for t in args.tables.split(",") if t)
    opts = {
        "jobs": args.jobs,
        "backend": args.backend,
        "scheduler": args.scheduler,
        "out": args.out,
        "tables": tables,
        "progress": not args.no_progress,
        "save_on": args.save_on,
    }
    if getattr(args, "ensemble", None):
        from sim import ensemble

        opts["ensemble"] = ensemble.load(args.ensemble)
    return opts


def _with_ensemble(payload: list, opts: dict) -> list:
    """Default-folder key: the ensemble's digest joins it when one is given."""
    ens = opts.get("ensemble")
    return payload if ens is None else [*payload, ["ensemble", ens.digest()]]


def base_config(args):
    """The configuration named by the items, and the root seed (``--seed`` or its run.seed)."""
    scenario, overrides, _ = split_items(args.items, names_allowed=False)
    cfg = load_config(scenario, overrides)
    return from_config(cfg, scenario, overrides), (cfg.run.seed if args.seed is None else args.seed)


def run(args) -> int:
    """Run the parsed command; 0 on success, 1 if replicates failed."""
    command = {
        "replicates": replicates,
        "compare": compare,
        "size-fund": size_fund,
        "sensitivity": sensitivity,
        "discover": discover,
        "frontier": frontier,
    }[args.command]
    out = command(args)
    return report_failures(out)


def replicates(args) -> Path:
    """``replicates``: n replicates of one scenario."""
    from sim.experiments import run_replicates

    spec, seed = base_config(args)
    opts = options(args)
    opts["out"] = opts["out"] or _default(
        "replicates", _with_ensemble([spec.label, spec.overrides, seed], opts), opts
    )
    table = run_replicates(spec, args.n, seed, **opts)
    if table.empty:
        raise every_replicate_failed(opts["out"])
    keys = [o.key for o in levers.OUTCOMES if o.key in table.columns]
    print(
        table[keys]
        .astype(float)
        .describe(percentiles=[0.05, 0.5, 0.95])
        .T.to_string(float_format="%.4g")
    )
    return _done(opts["out"])


def compare(args) -> Path:
    """``compare``: scenarios (names and --variant) against the first."""
    from sim.experiments import compare as run_compare

    _, common, names = split_items(args.items, names_allowed=True)
    specs = [load(n, n, common) for n in (names or ([] if args.variant else ["baseline"]))]
    for text in args.variant:
        label, _, rest = text.partition("=")
        parts = shlex.split(rest)
        if not label or not parts:
            raise ExperimentError(f"--variant {text!r}: write 'LABEL=SCENARIO KEY=VALUE ...'")
        specs.append(load(label.strip(), parts[0], [*common, *parts[1:]]))
    seed = specs[0].config["run"]["seed"] if args.seed is None else args.seed
    opts = options(args)
    opts["out"] = opts["out"] or _default(
        "compare",
        _with_ensemble([[(s.label, s.scenario, s.overrides) for s in specs], seed], opts),
        opts,
    )
    table = run_compare(specs, args.n, seed, **opts)
    if table.empty:
        raise every_replicate_failed(opts["out"])
    keys = [o.key for o in levers.OUTCOMES]
    shown = table[table["outcome"].isin(keys)].set_index(["outcome", "scenario"]).sort_index()
    cols = ["median", "p05", "p95", "diff_mean", "diff_ci_low", "diff_ci_high", "n"]
    print(shown[cols].to_string(float_format="%.4g"))
    pairs = int(table["n"].max())
    if pairs < MIN_N:
        print(
            f"Only {pairs} replicate pair(s): too few for the diff_ci columns to mean anything "
            f"(NaN with 1 pair, a t interval on {max(pairs - 1, 0)} degree(s) of freedom with 2); "
            f"use --n {MIN_N} or more."
        )
    return _done(opts["out"])


def size_fund(args) -> Path:
    """``size-fund``: smallest fund (or largest leverage) meeting alpha."""
    from sim.experiments import size_fund as run_size

    spec, seed = base_config(args)
    grid = parse_floats("--grid", args.grid) if args.grid else None
    opts = options(args)
    opts["out"] = opts["out"] or _default(
        "size-fund",
        _with_ensemble(
            [
                spec.label,
                spec.overrides,
                args.alpha,
                args.solve_for,
                grid,
                seed,
                args.check_seed,
                args.tolerance,
                *([args.method] if args.method != "grid" else []),
            ],
            opts,
        ),  # fmt: skip
        opts,
    )
    _, answer = run_size(
        spec,
        args.alpha,
        args.n,
        seed,
        solve_for=args.solve_for,
        method=args.method,
        grid=grid,
        check_n=args.check_n,
        check_seed=args.check_seed,
        tolerance=args.tolerance,
        **opts,
    )
    print(answer["message"])
    return _done(opts["out"])


def sensitivity(args) -> Path:
    """``sensitivity``: Morris and/or Sobol indices."""
    from sim.experiments import sensitivity as run_sa

    spec, seed = base_config(args)
    split = lambda text: [t for t in text.split(",") if t] if text else None  # noqa: E731
    kw = {
        "params": split(args.params),
        "kind": args.kind,
        "outcomes": split(args.outcomes),
        "methods": split(args.method),
        "ranges": parse_ranges(args.range),
        "trajectories": args.trajectories,
        "levels": args.levels,
        "sobol_n": args.sobol_n,
    }
    opts = options(args)
    opts["out"] = opts["out"] or _default(
        "sensitivity", [spec.label, spec.overrides, seed, kw], opts
    )
    tables = run_sa(spec, args.n, seed, **kw, **opts)
    for method in ("morris", "sobol"):
        if method in tables:
            col = "mu_star_share" if method == "morris" else "ST"
            grid = tables[method].pivot(index="outcome", columns="parameter", values=col)
            print(f"{method}: {col} (rows: outcomes, columns: parameters)")
            print(grid.to_string(float_format="%.3f"))
    return _done(opts["out"])


def discover(args) -> Path:
    """``discover``: PRIM boxes of the conditions under which an outcome happens."""
    from sim.experiments.discover import discover as run_discover

    spec, seed = base_config(args)
    split = lambda text: [t for t in text.split(",") if t] if text else None  # noqa: E731
    kw = {
        "outcome": args.outcome,
        "threshold": args.threshold,
        "params": split(args.params),
        "include_levers": args.levers,
        "ranges": parse_ranges(args.range),
        "points": args.points,
        "prim_threshold": args.prim_threshold,
        "peel_alpha": args.peel_alpha,
        "max_boxes": args.max_boxes,
    }
    opts = options(args)
    design = [kw[k] for k in ("params", "include_levers", "ranges", "points")]
    opts["out"] = opts["out"] or _default(
        "discover", [spec.label, spec.overrides, seed, design], opts
    )
    result = run_discover(spec, args.n, seed, **kw, **opts)["result"]
    print(result["message"])
    return _done(opts["out"])


def frontier(args) -> Path:
    """``frontier``: non-dominated lever settings found by NSGA-II."""
    from sim.experiments.frontier import frontier as run_frontier

    spec, seed = base_config(args)
    split = lambda text: [t for t in text.split(",") if t] if text else None  # noqa: E731
    kw = {
        "params": split(args.params),
        "ranges": parse_ranges(args.range),
        "population": args.population,
        "generations": args.generations,
    }
    opts = options(args)
    opts["out"] = opts["out"] or _default("frontier", [spec.label, spec.overrides, seed, kw], opts)
    result = run_frontier(spec, args.n, seed, **kw, **opts)["result"]
    print(result["message"])
    return _done(opts["out"])


def parse_floats(option: str, text: str) -> list[float]:
    """``"1e6,2e6"`` -> ``[1e6, 2e6]``, or a one-line error naming the option."""
    try:
        return [float(v) for v in text.split(",") if v]
    except ValueError:
        raise ExperimentError(f"{option} {text!r}: give comma-separated numbers") from None


def parse_ranges(items: list[str]) -> dict:
    """``["fund.initial=1e6:5e6"]`` -> ``{"fund.initial": (1e6, 5e6)}``."""
    ranges = {}
    for item in items:
        key, _, span = item.partition("=")
        lo, sep, hi = span.partition(":")
        try:
            ranges[key] = (float(lo), float(hi))
        except ValueError:
            sep = ""
        if not key or not sep:
            raise ExperimentError(
                f"--range {item!r}: write KEY=LOW:HIGH, e.g. fund.initial=1e6:5e6"
            )
    return ranges


def _default(kind: str, payload: list, opts: dict) -> Path:
    """Default folder ``experiments/<kind>-<hash of payload>``.

    ``--tables``, when given, joins the key: a folder keeps one set of tables per replicate,
    so other tables get another folder.
    """
    from sim.experiments.folder import default_out

    tables = opts.get("tables")
    if tables is not None:
        payload = [*payload, ["tables", list(dict.fromkeys(["timeseries", *tables]))]]
    return default_out(kind, payload)


def _done(out) -> Path:
    print(f"experiment folder: {out}")
    return Path(out)


def every_replicate_failed(out) -> ExperimentError:
    """The one-line error of an experiment none of whose replicates finished.

    Names the first failure's error and ``failures.json``; the folder is kept, so that
    re-running the same command retries them once the cause is fixed.
    """
    import json

    path = Path(out) / "failures.json"
    try:
        failures = json.loads(path.read_text(encoding="utf-8"))
        first = f" (first: {failures[0]['error'].strip().splitlines()[0][:200]})"
    except (OSError, ValueError, LookupError, AttributeError):
        first = ""
    return ExperimentError(
        f"every replicate failed{first}; see {path}, then re-run the same command to retry them"
    )


def report_failures(out: Path) -> int:
    """Print the failed replicates (seed and error) and return the exit status."""
    import json

    path = Path(out) / "failures.json"
    failures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    for f in failures[:10]:
        print(
            f"failed: {f['scenario']} replicate {f['replicate']} seed {f['seed']}: {f['error']}",
            file=sys.stderr,
        )
    if failures:
        print(
            f"{len(failures)} replicates failed (see {path}); re-run the same command to retry them",
            file=sys.stderr,
        )
    return 1 if failures else 0
