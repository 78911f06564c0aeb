"""The pinned regression baseline: fixed-seed runs whose every number is stored in
``tests/baseline/``.

Four cases — a small synthetic province and Hunan (short run), each under ``pre_reform`` and
``reform_2021`` — store every monthly metric (warm-up included), ``metrics_by("city")`` and a
digest of the state at t = 0 (counts, staffing, zones, problems, beliefs).
``tests/test_baseline.py`` compares a fresh run with the stored files: counts (integer-valued
numbers) exactly, other floats to a relative 1e-9.

Regenerate knowingly, in the same commit as the change that moves the numbers, and say why in
the commit message::

    make baseline            # = python tests/baseline_cases.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

import numpy as np
import pandas as pd

BASELINE_DIR = Path(__file__).parent / "baseline"
RTOL = 1e-9
ATOL = 1e-12


@dataclass(frozen=True)
class Case:
    """One pinned run."""

    name: str
    province: str  # "hunan" or "synthetic"
    scenario: str
    months: int
    warmup_months: int
    seed: int


CASES: tuple[Case, ...] = (
    Case("synthetic_pre_reform", "synthetic", "pre_reform", 36, 24, 3),
    Case("synthetic_reform_2021", "synthetic", "reform_2021", 36, 24, 3),
    Case("hunan_pre_reform", "hunan", "pre_reform", 12, 12, 5),
    Case("hunan_reform_2021", "hunan", "reform_2021", 12, 12, 5),
)


def _province(kind: str) -> object:
    import dudao_sim as ds

    if kind == "synthetic":
        return ds.synthetic_province(n_counties=4, seed=7)
    return ds.load_province("hunan")


def _column_digest(values: np.ndarray) -> dict[str, object]:
    """Exact hash for integer/bool columns, sums for floats, text hash for strings."""
    values = np.asarray(values)
    if values.dtype.kind in "biu":
        as_int = values.astype(np.int64)
        return {
            "kind": "int",
            "n": int(as_int.size),
            "sum": int(as_int.sum()),
            "sha256": hashlib.sha256(np.ascontiguousarray(as_int).tobytes()).hexdigest(),
        }
    if values.dtype.kind == "f":
        return {
            "kind": "float",
            "n": int(values.size),
            "sum": float(values.sum()),
            "sumsq": float((values.astype(np.float64) ** 2).sum()),
        }
    text = "\x1f".join(map(str, values.reshape(-1).tolist()))
    return {
        "kind": "text",
        "n": int(values.size),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def state_digest(model: object) -> dict[str, dict[str, object]]:
    """Digest of every array of the model's columnar state tables."""
    digest: dict[str, dict[str, object]] = {}
    for table_field in fields(model.state):  # type: ignore[arg-type]
        table = getattr(model.state, table_field.name)
        for f in fields(table):
            value = getattr(table, f.name)
            if is_dataclass(value):  # the Problems block
                for g in fields(value):
                    digest[f"{table_field.name}.{f.name}.{g.name}"] = _column_digest(
                        getattr(value, g.name)
                    )
            elif isinstance(value, np.ndarray):
                digest[f"{table_field.name}.{f.name}"] = _column_digest(value)
            elif isinstance(value, int | float):
                digest[f"{table_field.name}.{f.name}"] = {"kind": "scalar", "value": value}
    return digest


def run_case(case: Case) -> dict[str, object]:
    """Run one case: metrics (warm-up included), metrics by city and the t = 0 digest."""
    import dudao_sim as ds

    model = ds.SupervisionModel(
        _province(case.province),
        scenario=case.scenario,
        months=case.months,
        warmup_months=case.warmup_months,
        rng=case.seed,
    )
    digest = state_digest(model)
    model.run()
    return {
        "metrics": model.metrics(include_warmup=True),
        "by_city": model.metrics_by("city", include_warmup=True),
        "state_t0": digest,
    }


def write(case: Case, result: dict[str, object]) -> None:
    """Store one case's results under ``tests/baseline/<case>/``."""
    folder = BASELINE_DIR / case.name
    folder.mkdir(parents=True, exist_ok=True)
    result["metrics"].to_csv(folder / "metrics.csv", index=False, float_format="%.17g")
    result["by_city"].to_csv(folder / "by_city.csv", index=False, float_format="%.17g")
    (folder / "state_t0.json").write_text(
        json.dumps(result["state_t0"], indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def load(case: Case) -> dict[str, object]:
    """Read one stored case."""
    folder = BASELINE_DIR / case.name
    return {
        "metrics": pd.read_csv(folder / "metrics.csv", dtype={"phase": str}),
        "by_city": pd.read_csv(folder / "by_city.csv", dtype={"code": str, "name": str}),
        "state_t0": json.loads((folder / "state_t0.json").read_text(encoding="utf-8")),
    }


def compare_frames(stored: pd.DataFrame, fresh: pd.DataFrame, what: str) -> list[str]:
    """Differences between a stored and a fresh frame (empty when they agree)."""
    problems: list[str] = []
    missing = [c for c in stored.columns if c not in fresh.columns]
    extra = [c for c in fresh.columns if c not in stored.columns]
    if missing:
        problems.append(f"{what}: columns gone: {missing}")
    if extra:
        problems.append(f"{what}: new columns not in the baseline: {extra}")
    if len(stored) != len(fresh):
        return [*problems, f"{what}: {len(fresh)} rows, baseline has {len(stored)}"]
    for column in stored.columns:
        if column not in fresh.columns:
            continue
        old, new = stored[column], fresh[column]
        if not pd.api.types.is_numeric_dtype(old) or not pd.api.types.is_numeric_dtype(new):
            if not (old.astype(str).to_numpy() == new.astype(str).to_numpy()).all():
                problems.append(f"{what}: text column {column!r} differs")
            continue
        a = old.to_numpy(dtype=float)
        b = new.to_numpy(dtype=float)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        if not np.array_equal(nan_a, nan_b):
            problems.append(f"{what}: {column!r} has NaN at different rows")
            continue
        ok = ~nan_a
        a, b = a[ok], b[ok]
        integral = np.all(np.isfinite(a)) and np.all(a == np.round(a))
        bad = a != b if integral else ~np.isclose(b, a, rtol=RTOL, atol=ATOL)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.append(
                f"{what}: {column!r} differs at {int(bad.sum())} rows "
                f"(first: baseline {a[i]!r}, now {b[i]!r}; {'exact' if integral else 'rtol 1e-9'})"
            )
    return problems


def compare_digests(stored: dict, fresh: dict, what: str) -> list[str]:
    """Differences between two state digests."""
    problems = []
    for key in sorted(set(stored) | set(fresh)):
        if key not in fresh:
            problems.append(f"{what}: state column {key} gone")
            continue
        if key not in stored:
            problems.append(f"{what}: new state column {key} not in the baseline")
            continue
        old, new = stored[key], fresh[key]
        if old.get("kind") == "float" and new.get("kind") == "float":
            same = old["n"] == new["n"] and all(
                np.isclose(new[k], old[k], rtol=RTOL, atol=ATOL) for k in ("sum", "sumsq")
            )
        else:
            same = old == new
        if not same:
            problems.append(f"{what}: state column {key} differs ({old} -> {new})")
    return problems


def compare(case: Case, fresh: dict[str, object]) -> list[str]:
    """Everything that differs between the stored baseline of ``case`` and ``fresh``."""
    stored = load(case)
    return [
        *compare_frames(stored["metrics"], fresh["metrics"], f"{case.name} metrics"),
        *compare_frames(stored["by_city"], fresh["by_city"], f"{case.name} by_city"),
        *compare_digests(stored["state_t0"], fresh["state_t0"], f"{case.name} state_t0"),
    ]


def main(argv: list[str] | None = None) -> int:
    """Regenerate (``--write``) or check the baseline from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store fresh results")
    args = parser.parse_args(argv)
    failures = 0
    for case in CASES:
        result = run_case(case)
        if args.write:
            write(case, result)
            print(f"wrote {BASELINE_DIR / case.name}")
        else:
            problems = compare(case, result)
            failures += bool(problems)
            print(f"{case.name}: {'ok' if not problems else 'DIFFERS'}")
            for p in problems[:20]:
                print(f"  {p}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
