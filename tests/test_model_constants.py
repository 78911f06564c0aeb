"""No behavioural number is written in the model's code: they are assumptions (data).

Every numeric literal in ``dudao_sim/model/`` (mechanisms included) must be 0 or 1 (``-1`` is
``NEVER``), a code in an ``IntEnum``, an array shape or column index, or one of the documented
structural constants below. A behavioural number belongs in
``dudao_sim/policy/assumptions/*.toml`` with a range, a unit and a source.
"""

from __future__ import annotations

import ast
import sys
from enum import IntEnum
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[1] / "dudao_sim" / "model"

#: Module-level constants allowed to hold a literal: (module, name) -> why it is structural.
ALLOWED_CONSTANTS: dict[tuple[str, str], str] = {
    ("calendar.py", "MONTHS_PER_YEAR"): "12 months a year",
    ("calendar.py", "EVALUATION_MONTH"): "the calendar month of annual evaluations (November)",
    ("calendar.py", "DEFAULT_WARMUP_MONTHS"): "default run set-up: a two-year warm-up",
    ("model.py", "DEFAULT_MONTHS"): "default run set-up: ten years after the warm-up",
    ("model.py", "_SEED_BOUND"): "seeds fit a signed 64-bit integer (2**63)",
    ("state.py", "_BITS_PER_BYTE"): "bit packing of a row of areas into one byte",
    ("initial_state.py", "SLOTS_PER_SCHOOL"): "size of the inspector-slot array (1 per 2 schools)",
    ("initial_state.py", "SPARE_SLOTS"): "size of the inspector-slot array (vacant slots)",
    ("mechanisms/planning.py", "_ROTATION_STRIDE"): "spreads rotation months: 7 is prime to 12",
    ("mechanisms/visits.py", "_LEVEL_PACK"): "packs (school, level) in one integer (> levels)",
    ("mechanisms/visits.py", "_KIND_SHIFT"): "packs (kind, row) in one integer (2**40 > rows)",
}

#: Literals allowed anywhere: value -> why.
ALLOWED_VALUES: dict[float, str] = {
    1e-9: "numerical tolerance: guards a division by zero or float rounding before ceil",
}

#: Modules exempt as a whole: module -> why.
EXEMPT_MODULES: dict[str, str] = {
    "streams.py": "random-number internals: SplitMix64 constants, bit shifts, 2**53 mantissa",
}


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def _structural_positions(tree: ast.AST) -> set[int]:
    """ids of literals that are array shapes or column indices, or sit in an IntEnum body."""
    ok: set[int] = set()

    def mark(node: ast.AST) -> None:
        ok.update(id(n) for n in ast.walk(node) if _is_number(n))

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            getattr(b, "id", getattr(b, "attr", "")) == IntEnum.__name__ for b in node.bases
        ):
            mark(node)  # enum codes
        elif isinstance(node, ast.Subscript):  # a column index: u[..., 2]
            mark(node.slice)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "uniform":
            for arg in node.args:  # the shape of a month's draws: (n, n_areas, 4)
                if isinstance(arg, ast.Tuple):
                    mark(arg)
        elif isinstance(node, ast.Compare) and getattr(node.left, "attr", "") == "ndim":
            mark(node)  # a 2-D mask
    return ok


def _allowed_constant_positions(tree: ast.Module, module: str) -> set[int]:
    ok: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if any((module, name) in ALLOWED_CONSTANTS for name in names):
                ok.update(id(n) for n in ast.walk(node) if _is_number(n))
    return ok


def magic_numbers(path: Path) -> list[str]:
    """``line: value`` of every literal in ``path`` that is not allowed."""
    module = path.relative_to(MODEL).as_posix()
    if module in EXEMPT_MODULES:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ok = _structural_positions(tree) | _allowed_constant_positions(tree, module)
    found = []
    for node in ast.walk(tree):
        if not _is_number(node) or id(node) in ok:
            continue
        if node.value in (0, 1) or node.value in ALLOWED_VALUES:
            continue
        found.append(f"{module}:{node.lineno}: {node.value!r}")
    return found


def test_no_behavioural_number_is_written_in_the_model_code():
    found = [hit for path in sorted(MODEL.rglob("*.py")) for hit in magic_numbers(path)]
    assert not found, (
        "numbers written in code; make them assumptions (dudao_sim/policy/assumptions/) or, if "
        "structural, add them to the allow-list of this test with a reason:\n" + "\n".join(found)
    )


def test_every_allowed_constant_exists():
    for module, name in ALLOWED_CONSTANTS:
        tree = ast.parse((MODEL / module).read_text(encoding="utf-8"))
        names = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        }
        assert name in names, (module, name)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = y * 0.5\n", ["probe.py:1: 0.5"]),
        ("x = y[:, 2] + z * 2\n", ["probe.py:1: 2"]),
        ("u = s.uniform('p', t, (n, 4))\nv = -1 + 0.0 + 1.0\n", []),
        ("class K(IntEnum):\n    A = 7\n", []),
        ("if a.ndim != 2:\n    b = 3\n", ["probe.py:2: 3"]),
    ],
)
def test_the_check_catches_a_literal(tmp_path, monkeypatch, source, expected):
    monkeypatch.setattr(sys.modules[__name__], "MODEL", tmp_path)
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert magic_numbers(probe) == expected
