"""Results by county in the store and in ``make run``'s report, and ``--set`` in the report.

The store keeps a ``county`` table beside ``metrics`` and ``regional`` for ensembles (listed in
the manifest, checksummed, resumable); folders written before it still open and report without
a county view. ``compare`` and ``report`` hand the report the counties of the baseline and the
main reform, the province (for the map) and the lever values set on every run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.cli import main
from dudao_sim.cli.report import report_manifest, report_province, shared_levers
from dudao_sim.experiments import ResultStore, StoreError, run_ensemble, run_sweep
from dudao_sim.experiments.runner import COUNTY_COLUMNS, REGIONAL_COLUMNS, RunSpec
from dudao_sim.experiments.store import BASE_TABLES, LEDGER, TABLES

OLD = Path(__file__).parent / "fixtures" / "results_v0.1.0"
SMALL = {"months": 3, "warmup_months": 12, "progress": False, "workers": 1}


def _frames(spec: RunSpec, months: int = 4) -> dict[str, pd.DataFrame]:
    """Made-up tables of one run (no model run): a value that tells runs and months apart."""
    ids = {"run_id": spec.run_id, "scenario": spec.scenario, "seed": spec.seed, "point": -1}
    metrics = pd.DataFrame(
        [
            {**ids, "month": m, "metric": "index_coverage", "value": m + spec.seed}
            for m in range(months)
        ]
    )
    regional = pd.DataFrame(
        [
            {**ids, "month": m, "code": "4301", "name": "A", "metric": "quality_pupils", "value": m}
            for m in range(months)
        ]
    )
    county = pd.DataFrame(
        [
            {**ids, "month": m, "code": code, "name": code, "metric": "quality_pupils", "value": m}
            for m in range(months)
            for code in ("430102", "430103")
        ]
    )
    return {"metrics": metrics, "regional": regional, "county": county}


def _store(folder: Path, tables: tuple[str, ...] = TABLES) -> tuple[ResultStore, list[RunSpec]]:
    specs = [RunSpec.make(s, seed) for s in ("pre_reform", "reform_2021") for seed in (1, 2)]
    store = ResultStore(folder)
    store.open(specs, {"kind": "ensemble"}, resume=False, tables=tables)
    for spec in specs:
        store.write(spec.run_id, _frames(spec))
    store.finish()
    return store, specs


def test_the_county_table_is_listed_checksummed_and_read_by_scenario(tmp_path):
    store, specs = _store(tmp_path / "new")
    manifest = store.read_manifest()
    assert manifest["tables"] == list(TABLES) and store.has_table("county")
    lines = (tmp_path / "new" / LEDGER).read_text(encoding="utf-8").splitlines()
    assert all(set(json.loads(line)["sha256"]) == set(TABLES) for line in lines)
    county = store.load("county")
    assert list(county.columns) == list(COUNTY_COLUMNS) and len(county) == 4 * 4 * 2
    reform = store.load("county", scenarios={"reform_2021"}, each=lambda f: f[f["month"] >= 2])
    assert set(reform["scenario"]) == {"reform_2021"} and set(reform["month"]) == {2, 3}
    assert reform["run_id"].nunique() == 2
    with pytest.raises(StoreError, match="no finished runs of no_such"):
        store.load("county", scenarios={"no_such"})
    # a damaged county part makes its run not done, and every table refuses it
    victim = store.part_path("county", specs[3].run_id)
    victim.write_bytes(victim.read_bytes()[:50])
    assert specs[3].run_id not in store.done()
    with pytest.raises(StoreError, match=rf"{victim.name}: corrupt or partial part"):
        store.load("metrics")


def test_a_folder_without_a_county_table_opens_resumes_and_says_so(tmp_path):
    store, specs = _store(tmp_path / "older", BASE_TABLES)
    manifest = store.read_manifest()
    del manifest["tables"]  # as written before county results were stored
    store.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert store.tables() == BASE_TABLES and not store.has_table("county")
    assert store.done() == {s.run_id for s in specs}
    with pytest.raises(StoreError, match="holds no 'county' table"):
        store.load("county")
    victim = store.part_path("metrics", specs[0].run_id)  # resuming writes its two tables only
    victim.unlink()
    store.open(specs, {}, resume=True, tables=TABLES)
    store.write(specs[0].run_id, _frames(specs[0]))
    assert store.done() == {s.run_id for s in specs}
    assert not (tmp_path / "older" / "parts" / "county").exists()
    old = tmp_path / "v0.1.0"  # before checksums, too
    shutil.copytree(OLD, old)
    assert not ResultStore(old).has_table("county")


def test_tables_outside_the_store_or_without_the_base_ones_are_refused(tmp_path):
    spec = RunSpec.make("pre_reform", 1)
    with pytest.raises(StoreError, match=r"tables: .* is not allowed"):
        ResultStore(tmp_path / "a").open([spec], {}, False, tables=("metrics", "by_school"))
    with pytest.raises(StoreError, match=r"tables: .* is not allowed"):
        ResultStore(tmp_path / "b").open([spec], {}, False, tables=("metrics", "county"))
    store, _ = _store(tmp_path / "c")
    manifest = store.read_manifest()
    store.manifest_path.write_text(json.dumps({**manifest, "tables": ["x"]}), encoding="utf-8")
    with pytest.raises(StoreError, match="'tables' must list metrics, regional"):
        store.read_manifest()


def test_the_lever_values_every_run_shares_reach_the_report_manifest():
    runs = [
        {"levers": {"zone_visits_per_year": 6, "unannounced_share": 0.5}},
        {"levers": {"zone_visits_per_year": 6, "unannounced_share": 0.4}},
    ]
    assert shared_levers(runs) == {"zone_visits_per_year": 6}
    assert shared_levers([]) == {} and shared_levers([{"levers": {}}]) == {}
    manifest = {
        "province": "P",
        "scenarios": ["pre_reform"],
        "seeds": [1],
        "months": 3,
        "synthesized": {},
        "version": "0",
        "first_year": 2030,
        "kind": "ensemble",
        "runs": runs,
    }
    info = report_manifest(manifest, "pre_reform")
    assert info["levers"] == {"zone_visits_per_year": 6} and info["first_year"] == 2030
    assert info["baseline"] == "pre_reform" and info["created"] == ""
    assert "kind" not in info and "runs" not in info
    # a manifest that names its levers keeps them; none shared: no key
    assert report_manifest({**manifest, "levers": {}}, "pre_reform")["levers"] == {}
    assert "levers" not in report_manifest({**manifest, "runs": [{"levers": {}}]}, "pre_reform")


@pytest.mark.slow
def test_the_report_province_is_read_again_only_from_its_own_folder(tmp_path):
    toy = ds.synthetic_province(n_counties=2, seed=3)
    folder = toy.write(tmp_path / "toy")
    manifest = {"province_source": str(folder), "province_code": toy.code}
    assert report_province(manifest).county_table.index.equals(toy.county_table.index)
    assert report_province({**manifest, "province_code": "110000"}) is None  # another province
    assert report_province({**manifest, "province_source": "in memory"}) is None
    assert report_province({**manifest, "province_source": str(tmp_path / "gone")}) is None


def test_sweeps_and_in_memory_ensembles_keep_no_county_results(tmp_path):
    toy = ds.synthetic_province(n_counties=2, seed=3)
    small = {**SMALL, "months": 1}
    design = pd.DataFrame({"point": [0], "unannounced_share": [0.5]})
    sweep = run_sweep(toy, design, [1], out_dir=tmp_path / "sweep", **small)
    assert not ResultStore(sweep.folder).has_table("county")
    memory = run_ensemble(toy, ["pre_reform"], [1], **small)
    assert memory.folder is None and list(memory.regional.columns) == list(REGIONAL_COLUMNS)


def _row_cells(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


@pytest.mark.slow
def test_make_runs_report_has_the_counties_and_the_levers_set_on_every_run(tmp_path):
    toy = ds.synthetic_province(n_counties=3, seed=3)
    prov = toy.write(tmp_path / "toy")
    out = tmp_path / "cmp"
    args = ["compare", "--province", str(prov), "--months", "3", "--warmup-months", "12"]
    args += ["--workers", "1", "--quiet", "--seeds", "2", "--scenarios", "reform_2021"]
    assert main([*args, "--set", "zone_visits_per_year=6", "--out", str(out)]) == 0
    store = ResultStore(out)
    county = store.load("county")
    codes = set(toy.county_table.index.astype(str))
    assert set(county["code"]) == codes and store.has_table("county")
    for lang in ("en", "zh"):
        if lang == "zh":  # the report written again from the folder, the province reloaded
            assert main(["report", "--from", str(out), "--lang", "zh", "--quiet"]) == 0
        page = (out / f"report_{lang}.html").read_text(encoding="utf-8")
        table = _row_cells(page, "table-by-county")
        assert all(f'data-code="{code}"' in table for code in codes)
        assert '<figure id="fig-county-map">' in page
        # both scenarios ran with 6 routine visits (reform_2021 alone says 8): no lever row
        # claims they differ, and the caveats name the value set
        levers = page[page.index('id="section-scenarios"') : page.index('id="section-indices"')]
        assert 'data-lever="zone_visits_per_year"' not in levers
        caveats = page[page.index('id="section-caveats"') :]
        caveats = caveats[: caveats.index("</section>")]
        assert 'data-caveat="overrides"' in caveats and "zone_visits_per_year = 6" in caveats
    by_county = pd.read_csv(out / "by_county.csv", dtype={"code": str})
    assert set(by_county["code"]) == codes
    assert set(by_county["city"]) <= set(toy.cities["name"])
    # without --set the lever table shows the reform's own value
    plain = tmp_path / "plain"
    assert main([*args, "--out", str(plain)]) == 0
    page = (plain / "report_en.html").read_text(encoding="utf-8")
    assert 'data-lever="zone_visits_per_year"' in _row_cells(page, "table-levers")
    assert 'data-caveat="overrides"' not in page
