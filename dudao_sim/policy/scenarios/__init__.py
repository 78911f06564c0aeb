"""Scenarios: readable reform files, each a diff from a baseline, that stack.

A scenario file (TOML, in this folder or anywhere) names its ``base`` scenario and lists the
levers it changes, each value citing its clause::

    name = "no_recheck"
    label_zh = "改革但不“回头看”"
    label_en = "Reform without re-checks"
    base = "reform_2021"
    [levers]
    recheck_timing = { value = "none", clause = "十二" }

A value may carry a ``note`` and, where the note names a work, its reference keys
(``refs = ["moe_2019_national_check"]``, :mod:`dudao_sim.citations`); a file may list the works
it implements as a whole in a top-level ``refs``.

Shipped: ``pre_reform`` (the baseline, no base), ``reform_2021`` (the opinions as written) and
variants of it that isolate one mechanism each. :func:`compose` stacks several reforms (files,
names or plain dicts) on a baseline, as OpenFisca reforms do.

Example:
    >>> from dudao_sim.policy.scenarios import compose, load_scenario
    >>> load_scenario("reform_2021").levers["unannounced_share"]
    0.4
    >>> compose("reform_2021", "high_stakes", {"recheck_share": 0.5}).levers["recheck_share"]
    0.5
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dudao_sim.citations import check_refs
from dudao_sim.errors import ScenarioError, did_you_mean
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.policy.levers import LEVERS, LeverError, LeverValue, check_levers

SCENARIO_DIR = Path(__file__).resolve().parent
_TOP_KEYS = {
    "name",
    "label_zh",
    "label_en",
    "description_zh",
    "description_en",
    "base",
    "refs",
    "levers",
}
_ENTRY_KEYS = {"value", "clause", "note", "refs"}


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every lever's value, and where the values came from.

    Attributes:
        name: Identifier (the file name without ``.toml`` for files).
        label_zh: Chinese label.
        label_en: English label.
        levers: Every lever's value after applying the chain of diffs.
        changes: The levers this scenario itself changes (its diff from ``base``).
        base: Name of the scenario it is a diff from (``None`` for the baseline).
        chain: Names applied in order, from the root baseline to this scenario.
        notes: Note per changed lever (from the file), if any.
        description_zh: Chinese description.
        description_en: English description.
        refs: Keys of the works the file implements as a whole (``docs/references.toml``).
        lever_refs: Keys of the works each changed lever's note names, if any.
    """

    name: str
    label_zh: str
    label_en: str
    levers: dict[str, LeverValue]
    changes: dict[str, LeverValue] = field(default_factory=dict)
    base: str | None = None
    chain: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)
    description_zh: str = ""
    description_en: str = ""
    refs: tuple[str, ...] = ()
    lever_refs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """The label in ``"zh"`` or ``"en"``."""
        return self.label_zh if lang == "zh" else self.label_en

    def apply(self, changes: Mapping[str, object], name: str | None = None) -> Scenario:
        """Return a new scenario with ``changes`` applied on top of this one.

        Args:
            changes: Lever values to change.
            name: Name of the result (default ``"<this>+custom"``).

        Returns:
            The new scenario; this one is unchanged.

        Raises:
            ScenarioError: For an unknown lever or a value out of range.
        """
        try:
            levers = check_levers(changes, base=self.levers)
        except LeverError as error:
            raise ScenarioError(str(error)) from None
        name = name or f"{self.name}+custom"
        return Scenario(
            name,
            name,
            name,
            levers,
            {k: levers[k] for k in changes},
            self.name,
            (*self.chain, name),
        )


def _line(text: str, key: str, table: str | None = None) -> int | None:
    """The line where ``key = ...`` is written (inside ``[table]`` if given), if found."""
    lines = text.splitlines()
    start = 0
    if table is not None:
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
        start = next((i + 1 for i, line in enumerate(lines) if header.match(line)), 0)
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None


def _where(path: Path, text: str, key: str, table: str | None = None) -> str:
    """``"<file>, line N, <table>.<key>"`` for messages."""
    line = _line(text, key, table)
    at = f", line {line}" if line else ""
    return f"{path}{at}, {f'{table}.' if table else ''}{key}"


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            guess = " (it looks like GBK / GB18030)"
        except UnicodeDecodeError:
            guess = ""
        raise ScenarioError(
            f"{path}, line {line}: byte 0x{data[error.start]:02x} is not UTF-8 text{guess}; "
            "save the file as UTF-8"
        ) from None


def _read(path: Path) -> tuple[dict, str]:
    text = _decode(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        key = unknown[0]
        raise ScenarioError(
            f"{_where(path, text, key)}: unknown key{did_you_mean(key, sorted(_TOP_KEYS))}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    for key in ("name", "label_zh", "label_en"):
        if key not in data:
            raise ScenarioError(f"{path}: '{key}' is missing; write {key} = \"...\"")
        if not isinstance(data[key], str) or not data[key].strip():
            raise ScenarioError(
                f"{_where(path, text, key)}: {data[key]!r} is not allowed; must be non-empty text"
            )
    for key in ("base", "description_zh", "description_en"):
        if key in data and not isinstance(data[key], str):
            raise ScenarioError(
                f"{_where(path, text, key)}: {data[key]!r} is not allowed; must be text"
            )
    if not isinstance(data.get("levers", {}), Mapping):
        raise ScenarioError(
            f"{_where(path, text, 'levers')}: must be a table [levers] of "
            '<lever> = { value = ..., clause = "..." }'
        )
    return data, text


def _refs(value: object, where: str) -> tuple[str, ...]:
    try:
        return check_refs(value, where)
    except ValueError as error:
        raise ScenarioError(str(error)) from None


def _changes(path: Path, text: str, entries: Mapping[str, object]) -> tuple[dict, dict, dict]:
    values, notes, refs = {}, {}, {}
    for key, entry in entries.items():
        where = _where(path, text, key, "levers")
        if key in _TOP_KEYS:
            raise ScenarioError(
                f"{where}: '{key}' is a top-level key; write it above the [levers] table"
            )
        if key in ASSUMPTIONS:
            raise ScenarioError(
                f"{where}: a behavioural assumption, not a lever; a scenario sets levers only "
                "(set assumptions with --set or assumptions=...)"
            )
        if key not in LEVERS:
            hint = did_you_mean(key, LEVERS) or "; see dudao-sim scenarios --levers"
            raise ScenarioError(f"{where}: unknown lever{hint}")
        if not isinstance(entry, Mapping) or "value" not in entry or "clause" not in entry:
            raise ScenarioError(f'{where}: write it as {{ value = ..., clause = "..." }}')
        extra = set(entry) - _ENTRY_KEYS
        if extra:
            raise ScenarioError(
                f"{where}: unknown field(s) {sorted(extra)}"
                f"{did_you_mean(sorted(extra)[0], sorted(_ENTRY_KEYS))}; "
                f"allowed: {', '.join(sorted(_ENTRY_KEYS))}"
            )
        if entry["clause"] not in LEVERS[key].clauses:
            raise ScenarioError(
                f"{where}: clause {entry['clause']!r} is not the lever's clause "
                f"({'、'.join(LEVERS[key].clauses)})"
            )
        try:
            values[key] = LEVERS[key].check(entry["value"])
        except LeverError as error:
            raise ScenarioError(f"{where}: {str(error).removeprefix(f'{key}: ')}") from None
        if "note" in entry:
            notes[key] = str(entry["note"])
        if "refs" in entry:
            refs[key] = _refs(entry["refs"], where)
    return values, notes, refs


def scenario_path(name_or_path: str | Path) -> Path:
    """Find a scenario file by shipped name or path.

    Args:
        name_or_path: ``"reform_2021"`` or a path to a ``.toml`` file.

    Returns:
        The file's path.

    Raises:
        ScenarioError: If there is no such scenario, listing the shipped ones.
    """
    if not isinstance(name_or_path, str | Path) or not str(name_or_path).strip():
        raise ScenarioError(
            f"scenario: {name_or_path!r} is not allowed; give a shipped name or a .toml file"
        )
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return path
    if path.suffix == ".toml" and path.exists():
        raise ScenarioError(f"scenario {str(path)!r}: is a folder, not a scenario file")
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if "/" not in str(name_or_path) and shipped.is_file():
        return shipped
    names = scenario_names()
    if path.suffix == ".toml" or len(path.parts) > 1:
        raise ScenarioError(f"scenario {str(name_or_path)!r}: no such file")
    raise ScenarioError(
        f"scenario {str(name_or_path)!r}: no such file or shipped scenario "
        f"(shipped: {', '.join(names)}){did_you_mean(name_or_path, names)}"
    )


def load_scenario(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load a scenario and resolve its chain of bases.

    Args:
        name_or_path: A shipped scenario name or a path to a scenario file.

    Returns:
        The resolved scenario.

    Raises:
        ScenarioError: Naming the file and key for any problem (unknown lever, value out of
            range, wrong clause, missing or circular base).
    """
    path = scenario_path(name_or_path)
    data, text = _read(path)
    name = data["name"]
    if path.parent == SCENARIO_DIR and name != path.stem:
        raise ScenarioError(f"{path}: name {name!r} must equal the file name {path.stem!r}")
    if name in _seen:
        raise ScenarioError(f"{path}: circular base chain {' -> '.join((*_seen, name))}")
    changes, notes, lever_refs = _changes(path, text, data.get("levers", {}))
    refs = _refs(data.get("refs", []), _where(path, text, "refs"))
    base_name = data.get("base")
    if base_name is not None and (Path(base_name).name != base_name or base_name in (".", "..")):
        raise ScenarioError(  # a file can only build on a scenario beside it or a shipped one
            f"{_where(path, text, 'base')}: {base_name!r} is not allowed; name a scenario "
            "(a file in the same folder, or a shipped one), not a path"
        )
    if base_name is None:
        levers, chain = check_levers(changes), (name,)
    else:
        base_ref = (
            base_name
            if not (path.parent / f"{base_name}.toml").is_file()
            else path.parent / f"{base_name}.toml"
        )
        try:
            base = load_scenario(base_ref, (*_seen, name))
        except ScenarioError as error:
            if not str(error).startswith(f"scenario {str(base_ref)!r}:"):
                raise
            raise ScenarioError(
                f"{_where(path, text, 'base')}: {str(error).removeprefix('scenario ')}"
            ) from None
        levers, chain = check_levers(changes, base=base.levers), (*base.chain, name)
    return Scenario(
        name,
        data["label_zh"],
        data["label_en"],
        levers,
        changes,
        base_name,
        chain,
        notes,
        data.get("description_zh", ""),
        data.get("description_en", ""),
        refs,
        lever_refs,
    )


def scenario_names() -> list[str]:
    """Names of the shipped scenarios, baseline first."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    first = [n for n in ("pre_reform", "reform_2021") if n in names]
    return first + [n for n in names if n not in first]


def compose(
    *parts: str | Path | Mapping[str, object] | Scenario, name: str | None = None
) -> Scenario:
    """Stack reforms: start from the first part, apply each later part's own changes in order.

    Args:
        *parts: Scenario names, files, :class:`Scenario` objects or plain ``{lever: value}``
            dicts.
        name: Name of the result (default: the parts' names joined by ``+``).

    Returns:
        The stacked scenario.

    Raises:
        ScenarioError: For an unknown scenario, lever or a value out of range.
    """
    if not parts:
        raise ScenarioError("compose: give at least one scenario")
    resolved: list[Scenario] = []
    for part in parts:
        if not isinstance(part, Scenario | Mapping | str | Path):
            raise ScenarioError(
                f"scenario: {part!r} is not allowed; give a name, a .toml file, a Scenario "
                "or a dict of lever values"
            )
        if isinstance(part, Scenario):
            resolved.append(part)
        elif isinstance(part, Mapping):
            resolved.append(
                (resolved[-1] if resolved else load_scenario("pre_reform")).apply(
                    part, name="custom"
                )
            )
        else:
            resolved.append(load_scenario(part))
    result = resolved[0]
    for part in resolved[1:]:
        result = result.apply(part.changes, name=part.name)
    if len(resolved) == 1:
        return result
    final = name or "+".join(p.name for p in resolved)
    return Scenario(
        final,
        "+".join(p.label_zh for p in resolved),
        " + ".join(p.label_en for p in resolved),
        result.levers,
        {k: v for p in resolved[1:] for k, v in p.changes.items()},
        resolved[0].name,
        (*resolved[0].chain, *(p.name for p in resolved[1:])),
    )
