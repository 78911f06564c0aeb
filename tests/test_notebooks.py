"""The notebooks: numbered, a purpose first, only the package's API, outputs not stale.

nbval (``make test``) re-runs every notebook in quick mode and compares its outputs with the
stored ones; these tests check what nbval cannot: that the stored outputs belong to the
current code (``make notebooks`` stamps a hash of the code cells) and that notebooks use the
package rather than define a model of their own.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from dudao_sim.report.notebook import notebook_code_hash, notebook_settings

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Modules a notebook may import: the package and the plotting and data libraries it hands to.
ALLOWED_IMPORTS = {"dudao_sim", "pandas", "numpy", "seaborn", "matplotlib", "networkx"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_numbered_with_a_purpose_first(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)
    first = _load(path)["cells"][0]
    assert first["cell_type"] == "markdown"
    assert "".join(first["source"]).lstrip().startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_belong_to_the_current_code(path):
    nb = _load(path)
    stamp = nb.get("metadata", {}).get("dudao_sim", {})
    assert stamp.get("code_sha256") == notebook_code_hash(nb["cells"]), (
        f"{path.name}: code cells changed since the outputs were stored; run `make notebooks`"
    )
    assert stamp.get("quick") is True
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), f"{path.name}: a code cell never ran"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_only_the_package_and_plotting_libraries(path):
    for cell in _load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef | ast.FunctionDef)
                and path.name != "05_policy_dashboard.ipynb"
            ):
                pytest.fail(f"{path.name} defines {node.name}: notebooks use the package's API")
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] in ALLOWED_IMPORTS, (path.name, name)


def test_hash_changes_with_code_only():
    cells = [
        {"cell_type": "markdown", "source": "# t"},
        {"cell_type": "code", "source": ["x = 1\n", "x"], "outputs": []},
    ]
    h = notebook_code_hash(cells)
    assert notebook_code_hash([*cells[:1], {**cells[1], "outputs": ["other"]}]) == h
    assert notebook_code_hash([{"cell_type": "markdown", "source": "# u"}, cells[1]]) == h
    assert notebook_code_hash([cells[0], {**cells[1], "source": "x = 2\nx"}]) != h


def test_quick_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DUDAO_SIM_QUICK", "1")
    quick = notebook_settings()
    monkeypatch.setenv("DUDAO_SIM_QUICK", "0")
    full = notebook_settings()
    assert quick.quick and not full.quick
    assert full.province_name == "hunan" and len(full.seeds) > len(quick.seeds)
    assert quick.province.code != "430000"
