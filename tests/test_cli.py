"""Tests of the dudao-sim command line (dudao_sim.cli, dudao_sim.structure.describe)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

import dudao_sim as ds
from dudao_sim.cli.main import main
from dudao_sim.structure.hierarchy import read_graphml
from dudao_sim.structure.inspectorate import staff_inspectorate


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=3, seed=0)


def test_summary_of_a_synthetic_province(toy: ds.Province, capsys) -> None:
    assert main(["hierarchy", "--synthetic", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    n_town = int(toy.county_table["n_townships"].sum())
    assert f"province 1 · cities 1 · counties 3 · townships {n_town}" in out
    assert "Supervision offices: 5 (province 1, cities 1, counties 3)" in out
    assert f"Schools: {len(toy.schools):,} — kindergarten" in out
    staff = staff_inspectorate(toy)
    assert f"Inspectors: {len(staff):,} (full-time {int(staff['is_full_time'].sum()):,})" in out
    assert "depth 7" in out
    assert "示例1市" in out and "示例省 (province)" in out
    assert "Note: synthesized input figures" in out


def test_summary_in_chinese(capsys) -> None:
    assert main(["hierarchy", "--synthetic", "3", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    for word in ("教育督导体系", "县市区", "督学", "幼儿园", "高等学校", "挂牌覆盖率", "合成数据"):
        assert word in out, word
    assert "Schools" not in out


def test_summary_reflects_the_staffing_options(capsys) -> None:
    args = ["hierarchy", "--synthetic", "3", "--schools-per-inspector", "50"]
    assert main([*args, "--badged-coverage", "0.5", "--full-time-share", "0.25"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # long lines wrap at 100 columns
    assert "1 inspector per 50 schools" in out
    assert "badged coverage target 50%" in out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_other_staffing_is_judged_against_the_documents_1_to_5(lang: str, capsys) -> None:
    """Issue 14: staffed at 1:12, counties are still judged against 1:5, and it says so."""
    args = ["hierarchy", "--synthetic", "3", "--schools-per-inspector", "12", "--lang", lang]
    assert main(args) == 0
    out = capsys.readouterr().out
    if lang == "en":
        assert "Staffing built: 1 inspector per 12 schools" in out
        assert "Judged against the document's targets: at most 5 schools per inspector" in out
        assert "≤5?" in out and "Counties meeting 1:5: 0/3" in out
    else:
        assert "每 12 所学校 1 名督学" in out
        assert "对照文件标准评判：督学与学校数 1:5" in out
        assert "达到 1:5 的县市区：0/3" in out
    assert "≤12?" not in out and "1:12" not in out


@pytest.mark.hunan
def test_light_granularity_on_hunan(capsys) -> None:
    assert main(["hierarchy", "--granularity", "light"]) == 0
    out = capsys.readouterr().out
    assert "湖南省 (430000)" in out
    assert "cities 14 · counties 122 · townships 1,947" in out
    assert "higher education 128" in out
    assert "needs a full graph" in out


def test_graphml_is_written_and_readable(tmp_path: Path, capsys) -> None:
    path = tmp_path / "toy.graphml"
    assert main(["hierarchy", "--synthetic", "3", "--graphml", str(path)]) == 0
    assert f"GraphML written to {path}" in capsys.readouterr().out
    graph = read_graphml(path)
    assert graph.graph["granularity"] == "full"
    assert graph.nodes["gov:990000000"]["name"] == "示例省"
    assert sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "school") == 615


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--full-time-share", "2"], "--full-time-share: 2.0 is not allowed; must be a number in"),
        (["--schools-per-inspector", "0"], "--schools-per-inspector: 0.0 is not allowed"),
        (["--badged-coverage", "x"], "invalid float value: 'x'"),
        (["--province", "/nonexistent"], "/nonexistent"),
        (["--granularity", "wrong"], "invalid choice: 'wrong'"),
        (["--lang", "fr"], "invalid choice: 'fr'"),
        (["--synthetic", "0"], "--synthetic: 0 is not allowed"),
        (["--synthetic", "3", "--province", "hunan"], "not allowed with argument"),
        (["--synthetic", "3", "--graphml", "/nonexistent/dir/x.graphml"], "--graphml: cannot"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(args: list[str], expected: str, capsys) -> None:
    assert main(["hierarchy", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("dudao-sim: error: ")
    assert expected in err
    assert "Traceback" not in err


def test_missing_command_and_version(capsys) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("dudao-sim: error: a command is required")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"dudao-sim {ds.__version__}"
    assert main(["hierarchy", "--help"]) == 0
    assert "--schools-per-inspector" in capsys.readouterr().out


@pytest.mark.slow
def test_installed_console_script() -> None:
    try:
        distribution("dudao_sim")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        pytest.skip("dudao_sim is not installed, so there is no console script")
    script = Path(sys.executable).parent / "dudao-sim"
    assert script.is_file(), f"console script missing: {script}"
    done = subprocess.run(
        [str(script), "hierarchy", "--synthetic", "3"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Supervision hierarchy of 示例省" in done.stdout
    bad = subprocess.run(
        [str(script), "hierarchy", "--full-time-share", "2"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("dudao-sim: error: --full-time-share")
    assert "Traceback" not in bad.stderr


def test_summary_rejects_an_unknown_language(toy: ds.Province) -> None:
    from dudao_sim.structure.describe import hierarchy_summary
    from dudao_sim.structure.hierarchy import build_hierarchy

    graph = build_hierarchy(toy, granularity="light")
    with pytest.raises(ValueError, match="lang: 'fr' is not allowed"):
        hierarchy_summary(toy, graph, lang="fr")
