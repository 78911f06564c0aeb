"""Layering of the model package: a mechanism never imports another mechanism.

Mechanisms share what they need through :mod:`dudao_sim.model.mechanisms.base` (the interface,
visits) and :mod:`dudao_sim.model.mechanisms.common` (shared rules and helpers), and pass
results to each other only through the model's flows (:mod:`dudao_sim.model.flows`). A large
mechanism may be split over parts of its own (:data:`PARTS`), which no other mechanism imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS

PACKAGE = "dudao_sim.model.mechanisms"
MECHANISMS = Path(__file__).resolve().parents[1] / "dudao_sim" / "model" / "mechanisms"
#: Modules of the package any mechanism may import.
SHARED = {"base", "common"}
#: Modules that are parts of one mechanism, not mechanisms: part -> the mechanism's module.
PARTS = {
    "visit_resources": "visits",
    "visit_claims": "visits",
    "visit_requests": "visits",
    "evaluation_requests": "visits",
}


def _imported_modules(path: Path) -> set[str]:
    """Fully qualified names of the modules ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level > 1 else PACKAGE
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            out.add(module)
            # ``from dudao_sim.model.mechanisms import visits`` imports a submodule too.
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


def _mechanism_imports(path: Path) -> set[str]:
    """Sibling modules of the mechanisms package that ``path`` imports."""
    siblings = {p.stem for p in MECHANISMS.glob("*.py")} - {"__init__"}
    found = set()
    for module in _imported_modules(path):
        if module.startswith(PACKAGE + "."):
            name = module[len(PACKAGE) + 1 :].split(".")[0]
            if name in siblings:
                found.add(name)
    return found


def _allowed(stem: str) -> set[str]:
    """Sibling modules module ``stem`` may import: shared ones, its mechanism and its parts."""
    owner = PARTS.get(stem, stem)
    return SHARED | {stem, owner} | {part for part, of in PARTS.items() if of == owner}


def test_no_mechanism_imports_another_mechanism():
    offenders = {}
    for path in sorted(MECHANISMS.glob("*.py")):
        if path.stem == "__init__":  # the package lists every mechanism
            continue
        bad = _mechanism_imports(path) - _allowed(path.stem)
        if bad:
            offenders[path.name] = sorted(bad)
    assert not offenders, f"mechanism modules importing other mechanisms: {offenders}"


def test_shared_modules_import_no_mechanism():
    for name in SHARED:
        assert _mechanism_imports(MECHANISMS / f"{name}.py") <= SHARED, name


def test_every_module_is_a_mechanism_a_shared_module_or_a_declared_part():
    mechanisms = {m.__module__.rsplit(".", 1)[1] for m in DEFAULT_MECHANISMS}
    modules = {p.stem for p in MECHANISMS.glob("*.py")} - {"__init__"}
    assert modules == mechanisms | SHARED | set(PARTS)
    assert set(PARTS.values()) <= mechanisms
    assert not set(PARTS) & (mechanisms | SHARED)


def test_parts_belong_to_their_own_mechanism_only():
    assert "visit_claims" in _allowed("visits")
    assert "visit_claims" in _allowed("visit_requests")  # parts of one mechanism share
    assert "visit_claims" not in _allowed("detection")
    assert "visits" not in _allowed("detection")


def test_the_check_catches_an_import(tmp_path):
    bad = tmp_path / "rogue.py"
    bad.write_text(
        "from dudao_sim.model.mechanisms.visits import SupervisionVisits\n"
        "from .conditions import Conditions\n"
        "import dudao_sim.model.mechanisms.results\n"
        "from dudao_sim.model.mechanisms import detection\n"
        "from dudao_sim.model.mechanisms.common import resources\n",
        encoding="utf-8",
    )
    assert _mechanism_imports(bad) == {"visits", "conditions", "results", "detection", "common"}


# ---- package layers: experiments below report below cli -----------------------------------
PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "dudao_sim"
#: Layer -> packages of dudao_sim it must not import (at any depth, lazy imports included).
FORBIDDEN = {
    "experiments": ("dudao_sim.report", "dudao_sim.cli", "dudao_sim.dashboard"),
    "report": ("dudao_sim.cli",),
    "i18n": ("dudao_sim.",),  # the text catalogue sits below everything
}


def _absolute_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            out.add("<relative import>")
    return out


def _layer_offenders(layer: str, root: Path = PACKAGE_ROOT) -> dict[str, list[str]]:
    offenders = {}
    for path in sorted((root / layer).rglob("*.py")):
        bad = sorted(
            m
            for m in _absolute_imports(path)
            if m == "<relative import>"
            or any(
                m == p.rstrip(".") or m.startswith(p.rstrip(".") + ".") for p in FORBIDDEN[layer]
            )
        )
        if bad:
            offenders[path.relative_to(root).as_posix()] = bad
    return offenders


def test_experiments_import_nothing_from_report_cli_or_dashboard():
    assert not _layer_offenders("experiments")


def test_report_imports_nothing_from_cli():
    assert not _layer_offenders("report")


def test_text_catalogue_imports_nothing_from_the_package():
    assert not _layer_offenders("i18n")


def test_the_layer_check_catches_a_lazy_import(tmp_path):
    layer = tmp_path / "experiments"
    layer.mkdir()
    (layer / "rogue.py").write_text(
        "def f():\n    from dudao_sim.report.fonts import use_cjk_fonts\n", encoding="utf-8"
    )
    assert _layer_offenders("experiments", tmp_path) == {
        "experiments/rogue.py": ["dudao_sim.report.fonts", "dudao_sim.report.fonts.use_cjk_fonts"]
    }
