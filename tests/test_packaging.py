"""Code-health checks on the project's own files: set-up contract and documented claims."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from dudao_sim.data.province import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_agrees_with_pyproject():
    project = _pyproject()["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in conda if d.startswith("python"))
    version = python.split("=", 1)[1]
    assert SpecifierSet(project["requires-python"]).contains(version + ".0")
    declared = {Requirement(r).name.lower() for r in project["dependencies"]}
    for dep in conda:
        name = re.split(r"[=<>! ]", dep, maxsplit=1)[0].lower()
        assert name in {"python", "pip"} | declared, f"environment.yml lists {dep} not in pyproject"
    editable = [p for p in pip if p.startswith("-e .")]
    assert editable, "environment.yml must install the package itself (-e .[extras])"
    extras = re.findall(r"\[(.*)\]", editable[0])[0].split(",")
    assert set(extras) <= set(project["optional-dependencies"])
    assert "dev" in extras


def test_dependencies_have_upper_bounds_and_cover_the_design_card():
    project = _pyproject()["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    names = {r.name.lower() for r in reqs}
    assert {
        "mesa",
        "networkx",
        "pandas",
        "numpy",
        "seaborn",
        "matplotlib",
        "pydantic",
        "ipywidgets",
        "jupyterlab",
    } <= names
    for req in reqs:
        assert any(s.operator == "<" for s in req.specifier), f"{req} has no upper bound"
    mesa = next(r for r in reqs if r.name.lower() == "mesa")
    assert mesa.specifier.contains("3.3.1") and mesa.specifier.contains("3.5.1")
    assert not mesa.specifier.contains("4.0.0")
    dev = {Requirement(r).name.lower() for r in project["optional-dependencies"]["dev"]}
    assert {"pytest", "nbval", "hypothesis", "ruff"} <= dev
    assert project["scripts"]["dudao-sim"] == "dudao_sim.cli:main"


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_files_named_in_docs_exist():
    """Every repository path a document names in backticks must exist."""
    pattern = re.compile(r"`((?:dudao_sim|datasets|tests|docs|notebooks|tools|\.ci)/[^`\s]*)`")
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path in pattern.findall(doc.read_text(encoding="utf-8")):
            assert (ROOT / path.rstrip("/")).exists(), f"{doc.name} names missing {path}"


def test_docs_data_lists_exactly_the_schema_columns():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for table, schema in SCHEMAS.items():
        section = text.split(f"### `{table}.csv`", 1)[1].split("###", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
        assert documented == list(schema.columns), table


def test_top_level_layout_of_the_design_card():
    for name in (
        "notebooks",
        "dudao_sim",
        "datasets",
        "tests",
        "environment.yml",
        "README.md",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
        "docs",
    ):
        assert (ROOT / name).exists(), name


def test_public_names_and_old_import_paths():
    import importlib
    import warnings

    import dudao_sim as ds
    from dudao_sim import _moved

    for name in ("SupervisionModel", "run_ensemble", "load_province", "build_hierarchy"):
        assert name in ds.__all__ and hasattr(ds, name)
    for old, new in _moved.MOVED.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alias = importlib.import_module(old)
        assert any(issubclass(w.category, DeprecationWarning) for w in caught), old
        target = importlib.import_module(new)
        public = [k for k in vars(target) if not k.startswith("_")]
        assert all(getattr(alias, k) is getattr(target, k) for k in public), old
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from dudao_sim.mechanisms.base import Mechanism  # a submodule of a moved package
    from dudao_sim.model.mechanisms.base import Mechanism as New

    assert Mechanism is New


def test_top_level_holds_at_most_six_modules():
    modules = sorted(p.name for p in (ROOT / "dudao_sim").glob("*.py"))
    assert len(modules) <= 6, modules
