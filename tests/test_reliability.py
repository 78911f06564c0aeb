"""Nothing lost: checksummed parts, safe part names, output folders checked before computing,
clean stops on SIGINT/SIGTERM, and kill-and-resume giving exactly an uninterrupted result."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.cli import main
from dudao_sim.experiments import ResultStore, StoreError, run_ensemble
from dudao_sim.experiments import ensemble as ensemble_module
from dudao_sim.experiments.store import LEDGER, prepare_folder

SMALL = {"months": 3, "warmup_months": 12, "progress": False, "workers": 1}
OLD = Path(__file__).parent / "fixtures" / "results_v0.1.0"


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=2, seed=3)


@pytest.fixture()
def finished(toy, tmp_path) -> Path:
    out = tmp_path / "runs"
    run_ensemble(toy, ["pre_reform", "reform_2021"], [1, 2], out_dir=out, **SMALL)
    return out


def test_parts_are_checksummed_and_the_manifest_records_versions(finished):
    store = ResultStore(finished)
    manifest = store.read_manifest()
    assert manifest["format"] == 2 and manifest["checksums"] == "sha256"
    env = manifest["environment"]
    for key in ("python", "platform", "numpy", "pandas", "mesa", "scipy", "SALib", "dudao_sim"):
        assert env[key] and env[key] != "not installed", key
    assert set(manifest["parts"]) == {r["run_id"] for r in manifest["runs"]}  # folded in
    lines = (finished / LEDGER).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all(len(json.loads(x)["sha256"]["metrics"]) == 64 for x in lines)
    assert store.status() == {r["run_id"]: "done" for r in manifest["runs"]}


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete"])
def test_a_corrupt_part_is_refused_by_load_and_redone_on_resume(toy, finished, damage, capsys):
    store = ResultStore(finished)
    before = store.load("metrics")
    victim = store.part_path("regional", store.read_manifest()["runs"][1]["run_id"])
    data = victim.read_bytes()
    if damage == "flip":
        victim.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    elif damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    else:
        victim.unlink()
    assert len(store.done()) == 3
    with pytest.raises(StoreError, match=rf"{victim.name}: corrupt or partial part"):
        store.load("metrics")
    assert main(["report", "--from", str(finished)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and victim.name in err and "--resume" in err
    resumed = run_ensemble(
        toy, ["pre_reform", "reform_2021"], [1, 2], out_dir=finished, resume=True, **SMALL
    )
    assert len(store.done()) == 4
    pd.testing.assert_frame_equal(resumed.runs, before)


def test_a_part_renamed_but_not_recorded_counts_as_not_done(toy, finished):
    store = ResultStore(finished)
    ledger = finished / LEDGER
    lines = ledger.read_text(encoding="utf-8").splitlines()
    ledger.write_text("\n".join(lines[:-1]) + '\n{"run_id": "cut sho', encoding="utf-8")
    manifest = store.read_manifest()
    del manifest["parts"]  # as before the experiment completed
    store.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    last = json.loads(lines[-1])["run_id"]
    assert store.done() == {r["run_id"] for r in manifest["runs"]} - {last}


def test_a_manifest_naming_a_part_outside_the_folder_is_refused(finished, capsys):
    store = ResultStore(finished)
    manifest = store.read_manifest()
    manifest["runs"][0]["run_id"] = "../../etc/x"
    store.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match=r"'../../etc/x' is not allowed"):
        store.load()
    assert main(["report", "--from", str(finished)]) == 2
    assert "is not allowed" in capsys.readouterr().err
    with pytest.raises(StoreError, match="no paths"):
        store.part_path("metrics", "a/b")
    with (finished / LEDGER).open("a", encoding="utf-8") as ledger:  # ignored, never opened
        ledger.write(json.dumps({"run_id": "../x", "sha256": {"metrics": "0"}}) + "\n")
    manifest["runs"][0]["run_id"] = "abc"
    store.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert "../x" not in store.checksums()


def test_folders_written_before_checksums_still_open(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(OLD, folder)
    store = ResultStore(folder)
    assert store.checksums() is None and len(store.done()) == 4
    assert store.load("regional")["run_id"].nunique() == 4


def test_run_ensemble_checks_the_output_folder_before_the_first_run(toy, tmp_path, monkeypatch):
    def no_runs(*args, **kwargs):
        raise AssertionError("a run started before the folder was checked")

    monkeypatch.setattr(ensemble_module, "execute", no_runs)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        run_ensemble(toy, ["pre_reform"], [1], out_dir=a_file, **SMALL)
    with pytest.raises(StoreError, match="cannot be created or written"):
        run_ensemble(toy, ["pre_reform"], [1], out_dir=a_file / "sub", **SMALL)
    assert prepare_folder(tmp_path / "new" / "deep").is_dir()


def test_sensitivity_refuses_an_existing_result_folder_without_resume(tmp_path, capsys):
    out = tmp_path / "sens"
    out.mkdir()
    (out / "morris.csv").write_text("old results", encoding="utf-8")
    args = ["sensitivity", "--synthetic", "2", "--factor", "p_rebound", "--out", str(out)]
    assert main(args) == 2
    assert "holds morris results already; use --resume" in capsys.readouterr().err
    (out / "morris.csv").unlink()
    (out / "manifest.json").write_text('{"runs": []}', encoding="utf-8")
    assert main(args) == 2
    assert "holds results already; use --resume" in capsys.readouterr().err


# ---- stopping and killing the command line at a counted point -------------------------------
#: ``dudao-sim`` that sends ``argv[2]`` (a signal name) to its own process group — itself and
#: its worker processes — right after exactly ``argv[1]`` runs are complete in the store.
#: SIGKILL is a hard kill; SIGINT is a Ctrl-C in a terminal, SIGTERM a polite stop.
_SIGNAL_AFTER = """
import os, signal, sys
from dudao_sim.cli import main
from dudao_sim.experiments.store import ResultStore

limit, sig, write = int(sys.argv[1]), getattr(signal, sys.argv[2]), ResultStore.write
sent = False

def write_then_signal(self, run_id, frames):
    global sent
    write(self, run_id, frames)
    if not sent and len(self.done()) >= limit:
        sent = True
        os.killpg(0, sig)

ResultStore.write = write_then_signal
sys.exit(main(sys.argv[3:]))
"""

TINY = ["--synthetic", "2", "--months", "6", "--warmup-months", "12", "--quiet"]


def _signal_after(k: int, sig: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _SIGNAL_AFTER, str(k), sig, *args],
        start_new_session=True,  # its own process group: the signal reaches only its processes
        capture_output=True,
        text=True,
        timeout=300,
    )


def _cli(args: list[str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "dudao_sim", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _dataset(folder: Path) -> pd.DataFrame:
    store = ResultStore(folder)
    frames = [store.load(t).assign(table=t) for t in ("metrics", "regional")]
    keys = ["table", "run_id", "month", "metric", "code"]
    return pd.concat(frames).sort_values(keys).reset_index(drop=True)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_stops_compare_with_one_line_and_resume_completes_it(tmp_path, sig, code):
    out = tmp_path / "cmp"
    args = ["compare", *TINY, "--seeds", "3", "--scenarios", "reform_2021", "--workers", "2"]
    args += ["--no-report", "--out", str(out)]
    stopped = _signal_after(2, sig, args)
    assert stopped.returncode == code, stopped.stderr
    lines = stopped.stderr.strip().splitlines()
    assert len(lines) == 1, stopped.stderr  # no traceback, from this process or its workers
    assert lines[0].startswith(f"dudao-sim: interrupted by {sig}: ")
    kept = len(ResultStore(out).done())
    assert kept >= 2 and f"{kept} of 6 runs kept in {out}" in lines[0]
    assert lines[0].endswith("--resume")
    resumed = _cli([*args, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    fresh = tmp_path / "fresh"
    assert _cli([*args[:-1], str(fresh)]).returncode == 0
    pd.testing.assert_frame_equal(_dataset(out), _dataset(fresh))


@pytest.mark.slow
def test_sweep_killed_hard_at_a_counted_point_resumes_to_the_same_dataset(tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", *TINY, "--grid", "unannounced_share=0,0.5,1", "--seeds", "2"]
    args += ["--workers", "1", "--out", str(out)]
    killed = _signal_after(3, "SIGKILL", args)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = ResultStore(out)
    assert len(store.done()) == 3, "killed after exactly 3 of 6 runs"
    stamps = {r: store.part_path("metrics", r).stat().st_mtime_ns for r in store.done()}
    assert _cli([*args, "--resume"]).returncode == 0
    assert len(store.done()) == 6
    assert all(store.part_path("metrics", r).stat().st_mtime_ns == s for r, s in stamps.items())
    fresh = tmp_path / "fresh"
    assert _cli([*args[:-1], str(fresh)]).returncode == 0
    pd.testing.assert_frame_equal(_dataset(out), _dataset(fresh))
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), pd.read_csv(fresh / "sweep.csv"))


@pytest.mark.slow
def test_sensitivity_killed_hard_at_a_counted_point_resumes_to_the_same_dataset(tmp_path):
    out = tmp_path / "sens"
    args = ["sensitivity", *TINY, "--factor", "unannounced_share", "--factor", "p_rebound"]
    args += ["--outcome", "flow_detection", "--trajectories", "2", "--workers", "1"]
    args += ["--out", str(out)]
    killed = _signal_after(2, "SIGKILL", args)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = ResultStore(out)
    assert len(store.done()) == 2, "killed after exactly 2 of 6 runs"
    refused = _cli(args)
    assert refused.returncode == 2 and "use --resume" in refused.stderr
    resumed = _cli([*args, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    assert len(store.done()) == 6
    fresh = tmp_path / "fresh"
    assert _cli([*args[:-1], str(fresh)]).returncode == 0
    pd.testing.assert_frame_equal(_dataset(out), _dataset(fresh))
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "morris.csv"), pd.read_csv(fresh / "morris.csv")
    )


# ---- Mesa's batch_run gives the same metrics as model.metrics() ------------------------------
def test_batch_run_rows_carry_every_metric_of_metrics(toy):
    from mesa.batchrunner import batch_run

    params = {"months": 6, "warmup_months": 12, "rng": 4, "unannounced_share": 0.6}
    rows = batch_run(
        ds.SupervisionModel,
        parameters={"province": [toy], **{k: [v] for k, v in params.items()}},
        iterations=1,
        max_steps=100,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    model = ds.SupervisionModel(toy, **params)
    model.run()
    expected = model.metrics(include_warmup=True)
    metrics = [c for c in expected.columns if c not in ("month", "phase")]
    assert {"index_coverage", "index_authority", "fake_share", "cost_yuan_year"} <= set(metrics)
    missing = sorted(set(metrics) - set(frame.columns))
    assert not missing, f"batch_run rows lack {missing}"
    got = frame.sort_values("Step")[metrics].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected[metrics].reset_index(drop=True), check_dtype=False)
    last = frame[frame["Step"] == frame["Step"].max()].iloc[0]
    for name in metrics:  # the last step equals the last month of metrics()
        a, b = float(last[name]), float(model.metrics()[name].iloc[-1])
        assert a == b or (a != a and b != b), name
    assert len(model.datacollector.get_model_vars_dataframe().columns) == len(metrics)


# ---- reproducible installs -----------------------------------------------------------------
def test_constraints_pin_every_requirement_within_pyproject_bounds():
    """constraints.txt (make lock) pins each direct requirement at a version pyproject allows."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [
        Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]
    pins: dict[str, list[Requirement]] = {}
    for line in (root / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pin = Requirement(line)
            assert [s.operator for s in pin.specifier] == ["=="], f"not an exact pin: {line}"
            pins.setdefault(canonicalize_name(pin.name), []).append(pin)
    for req in reqs:
        found = pins.get(canonicalize_name(req.name))
        assert found, f"{req.name} is not in constraints.txt: run make lock"
        for pin in found:
            version = next(iter(pin.specifier)).version
            assert req.specifier.contains(version), f"{pin} is outside pyproject's {req}"
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert '-c $(CONSTRAINTS) -e ".[$(EXTRAS)]"' in makefile
