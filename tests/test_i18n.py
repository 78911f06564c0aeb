"""The zh/en text catalogue (dudao_sim/i18n): same keys, same format fields, every used key."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from dudao_sim import i18n
from dudao_sim.i18n import MissingTextError, catalogue, has_text, section, text

PACKAGE = Path(__file__).resolve().parents[1] / "dudao_sim"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys():
    zh, en = set(catalogue("zh")), set(catalogue("en"))
    assert zh == en, {"only zh": sorted(zh - en), "only en": sorted(en - zh)}


def test_format_fields_agree_between_languages():
    zh, en = catalogue("zh"), catalogue("en")
    differ = {k: (_fields(zh[k]), _fields(en[k])) for k in zh if _fields(zh[k]) != _fields(en[k])}
    assert not differ


def test_no_text_is_empty_except_deliberately():
    # the figure-language note only exists in Chinese (an English page has English figures)
    empty = {k for lang in i18n.LANGS for k, v in catalogue(lang).items() if not v}
    assert empty == {"report.fig-en"}


def _is_wrapper(func: ast.expr, table: str, own: bool) -> bool:
    """A call of a module's own wrapper of its ``TEXT_TABLE``: ``text``, ``_text`` or ``.t``."""
    if not table:
        return False
    if isinstance(func, ast.Attribute):
        return func.attr == "t"
    return isinstance(func, ast.Name) and (func.id == "_text" or (func.id == "text" and own))


def _wrapper_modules() -> dict[str, str]:
    """Modules with a ``TEXT_TABLE`` and a ``text`` of their own: ``{dotted name: table}``."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = any(isinstance(n, ast.FunctionDef) and n.name == "text" for n in tree.body)
        for node in tree.body:
            targets = [getattr(t, "id", "") for t in getattr(node, "targets", [])]
            if own and isinstance(node, ast.Assign) and targets == ["TEXT_TABLE"]:
                dotted = path.relative_to(PACKAGE.parent).with_suffix("").parts
                out[".".join(dotted)] = node.value.value  # type: ignore[attr-defined]
    return out


def _used_keys() -> dict[str, set[str]]:
    """Literal keys passed to the catalogue in the package: ``text("a.b", ...)`` calls.

    A call counts when it is ``i18n.text(...)``, or ``text(...)`` / ``i18n_text(...)`` in a
    module importing ``text`` from :mod:`dudao_sim.i18n`; in a module with a ``TEXT_TABLE``
    constant, calls of its wrappers (its own ``text``, ``_text`` or a ``.t`` method) prefix
    the table, and so do calls of such a module's ``text`` imported elsewhere (the
    dashboard's ``texts.text``). F-strings with a literal
    head are returned as ``"head*"`` (some key must start with the head).
    """
    used: dict[str, set[str]] = {}
    wrappers = _wrapper_modules()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "i18n":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        imported: dict[str, str] = {}  # a wrapper's text imported from another module: table
        table = ""
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "dudao_sim.i18n":
                names.update(a.asname or a.name for a in node.names if a.name == "text")
            if isinstance(node, ast.ImportFrom) and node.module in wrappers:
                imported.update(
                    {
                        a.asname or a.name: wrappers[node.module]
                        for a in node.names
                        if a.name == "text"
                    }
                )
            if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
                "TEXT_TABLE"
            ]:
                table = node.value.value  # type: ignore[attr-defined]
        own = table and any(isinstance(n, ast.FunctionDef) and n.name == "text" for n in tree.body)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            prefix = None
            if isinstance(func, ast.Attribute) and func.attr == "text":
                if isinstance(func.value, ast.Name) and func.value.id == "i18n":
                    prefix = ""
            elif isinstance(func, ast.Name) and func.id in names and not own:
                prefix = ""
            elif isinstance(func, ast.Name) and func.id in imported:
                prefix = imported[func.id] + "."
            elif _is_wrapper(func, table, own):
                prefix = table + "."
            if prefix is None:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                key = prefix + arg.value
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                key = prefix + str(arg.values[0].value) + "*"
            else:
                continue
            used.setdefault(key, set()).add(str(path.relative_to(PACKAGE)))
    return used


def test_every_key_used_in_the_code_exists():
    used = _used_keys()
    keys = set(catalogue("en"))
    assert len(used) > 60, "the scan finds the calls"
    assert {"figure.score", "report.sec-costs", "hierarchy.yes", "cli.graphml_written"} <= set(used)
    assert {"dashboard.run", "dashboard.map_title", "dashboard.clause_of"} <= set(used)
    missing = {
        k: sorted(where)
        for k, where in used.items()
        if (k.endswith("*") and not any(x.startswith(k[:-1]) for x in keys))
        or (not k.endswith("*") and k not in keys)
    }
    assert not missing


def test_text_formats_and_names_a_missing_key():
    assert text("report.cap-by-city", "en", n=6) == "Mean of the last 6 months by 市州."
    assert text("status.within_noise", "zh") == "不显著"
    with pytest.raises(MissingTextError, match=r"'report\.nope'.*zh\.toml"):
        text("report.nope", "zh")
    with pytest.raises(KeyError):  # a missing format value
        text("report.cap-by-city", "en")
    with pytest.raises(ValueError, match="lang: 'fr'"):
        text("status.met", "fr")
    assert has_text("vocab.kindergarten") and not has_text("vocab")
    assert section("lever_group", "en")["III"] == "III. Use of results"


def test_consumers_read_the_catalogue():
    from dudao_sim.data.vocab import label
    from dudao_sim.metrics.catalogue import GROUPS as METRIC_GROUPS
    from dudao_sim.policy.levers import GROUPS
    from dudao_sim.report.targets import TARGETS
    from dudao_sim.structure.describe import text as summary_text

    assert (
        label("kindergarten", "zh") == "幼儿园" and label("no_such_value", "zh") == "no_such_value"
    )
    assert GROUPS["I"] == {"zh": "一、管理体制", "en": "I. Management system"}
    assert METRIC_GROUPS["index"] == ("四项指数", "Clause-24 indices")
    assert summary_text("yes", "zh") == "是"
    assert all(t.label("zh") and t.label("en") for t in TARGETS)
