"""The document's numeric targets are declared once (policy/targets.toml) and read everywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dudao_sim.policy import targets
from dudao_sim.policy.clauses import clauses
from dudao_sim.structure.inspectorate import InspectorateSpec

PACKAGE = Path(__file__).resolve().parents[1] / "dudao_sim"


def test_targets_quote_their_clause_and_have_numbers():
    assert set(targets.TARGETS) >= {
        "schools_per_inspector",
        "full_time_share",
        "badged_coverage",
        "end_of_term_review",
        "max_zone_schools",
    }
    for target in targets.TARGETS.values():
        assert target.quote in clauses()[target.clause].text
        assert (target.value is None) != (target.low is None)
    assert targets.FULL_TIME_BAND == (0.3, 1 / 3)
    assert targets.SCHOOLS_PER_INSPECTOR == 5
    assert targets.MAX_ZONE_SCHOOLS == 20


def test_default_staffing_is_the_documents():
    spec = InspectorateSpec()
    assert spec.schools_per_inspector == targets.SCHOOLS_PER_INSPECTOR
    assert spec.full_time_share == targets.FULL_TIME_BAND[0]
    assert spec.badged_coverage == targets.BADGED_COVERAGE
    assert spec.max_zone_schools == targets.MAX_ZONE_SCHOOLS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[a]\nclause = "十七"\nquote = "x"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\n'
            "value = 5\n",
            "quote is not in clause",
        ),
        (
            '[a]\nclause = "三十"\nquote = "x"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\n'
            "value = 5\n",
            "is not one of",
        ),
        (
            '[a]\nclause = "十七"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\nvalue = 5\n',
            "lacks quote",
        ),
        (
            '[a]\nclause = "十七"\nquote = "专职督学"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\n'
            'low = "1/x"\nhigh = 1\n',
            "not a number or fraction",
        ),
        (
            '[a]\nclause = "十七"\nquote = "专职督学"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\n'
            "low = 0.3\n",
            "needs both low and high",
        ),
        (
            '[a]\nclause = "十七"\nquote = "专职督学"\nunit = "u"\nlabel_zh = "z"\nlabel_en = "e"\n'
            "value = 1\nlow = 0.3\nhigh = 0.4\n",
            "either value or low and high",
        ),
    ],
)
def test_bad_targets_file_is_rejected_with_the_entry_named(tmp_path, text, message):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        targets.load_targets(path)


def test_no_module_writes_the_full_time_band_or_zone_limit_itself():
    """The band's 1/3 and 0.3 and the 20-school zone are read from targets, not retyped."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "targets.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div)
                and isinstance(node.left, ast.Constant)
                and isinstance(node.right, ast.Constant)
                and (node.left.value, node.right.value) == (1, 3)
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, offenders
