"""The experiment subcommands of ``dudao-sim``: scenarios, run, compare, sweep and so on.

Besides ``scenarios`` and ``run``: ``sweep``, ``sensitivity`` and ``report``.

``compare`` is the main job (``make run``): it runs the baseline and the reforms on the same
seeds over the bundled province, streams every run to an output folder (``--resume`` continues
an interrupted one), prints the paired differences and writes the HTML report. The same call
runs on a Dask cluster with ``--scheduler tcp://host:8786``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from dudao_sim.cli.main import (
    Command,
    UsageError,
    add_province_arguments,
    load_from_args,
)
from dudao_sim.experiments import (
    ResultStore,
    StoreError,
    paired_differences,
    run_ensemble,
    run_sweep,
    spawn_seeds,
    summarize,
)
from dudao_sim.policy.levers import LEVERS
from dudao_sim.policy.scenarios import ScenarioError, load_scenario, scenario_names

#: Outcomes printed in summaries (the report shows more).
KEY_OUTCOMES = (
    "index_coverage",
    "index_efficiency",
    "index_authority",
    "index_accountability",
    "coverage_badged",
    "detection_rate",
    "fake_share",
    "rebound_rate",
    "report_distortion",
    "quality_mean",
    "visits_per_school_year",
    "cost_yuan_year",
)
LABELS_ZH = {
    "index_coverage": "全面覆盖指数",
    "index_efficiency": "运转高效指数",
    "index_authority": "结果权威指数",
    "index_accountability": "问责有力指数",
    "coverage_badged": "挂牌督导覆盖率",
    "detection_rate": "问题发现率",
    "fake_share": "虚假整改占比",
    "rebound_rate": "问题反弹率",
    "report_distortion": "上报失真",
    "quality_mean": "学校质量(SD)",
    "visits_per_school_year": "校均年督导次数",
    "cost_yuan_year": "年度成本(元)",
}


def _positive(name: str, value: int | None, minimum: int = 1) -> None:
    if value is not None and value < minimum:
        raise UsageError(f"{name}: {value} is not allowed; must be >= {minimum}")


def _parse_value(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


def _parse_settings(items: list[str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    from dudao_sim.policy.assumptions import ASSUMPTIONS

    levers, assumptions = {}, {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--set: {item!r} is not allowed; write NAME=VALUE")
        name, value = item.split("=", 1)
        name = name.strip()
        if name in LEVERS:
            levers[name] = _parse_value(value)
        elif name in ASSUMPTIONS:
            assumptions[name] = _parse_value(value)
        else:
            raise UsageError(
                f"--set: {name!r} is neither a lever nor an assumption "
                "(see dudao-sim scenarios --levers)"
            )
    return levers, assumptions


def _add_run_options(parser: argparse.ArgumentParser, months: int = 120) -> None:
    add_province_arguments(parser)
    parser.add_argument(
        "--months",
        type=int,
        default=months,
        help=f"months after the reform switch (default {months})",
    )
    parser.add_argument(
        "--warmup-months",
        type=int,
        default=24,
        help="months of the shared pre_reform warm-up (default 24)",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="set a lever or assumption for every run (repeatable)",
    )


def _add_execution_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds", type=int, default=6, help="replicate seeds per scenario or point (default 6)"
    )
    parser.add_argument("--workers", type=int, help="local processes (default: all cores)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786"
    )
    parser.add_argument("--out", metavar="DIR", help="output folder for results and report")
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted experiment in --out"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _execution(args: argparse.Namespace) -> dict[str, Any]:
    _positive("--workers", args.workers)
    return {"workers": args.workers, "scheduler": args.scheduler, "progress": not args.quiet}


# ---- scenarios -----------------------------------------------------------------------------
def _add_scenarios(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--levers", action="store_true", help="list every lever instead")


def _run_scenarios(args: argparse.Namespace) -> int:
    if args.levers:
        from dudao_sim.policy.levers import lever_table

        table = lever_table(args.lang)[["name", "label", "clauses", "allowed", "default"]]
        print(table.to_string(index=False))
        return 0
    rows = []
    for name in scenario_names():
        s = load_scenario(name)
        rows.append(
            {
                "name": name,
                "label": s.label(args.lang),
                "base": s.base or "—",
                "changes": len(s.changes),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


# ---- run -----------------------------------------------------------------------------------
def _add_run(parser: argparse.ArgumentParser) -> None:
    _add_run_options(parser)
    parser.add_argument(
        "--scenario",
        default="reform_2021",
        help="scenario name or file; join with + to stack (default reform_2021)",
    )
    parser.add_argument("--csv", metavar="PATH", help="write the monthly metrics to PATH")


def _run_run(args: argparse.Namespace) -> int:
    from dudao_sim.model.model import SupervisionModel

    _positive("--months", args.months, 0)
    levers, assumptions = _parse_settings(args.set)
    province = load_from_args(args)
    parts = [p for p in args.scenario.split("+") if p]
    model = SupervisionModel(
        province,
        scenario=parts,
        levers=levers,
        assumptions=assumptions,
        months=args.months,
        warmup_months=args.warmup_months,
        rng=args.seed,
        create_agents=False,
    )
    model.run()
    frame = model.metrics()
    tail = frame[list(KEY_OUTCOMES)].iloc[-12:].mean()
    print(
        f"{model.scenario.name}: {province.name}, seed {args.seed}, {args.months} months "
        "(mean of the last 12 months)"
    )
    print(tail.to_string(float_format=lambda v: f"{v:,.4f}"))
    if args.csv:
        try:
            frame.to_csv(args.csv, index=False)
        except OSError as error:
            raise UsageError(f"--csv: cannot write {args.csv}: {error.strerror}") from None
        print(f"metrics written to {args.csv}")
    return 0


# ---- compare (the main job) ----------------------------------------------------------------
def _add_compare(parser: argparse.ArgumentParser) -> None:
    _add_run_options(parser)
    _add_execution_options(parser)
    parser.add_argument("--scenarios", help="comma-separated scenarios (default: all shipped)")
    parser.add_argument("--baseline", default="pre_reform", help="baseline (default pre_reform)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="report language")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")


def _scenario_list(text: str | None, baseline: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()] if text else scenario_names()
    if baseline not in names:
        names = [baseline, *names]
    for name in names:
        for part in name.split("+"):
            try:
                load_scenario(part)
            except ScenarioError as error:
                raise UsageError(f"--scenarios: {error}") from None
    return names


def _print_paired(paired: pd.DataFrame, lang: str) -> None:
    table = paired[paired["metric"].isin(KEY_OUTCOMES)].copy()
    noise = "不显著" if lang == "zh" else "within noise"
    table["result"] = [
        f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]" + (f"  ({noise})" if n else "")
        for d, lo, hi, n in zip(
            table["diff_mean"],
            table["ci_low"],
            table["ci_high"],
            table["within_noise"],
            strict=True,
        )
    ]
    if lang == "zh":
        table["metric"] = table["metric"].map(LABELS_ZH).fillna(table["metric"])
    wide = table.pivot(index="metric", columns="scenario", values="result")
    print(wide.to_string())
    print(f"(± half-width of the 95 % interval; ~ = {noise})")


def _write_report(
    runs: pd.DataFrame, regional: pd.DataFrame, manifest: dict, out: Path, lang: str, baseline: str
) -> Path:
    from dudao_sim.report import write_report
    from dudao_sim.report.html import MANIFEST_KEYS

    info = {k: v for k, v in manifest.items() if k in MANIFEST_KEYS}
    info["baseline"] = baseline
    info.setdefault("created", "")
    return write_report(runs, regional, info, out, lang=lang, baseline=baseline)


def _run_compare(args: argparse.Namespace) -> int:
    _positive("--months", args.months)
    _positive("--seeds", args.seeds)
    scenarios = _scenario_list(args.scenarios, args.baseline)
    levers, assumptions = _parse_settings(args.set)
    province = load_from_args(args)
    out = Path(args.out or f"out/compare-{province.code}")
    seeds = spawn_seeds(args.seed, args.seeds)
    try:
        ensemble = run_ensemble(
            province,
            scenarios,
            seeds,
            months=args.months,
            warmup_months=args.warmup_months,
            levers=levers,
            assumptions=assumptions,
            out_dir=out,
            resume=args.resume,
            **_execution(args),
        )
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    paired = paired_differences(ensemble.runs, args.baseline)
    if args.no_report:  # the report writes these tables itself, beside the HTML
        summarize(ensemble.runs).to_csv(out / "summary.csv", index=False)
        paired.to_csv(out / "paired.csv", index=False)
    title = "相对基线的配对差异" if args.lang == "zh" else "Paired differences against"
    print(
        f"\n{title} {args.baseline} — {province.name}, {len(seeds)} seeds, "
        f"{args.months} months (mean of the last 12, 95% interval):"
    )
    _print_paired(paired, args.lang)
    if not args.no_report:
        manifest = {**ensemble.manifest, "baseline": args.baseline}
        path = _write_report(
            ensemble.runs, ensemble.regional, manifest, out, args.lang, args.baseline
        )
        print(f"\nreport: {path}")
    print(f"results: {out}")
    return 0


# ---- report --------------------------------------------------------------------------------
def _add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="source", required=True, metavar="DIR", help="an output folder of compare"
    )
    parser.add_argument("--baseline", default="pre_reform")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")


def _run_report(args: argparse.Namespace) -> int:
    store = ResultStore(args.source)
    try:
        manifest = store.read_manifest()
        runs, regional = store.load("metrics"), store.load("regional")
    except StoreError as error:
        raise UsageError(f"--from: {error}") from None
    path = _write_report(runs, regional, manifest, Path(args.source), args.lang, args.baseline)
    print(f"report: {path}")
    return 0


# ---- sweep ---------------------------------------------------------------------------------
def _add_sweep(parser: argparse.ArgumentParser) -> None:
    _add_run_options(parser, months=60)
    _add_execution_options(parser)
    parser.add_argument("--scenario", default="reform_2021")
    parser.add_argument(
        "--grid",
        action="append",
        metavar="NAME=V1,V2,...",
        help="grid values of a lever or assumption (repeatable)",
    )
    parser.add_argument("--lhs", type=int, metavar="N", help="Latin hypercube of N points")
    parser.add_argument(
        "--factor",
        action="append",
        metavar="NAME[=LOW:HIGH]",
        help="factor of the Latin hypercube (repeatable)",
    )


def _factors(items: list[str] | None) -> list:
    from dudao_sim.experiments.design import factor

    out = []
    for item in items or []:
        name, _, bounds = item.partition("=")
        low = high = None
        if bounds:
            lo, _, hi = bounds.partition(":")
            low, high = _parse_value(lo), _parse_value(hi)
        out.append(factor(name.strip(), low=low, high=high))
    if not out:
        raise UsageError("--factor: give at least one factor")
    return out


def _design(args: argparse.Namespace) -> pd.DataFrame:
    from dudao_sim.experiments.design import grid, latin_hypercube

    if bool(args.grid) == bool(args.lhs):
        raise UsageError("sweep: give either --grid ... or --lhs N with --factor ...")
    if args.grid:
        levels = {}
        for item in args.grid:
            name, _, values = item.partition("=")
            if not values:
                raise UsageError(f"--grid: {item!r} is not allowed; write NAME=V1,V2")
            levels[name.strip()] = [_parse_value(v) for v in values.split(",")]
        return grid(levels)
    _positive("--lhs", args.lhs)
    return latin_hypercube(_factors(args.factor), args.lhs, seed=args.seed)


def _run_sweep(args: argparse.Namespace) -> int:
    _positive("--seeds", args.seeds)
    design = _design(args)
    province = load_from_args(args)
    out = Path(args.out or f"out/sweep-{province.code}")
    try:
        ensemble = run_sweep(
            province,
            design,
            spawn_seeds(args.seed, args.seeds),
            scenario=args.scenario,
            months=args.months,
            warmup_months=args.warmup_months,
            out_dir=out,
            resume=args.resume,
            **_execution(args),
        )
    except StoreError as error:
        raise UsageError(f"--out: {error}") from None
    values = ensemble.runs[ensemble.runs["metric"].isin(KEY_OUTCOMES[:4])]
    end = values["month"].max()
    means = (
        values[values["month"] > end - 12].groupby(["point", "metric"])["value"].mean().unstack()
    )
    table = design.set_index("point").join(means)
    table.to_csv(out / "sweep.csv")
    print(table.round(4).to_string())
    print(f"results: {out}")
    return 0


# ---- sensitivity ---------------------------------------------------------------------------
def _add_sensitivity(parser: argparse.ArgumentParser) -> None:
    _add_run_options(parser, months=48)
    parser.add_argument("--workers", type=int, help="local processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--scenario", default="reform_2021")
    parser.add_argument("--method", choices=("morris", "sobol"), default="morris")
    parser.add_argument(
        "--factor", action="append", metavar="NAME[=LOW:HIGH]", help="factor (repeatable)"
    )
    parser.add_argument(
        "--outcome",
        action="append",
        metavar="METRIC",
        help="outcome metric (repeatable; default: the four indices)",
    )
    parser.add_argument("--trajectories", type=int, default=10, help="Morris trajectories")
    parser.add_argument("--n-base", type=int, default=64, help="Sobol base sample (power of 2)")
    parser.add_argument("--out", metavar="DIR", help="folder for indices and plots")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")


def _run_sensitivity(args: argparse.Namespace) -> int:
    from dudao_sim.experiments import sensitivity

    factors = _factors(args.factor)
    outcomes = args.outcome or list(KEY_OUTCOMES[:4])
    province = load_from_args(args)

    def evaluate(design: pd.DataFrame) -> pd.DataFrame:
        ensemble = run_sweep(
            province,
            design.assign(point=range(len(design))),
            [args.seed],
            scenario=args.scenario,
            months=args.months,
            warmup_months=args.warmup_months,
            **_execution(args),
        )
        runs = ensemble.runs
        unknown = sorted(set(outcomes) - set(runs["metric"]))
        if unknown:
            raise UsageError(f"--outcome: unknown metric(s) {unknown}")
        runs = runs[runs["metric"].isin(outcomes)]
        end = runs["month"].max()
        tail = runs[runs["month"] > end - 12]
        table = tail.groupby(["point", "metric"])["value"].mean().unstack()
        return table.reindex(range(len(design)))[outcomes].reset_index(drop=True)

    if args.method == "morris":
        indices = sensitivity.morris(
            factors, evaluate, n_trajectories=args.trajectories, seed=args.seed
        )
    else:
        indices = sensitivity.sobol(factors, evaluate, n_base=args.n_base, seed=args.seed)
    out = Path(args.out or f"out/sensitivity-{province.code}")
    out.mkdir(parents=True, exist_ok=True)
    indices.to_csv(out / f"{args.method}.csv", index=False)
    for outcome in outcomes:
        figure = sensitivity.plot_indices(indices, outcome, lang=args.lang)
        figure.savefig(out / f"{args.method}-{outcome}.png", dpi=120, bbox_inches="tight")
    print(indices.round(4).to_string(index=False))
    print(f"results: {out}")
    return 0


#: Experiment subcommands, added to ``dudao-sim`` after ``hierarchy``.
EXPERIMENT_COMMANDS: list[Command] = [
    Command(
        "scenarios",
        "list the shipped scenarios (or --levers: every lever)",
        _add_scenarios,
        _run_scenarios,
    ),
    Command("run", "run one scenario once and print its key outcomes", _add_run, _run_run),
    Command(
        "compare",
        "compare scenarios over replicate seeds and write the report (main job)",
        _add_compare,
        _run_compare,
    ),
    Command(
        "sweep",
        "run a grid or Latin-hypercube design over levers and assumptions",
        _add_sweep,
        _run_sweep,
    ),
    Command(
        "sensitivity",
        "global sensitivity analysis with SALib (Morris or Sobol)",
        _add_sensitivity,
        _run_sensitivity,
    ),
    Command(
        "report", "write the HTML report from a compare output folder", _add_report, _run_report
    ),
]
