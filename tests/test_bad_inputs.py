"""The corpus of bad inputs (tests/bad_inputs/): one clear line for every mistake, before computing.

Each case of ``scenarios.toml``, ``province.toml``, ``cli.toml`` and ``results.toml`` runs the
command line in-process and must exit 2 with exactly one line on stderr (no traceback) that
matches its ``expect``; each case of ``api.toml`` calls the Python API and must raise exactly
its ``error`` class (a :class:`dudao_sim.errors.DudaoError`) with a matching message. No case
may run a model month or start an ensemble: ``SupervisionModel.step`` and the executor are
replaced by functions that fail the test. The format is described in
``tests/bad_inputs/README.md``.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dudao_sim as ds
import dudao_sim.errors as errors
from dudao_sim.cli.common import UsageError
from dudao_sim.cli.main import main
from dudao_sim.experiments import spawn_seeds

CORPUS = Path(__file__).parent / "bad_inputs"
BASE_PROVINCE = CORPUS / "province"
CATEGORIES = ("scenarios", "province", "cli", "results", "api")
#: What a case's file edits apply to, by category (the case folder when it has no results).
EDIT_TARGET = {
    "scenarios": "dir",
    "cli": "dir",
    "province": "province",
    "api": "province",
    "results": "results",
}
#: Longest error line any case may print.
MAX_LINE = 1000

CALLS = {
    "SupervisionModel": ds.SupervisionModel,
    "run_ensemble": ds.run_ensemble,
    "run_sweep": ds.run_sweep,
    "spawn_seeds": spawn_seeds,
    "Province.from_tables": ds.Province.from_tables,
    "compose": ds.compose,
    "load_province": ds.load_province,
    "ResultStore.load": lambda folder, table: ds.ResultStore(folder).load(table),
}


def _load(category: str) -> list[dict[str, Any]]:
    with (CORPUS / f"{category}.toml").open("rb") as handle:
        return tomllib.load(handle)["case"]


CASES = {category: _load(category) for category in CATEGORIES}


def _params(*categories: str) -> list:
    return [
        pytest.param(category, case, id=f"{category}:{case['id']}")
        for category in categories
        for case in CASES[category]
    ]


# ---- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=2, seed=0)


@pytest.fixture(scope="module")
def results_template(tmp_path_factory) -> Path:
    """A tiny compare output folder (pre_reform and reform_2021, 1 seed, 1 month)."""
    out = tmp_path_factory.mktemp("results") / "compare"
    args = ["compare", "--synthetic", "2", "--months", "1", "--warmup-months", "0"]
    args += ["--seeds", "1", "--workers", "1", "--quiet", "--scenarios", "reform_2021"]
    assert main([*args, "--no-report", "--out", str(out)]) == 0
    return out


@pytest.fixture
def no_computation(monkeypatch):
    """Fail the test if a model month runs or an ensemble starts executing."""

    def step(self) -> None:
        raise AssertionError("a model month ran: the input was not checked before computing")

    def execute(*args, **kwargs) -> None:
        raise AssertionError("runs started: the input was not checked before computing")

    monkeypatch.setattr("dudao_sim.model.model.SupervisionModel.step", step)
    monkeypatch.setattr("dudao_sim.experiments.ensemble.execute", execute)


# ---- preparing a case -------------------------------------------------------------------------
def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def _edit(case: dict[str, Any], target: Path) -> None:
    """Apply a case's edits to the folder ``target``."""
    for name in case.get("folders", []):
        (target / name).mkdir(parents=True)
    for name, text in case.get("files", {}).items():
        _write(target / name, text)
    for name, old, new in case.get("replace", []):
        text = (target / name).read_text(encoding="utf-8")
        assert old in text, f"{case['id']}: {old!r} is not in {name}"
        _write(target / name, text.replace(old, new))
    for name, text in case.get("append", {}).items():
        _write(target / name, (target / name).read_text(encoding="utf-8") + text)
    if "generate" in case:
        spec = case["generate"]
        rows = "".join(spec["line"].format(i=i) + "\n" for i in range(spec["rows"]))
        path = target / spec["file"]
        _write(path, path.read_text(encoding="utf-8") + rows)
    for pattern in case.get("remove", []):
        matches = list(target.glob(pattern))
        assert matches, f"{case['id']}: nothing matches {pattern}"
        for path in matches:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for pattern, text in case.get("overwrite", {}).items():
        matches = list(target.glob(pattern))
        assert matches, f"{case['id']}: nothing matches {pattern}"
        for path in matches:
            _write(path, text)
    for name, encoding in case.get("encoding", {}).items():
        _write(target / name, (target / name).read_text(encoding="utf-8"), encoding)
    manifest_edits = ("manifest_drop", "manifest_set", "manifest_run_id")
    if any(key in case for key in manifest_edits):
        path = target / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for key in case.get("manifest_drop", []):
            del manifest[key]
        manifest.update(case.get("manifest_set", {}))
        if "manifest_run_id" in case:
            manifest["runs"][0]["run_id"] = case["manifest_run_id"]
        path.write_text(json.dumps(manifest), encoding="utf-8")


def _prepare(category: str, case: dict[str, Any], tmp: Path, results: Path | None) -> dict:
    """Create the case's folder, files, province copy and results copy; the placeholders."""
    folder = tmp / "case"
    folder.mkdir()
    (folder / "a_file").write_text("not a folder\n", encoding="utf-8")
    places = {"dir": folder, "file": folder / "a_file"}
    places["province"] = folder / "province"
    shutil.copytree(BASE_PROVINCE, places["province"])
    if results is not None:
        places["results"] = folder / "results"
        shutil.copytree(results, places["results"])
    _edit(case, places.get(EDIT_TARGET[category], folder))
    return places


def _substitute(value: Any, places: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in places:
            return places[value[1:-1]]  # the object itself: a Province, a Path
        return value.format(**{k: v for k, v in places.items() if not isinstance(v, ds.Province)})
    if isinstance(value, list):
        return [_substitute(v, places) for v in value]
    if isinstance(value, dict):
        if set(value) == {"frame"}:
            return pd.DataFrame(value["frame"])
        return {k: _substitute(v, places) for k, v in value.items()}
    return value


def _uses_results(case: dict[str, Any]) -> bool:
    return "{results}" in json.dumps(case)


# ---- the corpus -------------------------------------------------------------------------------
@pytest.mark.parametrize(("category", "case"), _params("scenarios", "province", "cli", "results"))
def test_command_line_case(category, case, tmp_path, request, monkeypatch, capsys) -> None:
    results = request.getfixturevalue("results_template") if _uses_results(case) else None
    places = _prepare(category, case, tmp_path, results)
    request.getfixturevalue("no_computation")
    monkeypatch.chdir(places["dir"])
    capsys.readouterr()  # what making the results template printed
    args = [str(a) for a in _substitute(case["args"], places)]
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert code == 2, f"exit {code}; stderr: {err}"
    lines = err.splitlines()
    assert len(lines) == 1, f"{len(lines)} lines on stderr:\n{err}"
    assert lines[0].startswith("dudao-sim: error: "), lines[0]
    assert re.search(case["expect"], lines[0]), f"\n{case['expect']}\ndid not match\n{lines[0]}"
    assert len(lines[0]) <= case.get("max_length", MAX_LINE), len(lines[0])
    assert out == "", out
    for name in case.get("absent", []):
        assert not (places["dir"] / name).exists(), f"{name} was written before the check"


@pytest.mark.parametrize(("category", "case"), _params("api"))
def test_api_case(category, case, tmp_path, toy, no_computation) -> None:
    places = {**_prepare(category, case, tmp_path, None), "toy": toy}
    call = CALLS[case["call"]]
    args = _substitute(case.get("args", []), places)
    kwargs = _substitute(case.get("kwargs", {}), places)
    expected = getattr(errors, case["error"])
    with pytest.raises(errors.DudaoError) as info:
        call(*args, **kwargs)
    assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"
    assert isinstance(info.value, ValueError)
    assert re.search(case["expect"], str(info.value)), f"\n{case['expect']}\n{info.value}"
    for name in case.get("absent", []):
        assert not (places["dir"] / name).exists(), f"{name} was written before the check"


def test_the_corpus_is_large_and_distinct() -> None:
    cases = [(category, case) for category in CATEGORIES for case in CASES[category]]
    assert len(cases) >= 60, len(cases)
    ids = [case["id"] for _, case in cases]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    checked = [(case.get("call") or case["args"][0], case["expect"]) for _, case in cases]
    assert len(checked) == len(set(checked)), "two cases of one command expect the same message"
    known = {
        "id", "checks", "args", "expect", "files", "encoding", "folders", "replace", "append",
        "remove", "overwrite", "generate", "absent", "max_length", "manifest_drop",
        "manifest_set", "manifest_run_id", "call", "kwargs", "error",
    }  # fmt: skip
    for category, case in cases:
        assert set(case) <= known, (case["id"], set(case) - known)
        assert case.get("checks"), case["id"]
        re.compile(case["expect"])
        if category == "api":
            assert case["call"] in CALLS and hasattr(errors, case["error"]), case["id"]
        else:
            assert "args" in case, case["id"]


# ---- inputs that are accepted -----------------------------------------------------------------
SCENARIO = 'name = "s"\nlabel_zh = "示例"\nlabel_en = "s"\nbase = "reform_2021"\n'


def test_a_scenario_with_a_byte_order_mark_is_accepted(tmp_path, capsys) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(
        (
            "\ufeff" + SCENARIO + '[levers]\nrecheck_share = { value = 0.5, clause = "十二" }\n'
        ).encode("utf-8")
    )
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == f"ok: scenario s ({path}): base reform_2021, 1 lever changed\n"
    assert ds.load_scenario(path).levers["recheck_share"] == 0.5


def test_csv_tables_with_a_byte_order_mark_are_accepted(tmp_path, capsys) -> None:
    folder = shutil.copytree(BASE_PROVINCE, tmp_path / "p")
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8-sig"))
    assert main(["check", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        f"ok: province 示例省 (990000, {folder}): 1 city, 2 counties, 21 township-level units, "
        "6 schools\n"
    )


def test_check_without_inputs_checks_every_shipped_scenario(monkeypatch, capsys) -> None:
    monkeypatch.setattr("dudao_sim.cli.check.bundled_provinces", lambda: [])  # Hunan: slow
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == len(ds.scenario_names())
    assert lines[0] == "ok: scenario pre_reform (shipped): no base, 12 levers changed"
    assert all(line.startswith("ok: scenario ") for line in lines)


def test_check_reports_each_bad_input_and_still_checks_the_rest(tmp_path, capsys) -> None:
    assert main(["check", "reform_2012", str(BASE_PROVINCE), "high_stakes"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "did you mean reform_2021?" in err
    assert out.splitlines()[0].startswith("ok: province 示例省")
    assert (
        out.splitlines()[1]
        == "ok: scenario high_stakes (shipped): base reform_2021, 2 levers changed"
    )


# ---- plausibility warnings --------------------------------------------------------------------
def _province(tmp_path: Path, extra_schools: str = "", counties: str | None = None) -> Path:
    folder = shutil.copytree(BASE_PROVINCE, tmp_path / "p")
    if extra_schools:
        with (folder / "schools.csv").open("a", encoding="utf-8") as handle:
            handle.write(extra_schools)
    if counties is not None:
        (folder / "counties.csv").write_text(counties, encoding="utf-8")
    return folder


def test_a_crowded_county_warns_once_naming_the_row(tmp_path, capsys) -> None:
    rows = "".join(f"K{i},990121,kindergarten,public,90\n" for i in range(1500))
    folder = _province(tmp_path, rows)
    with pytest.warns(errors.PlausibilityWarning) as record:
        ds.load_province(folder)
    assert len(record) == 1
    assert re.search(
        r"counties\.csv: 1 county\(ies\) with more than 100 schools per township-level unit .*"
        r"row 2 \(county 990121: 1,503 schools, 13 township-level units\)",
        str(record[0].message),
    )
    assert main(["check", str(folder)]) == 0  # a warning, not an error
    out, err = capsys.readouterr()
    assert out.startswith("ok: province")
    assert err.count("\n") == 1 and err.startswith("dudao-sim: warning: ")


def test_a_county_without_schools_and_an_oversized_school_warn(tmp_path) -> None:
    folder = _province(tmp_path)
    text = (folder / "schools.csv").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if ",990121," not in line) + "\n"
    text += "S9,990102,primary,public,60000\n"
    (folder / "schools.csv").write_text(text, encoding="utf-8")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ds.load_province(folder)
    messages = [str(w.message) for w in record if w.category is errors.PlausibilityWarning]
    assert len(messages) == 2, messages
    assert "1 county(ies) without any school in schools.csv: row 2 (county 990121)" in messages[0]
    assert "row 4 (S9, primary: 60,000 pupils, more than 15,000)" in messages[1]


def test_bundled_and_synthetic_provinces_raise_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", errors.PlausibilityWarning)
        ds.synthetic_province(n_counties=300, seed=5)


# ---- exit codes, --debug and the hierarchy ----------------------------------------------------
def test_debug_shows_the_traceback_instead(capsys) -> None:
    with pytest.raises(UsageError, match="--seed: -1 is not allowed"):
        main(["--debug", "run", "--synthetic", "2", "--seed", "-1"])
    with pytest.raises(UsageError, match="--months: 0 is not allowed"):
        main(["run", "--synthetic", "2", "--months", "0", "--debug"])


def test_a_failure_that_is_not_the_users_exits_1_with_one_line(monkeypatch, capsys) -> None:
    def boom() -> list[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr("dudao_sim.cli.scenarios.scenario_names", boom)
    assert main(["scenarios"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "dudao-sim: error: internal error (RuntimeError: boom); rerun with dudao-sim --debug "
        "... for the traceback and report it\n"
    )
    with pytest.raises(RuntimeError):
        main(["scenarios", "--debug"])


def test_a_disk_error_while_writing_exits_1_naming_the_file(monkeypatch, tmp_path, capsys) -> None:
    def full(*args, **kwargs) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "m.csv"))

    monkeypatch.setattr("pandas.DataFrame.to_csv", full)
    args = ["run", "--synthetic", "2", "--months", "1", "--warmup-months", "0"]
    assert main([*args, "--csv", str(tmp_path / "m.csv")]) == 1  # checked before: not the user's
    assert capsys.readouterr().err == (
        f"dudao-sim: error: {tmp_path / 'm.csv'}: No space left on device\n"
    )


def test_one_hierarchy_of_errors_with_the_old_names() -> None:
    from dudao_sim.data.province import DataError
    from dudao_sim.experiments import StoreError
    from dudao_sim.policy.levers import LeverError
    from dudao_sim.policy.scenarios import ScenarioError

    assert DataError is errors.DataError is ds.DataError
    assert LeverError is errors.LeverError
    assert ScenarioError is errors.ScenarioError
    assert StoreError is errors.StoreError
    for cls in (DataError, LeverError, ScenarioError, StoreError, errors.ArgumentError):
        assert issubclass(cls, errors.DudaoError) and issubclass(cls, ValueError)
    assert issubclass(errors.AssumptionError, LeverError)  # old except LeverError still works
    assert issubclass(UsageError, errors.ArgumentError)
    assert issubclass(errors.PlausibilityWarning, UserWarning)
    # An edited metric catalogue or event registry is a user's mistake too (one line, exit 2).
    from dudao_sim.metrics.catalogue import CatalogueError
    from dudao_sim.metrics.events import EventRegistryError

    assert issubclass(CatalogueError, errors.DudaoError)
    assert issubclass(EventRegistryError, errors.DudaoError)
