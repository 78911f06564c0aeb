"""Ensembles and sweeps: same numbers wherever runs execute; streaming, resume, CLI errors."""

from __future__ import annotations

import signal
import subprocess
import sys

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.cli.main import main
from dudao_sim.experiments import (
    ResultStore,
    StoreError,
    run_ensemble,
    run_sweep,
    spawn_seeds,
)
from dudao_sim.experiments.design import grid

SMALL = {"months": 6, "warmup_months": 12, "progress": False}


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=3, seed=6)


@pytest.fixture(scope="module")
def serial(toy):
    return run_ensemble(toy, ["pre_reform", "reform_2021"], spawn_seeds(3, 2), workers=1, **SMALL)


def test_seeds_spawned_from_one_root_are_distinct_and_reproducible():
    seeds = spawn_seeds(42, 5)
    assert seeds == spawn_seeds(42, 5) and len(set(seeds)) == 5
    with pytest.raises(ValueError, match="seeds: 0 is not allowed"):
        spawn_seeds(1, 0)


def test_every_scenario_runs_on_the_same_seeds(serial):
    runs = serial.runs
    seeds = runs.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds["pre_reform"] == seeds["reform_2021"]
    assert set(runs["month"]) == set(range(6))
    paired = serial.paired("pre_reform")
    assert set(paired["scenario"]) == {"reform_2021"}


@pytest.mark.slow
def test_one_and_two_processes_give_identical_results(toy, serial):
    parallel = run_ensemble(
        toy, ["pre_reform", "reform_2021"], spawn_seeds(3, 2), workers=2, **SMALL
    )
    pd.testing.assert_frame_equal(parallel.runs, serial.runs)
    pd.testing.assert_frame_equal(parallel.regional, serial.regional)


def test_a_dask_cluster_gives_identical_results(toy, serial):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(processes=False, n_workers=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        on_dask = run_ensemble(
            toy, ["pre_reform", "reform_2021"], spawn_seeds(3, 2), client=client, **SMALL
        )
    pd.testing.assert_frame_equal(on_dask.runs, serial.runs)


def test_results_stream_to_parquet_parts_with_a_manifest(toy, tmp_path, serial):
    out = tmp_path / "ens"
    streamed = run_ensemble(
        toy, ["pre_reform", "reform_2021"], spawn_seeds(3, 2), workers=1, out_dir=out, **SMALL
    )
    store = ResultStore(out)
    manifest = store.read_manifest()
    assert manifest["version"] == ds.__version__ and manifest["seeds"] == spawn_seeds(3, 2)
    assert set(manifest["scenario_files"]) == {"pre_reform", "reform_2021"}
    assert len(manifest["scenario_files"]["reform_2021"]["sha256"]) == 64
    assert manifest["created"]  # stamped with the time
    assert len(store.done()) == 4 == len(manifest["runs"])
    pd.testing.assert_frame_equal(streamed.runs, serial.runs)
    with pytest.raises(StoreError, match="use --resume"):
        run_ensemble(toy, ["pre_reform"], [1], workers=1, out_dir=out, **SMALL)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"province": "x"}', encoding="utf-8")
    with pytest.raises(StoreError, match="not a dudao-sim results manifest"):
        ResultStore(broken).load()
    with pytest.raises(StoreError, match="different experiment"):
        run_ensemble(toy, ["pre_reform"], [1], workers=1, out_dir=out, resume=True, **SMALL)


def test_a_grid_sweep_runs_every_point_on_the_same_seeds(toy):
    design = grid({"unannounced_share": [0.0, 0.8], "p_rebound": [0.02, 0.06]})
    sweep = run_sweep(toy, design, [5], workers=1, **SMALL)
    assert sorted(sweep.runs["point"].unique()) == [0, 1, 2, 3]
    last = sweep.runs[(sweep.runs["metric"] == "n_unannounced_visits")]
    by_point = last.groupby("point")["value"].sum()
    assert by_point[2] > by_point[0]  # points 2-3 have unannounced_share 0.8
    with pytest.raises(ValueError, match="neither levers nor assumptions"):
        run_sweep(toy, pd.DataFrame({"point": [0], "colour": [1]}), [1], **SMALL)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "dudao_sim", *args]


#: ``dudao-sim`` that kills itself hard (SIGKILL to its process group: the main process and its
#: worker processes) as soon as exactly ``argv[1]`` runs are complete in the store — a counted
#: point, so the test does not depend on when a kill from outside lands on a loaded machine.
#: Parts are written by the main process, one run at a time, so no other write is under way.
_KILLED_AFTER = """
import os, signal, sys
from dudao_sim.cli import main
from dudao_sim.experiments.store import ResultStore

limit, write = int(sys.argv[1]), ResultStore.write

def write_then_die(self, run_id, frames):
    write(self, run_id, frames)
    if len(self.done()) >= limit:
        os.killpg(0, signal.SIGKILL)

ResultStore.write = write_then_die
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_resume_after_a_sweep_is_killed_hard_loses_no_finished_run(tmp_path):
    out = tmp_path / "killed"
    args = [
        "compare",
        "--synthetic",
        "3",
        "--months",
        "12",
        "--warmup-months",
        "12",
        "--seeds",
        "4",
        "--scenarios",
        "reform_2021",
        "--workers",
        "2",
        "--out",
        str(out),
        "--quiet",
        "--no-report",
    ]
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER, "3", *args],
        start_new_session=True,  # its own process group, so the kill reaches only its processes
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = ResultStore(out)
    finished = store.done()
    assert len(finished) == 3, "killed after exactly 3 of 8 runs"
    assert not list(out.rglob("*.tmp")), "no half-written part"
    stamps = {rid: store.part_path("metrics", rid).stat().st_mtime_ns for rid in finished}
    done = subprocess.run(_cli(*args, "--resume"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(store.done()) == 8
    for rid, stamp in stamps.items():  # finished runs were not run again
        assert store.part_path("metrics", rid).stat().st_mtime_ns == stamp
    fresh = run_ensemble(
        ds.synthetic_province(n_counties=3, seed=0),
        ["pre_reform", "reform_2021"],
        spawn_seeds(0, 4),
        months=12,
        warmup_months=12,
        workers=1,
        progress=False,
    )
    resumed = store.load("metrics").sort_values(["scenario", "seed", "month", "metric"])
    expected = fresh.runs.sort_values(["scenario", "seed", "month", "metric"])
    pd.testing.assert_frame_equal(resumed.reset_index(drop=True), expected.reset_index(drop=True))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--synthetic", "3", "--scenarios", "reform_2099"], "--scenarios: scenario"),
        (["compare", "--synthetic", "3", "--seeds", "0"], "--seeds: 0 is not allowed"),
        (["run", "--synthetic", "3", "--set", "recheck_shar=0.3"], "'recheck_shar' is neither"),
        (["run", "--synthetic", "3", "--set", "recheck_share=3"], "recheck_share: 3 is not"),
        (["run", "--synthetic", "3", "--set", "oops"], "write NAME=VALUE"),
        (["sweep", "--synthetic", "3"], "give either --grid"),
        (["sweep", "--synthetic", "3", "--grid", "visit_cap_per_year=2.5"], "visit_cap_per_year"),
        (["report", "--from", "/nonexistent/folder"], "--from:"),
        (["compare", "--synthetic", "3", "--workers", "0"], "--workers: 0 is not allowed"),
    ],
)
def test_cli_mistakes_give_one_line_and_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("dudao-sim: error:") and message in err
    assert "\n" not in err and "Traceback" not in err


def test_cli_scenarios_lists_labels_in_both_languages(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "reform_2021" in out and "The 2021 reform as written" in out
    assert main(["scenarios", "--lang", "zh"]) == 0
    assert "按实施意见改革" in capsys.readouterr().out
    assert main(["scenarios", "--levers"]) == 0
    assert "unannounced_share" in capsys.readouterr().out


def test_cli_run_prints_key_outcomes_and_writes_csv(tmp_path, capsys):
    csv = tmp_path / "m.csv"
    assert (
        main(
            ["run", "--synthetic", "3", "--months", "6", "--warmup-months", "12", "--csv", str(csv)]
        )
        == 0
    )
    assert "Full coverage" in capsys.readouterr().out  # the catalogue label of index_coverage
    assert len(pd.read_csv(csv)) == 6


@pytest.mark.slow
def test_cli_sweep_sensitivity_and_report_end_to_end(tmp_path, capsys):
    small = [
        "--synthetic",
        "3",
        "--months",
        "6",
        "--warmup-months",
        "12",
        "--workers",
        "1",
        "--quiet",
    ]
    sweep = tmp_path / "sweep"
    assert (
        main(
            [
                "sweep",
                *small,
                "--grid",
                "unannounced_share=0,0.8",
                "--seeds",
                "1",
                "--out",
                str(sweep),
            ]
        )
        == 0
    )
    table = pd.read_csv(sweep / "sweep.csv")
    assert list(table["unannounced_share"]) == [0.0, 0.8]
    sens = tmp_path / "sens"
    assert (
        main(
            [
                "sensitivity",
                *small,
                "--factor",
                "unannounced_share",
                "--factor",
                "p_rebound=0.02:0.06",
                "--outcome",
                "flow_detection",
                "--trajectories",
                "2",
                "--out",
                str(sens),
            ]
        )
        == 0
    )
    indices = pd.read_csv(sens / "morris.csv")
    assert set(indices["factor"]) == {"unannounced_share", "p_rebound"}
    assert (sens / "morris-flow_detection.png").stat().st_size > 1000
    compare = tmp_path / "cmp"
    assert (
        main(
            ["compare", *small, "--seeds", "2", "--scenarios", "reform_2021", "--out", str(compare)]
        )
        == 0
    )
    assert (compare / "report_en.html").is_file()
    assert not (compare / "runs.csv").exists()  # only with --csv
    assert main(["report", "--from", str(compare), "--lang", "zh", "--csv"]) == 0
    runs = pd.read_csv(compare / "runs.csv")
    assert set(runs["scenario"]) == {"pre_reform", "reform_2021"}
    assert "督导" in (compare / "report_zh.html").read_text(encoding="utf-8")
    assert "Paired differences against pre_reform" in capsys.readouterr().out
