"""Initialization (ODD 5): the columnar state of a province at the start of the warm-up.

Governments, supervision offices, schools and inspector slots are laid out as rows; the
initial inspectorate and badged zones come from :mod:`dudao_sim.structure.inspectorate` with the
``pre_reform`` staffing levers; problems, skills and beliefs are drawn from the set-up streams
(month ``-1``) so every scenario starts from the same state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, PROVINCE_SUPERVISED, SchoolType
from dudao_sim.model.state import (
    DUTY_AREAS,
    NEVER,
    SCHOOL_AREAS,
    GovernmentTable,
    InspectorTable,
    LevelCode,
    OfficeTable,
    Problems,
    ProblemState,
    SchoolTable,
    State,
)
from dudao_sim.model.streams import Streams
from dudao_sim.policy.levers import LeverValue
from dudao_sim.structure.inspectorate import (
    InspectorateSpec,
    assign_badged_zones,
    staff_inspectorate,
)

LEVEL_CODES = {level.name.lower(): int(level) for level in LevelCode}
SCHOOL_TYPES = [t.value for t in SchoolType]
#: Inspector slots per badged-type school of a county: enough for a ratio of 1:2 (array size).
SLOTS_PER_SCHOOL = 0.5
#: Vacant slots every office has beyond that (array size).
SPARE_SLOTS = 2


def _seed_problems(
    problems: Problems, assumptions: Mapping[str, float], streams: Streams, process: str
) -> None:
    n, a = problems.state.shape
    u = streams.uniform(process, -1, (n, a, 2))
    present = u[..., 0] < assumptions["initial_problem_share"]
    problems.state[present] = ProblemState.HIDDEN
    problems.severity[present] = (
        assumptions["new_severity_min"] + assumptions["new_severity_span"] * u[..., 1][present]
    )
    problems.arisen[present] = -1


def _governments(province: Province) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows of every government: province, cities, counties, then townships by county."""
    divisions = province.divisions
    upper = divisions.assign(_o=divisions["level"].map(LEVEL_CODES)).sort_values(
        ["_o", "code"], kind="stable"
    )
    rows = upper[["code", "name", "level", "parent_code"]].to_dict("records")
    counties = province.county_table
    kinds = np.array(["subdistrict", "town", "xiang"])
    suffix = {"subdistrict": "街道", "town": "镇", "xiang": "乡"}
    for code, row in counties.iterrows():
        counts = [int(row["n_subdistricts"]), int(row["n_towns"]), int(row["n_xiang"])]
        for k, kind in enumerate(np.repeat(kinds, counts), start=1):
            rows.append(
                {
                    "code": f"{code}-T{k:03d}",
                    "name": f"{row['name']}第{k}{suffix[kind]}",
                    "level": "township",
                    "parent_code": code,
                }
            )
    table = pd.DataFrame(rows)
    index = {code: i for i, code in enumerate(table["code"])}
    return table, index


def build_state(
    province: Province,
    levers: Mapping[str, LeverValue],
    assumptions: Mapping[str, float],
    streams: Streams,
) -> State:
    """Lay out the state of a province under the given (pre-reform) levers.

    Args:
        province: The validated province.
        levers: Lever values in force at the start (the warm-up's ``pre_reform``).
        assumptions: Behavioural assumption values.
        streams: The run's random streams (set-up draws use month ``-1``).

    Returns:
        The initial :class:`~dudao_sim.model.state.State`.
    """
    govs, gov_index = _governments(province)
    level = govs["level"].map(LEVEL_CODES).to_numpy(np.int8)
    parent = np.array(
        [gov_index.get(p, NEVER) if p else NEVER for p in govs["parent_code"]], dtype=np.int32
    )
    n_gov = len(govs)

    # Offices: one per government at province, city and county level (clause 一).
    office_govs = np.flatnonzero(level <= LevelCode.COUNTY)
    office_of_gov = np.full(n_gov, NEVER, dtype=np.int32)
    office_of_gov[office_govs] = np.arange(len(office_govs))
    office_parent = np.where(parent[office_govs] >= 0, office_of_gov[parent[office_govs]], NEVER)

    # A government's county row: its own (county), its parent (township); none above.
    gov_county = np.where(
        level == LevelCode.COUNTY,
        np.arange(n_gov),
        np.where(level == LevelCode.TOWNSHIP, parent, NEVER),
    )
    fiscal_by_code = province.county_table["fiscal_capacity"]
    gov_fiscal = np.ones(n_gov)
    has_county = gov_county >= 0
    gov_fiscal[has_county] = fiscal_by_code.reindex(
        govs["code"].to_numpy()[gov_county[has_county]]
    ).to_numpy()
    # The office that evaluates a government is the office of the level above (五).
    gov_office = np.where(parent >= 0, office_of_gov[np.maximum(parent, 0)], NEVER)
    governments = GovernmentTable(
        n=n_gov,
        areas=DUTY_AREAS,
        county=gov_county.astype(np.int32),
        office=gov_office.astype(np.int32),
        fiscal=gov_fiscal,
        problems=Problems.empty(n_gov, len(DUTY_AREAS)),
        level=level,
        parent=parent,
        codes=govs["code"].to_numpy(object),
        names=govs["name"].to_numpy(object),
    )
    _seed_problems(governments.problems, assumptions, streams, "setup_gov_problems")
    governments.problems.state[level == 0] = ProblemState.NONE  # the province is not evaluated
    governments.problems.severity[level == 0] = 0.0

    # Schools.
    schools_df = province.schools
    n = len(schools_df)
    school_county = schools_df["county_code"].map(gov_index).to_numpy(np.int32)
    stype = schools_df["school_type"].map({t: i for i, t in enumerate(SCHOOL_TYPES)})
    province_office = int(office_of_gov[0])
    by_province = schools_df["school_type"].isin([t.value for t in PROVINCE_SUPERVISED])
    school_office = np.where(by_province.to_numpy(), province_office, office_of_gov[school_county])
    schools = SchoolTable(
        n=n,
        areas=SCHOOL_AREAS,
        county=school_county,
        office=school_office.astype(np.int32),
        fiscal=gov_fiscal[school_county],
        problems=Problems.empty(n, len(SCHOOL_AREAS)),
        school_type=stype.to_numpy(np.int8),
        private=(schools_df["ownership"] == "private").to_numpy(),
        enrolment=schools_df["enrolment"].to_numpy(np.int64),
        badged_type=schools_df["school_type"].isin([t.value for t in BADGED_TYPES]).to_numpy(),
        ids=schools_df["school_id"].to_numpy(object),
    )
    _seed_problems(schools.problems, assumptions, streams, "setup_school_problems")
    u = streams.uniform("setup_schools", -1, (n, 3))
    term = int(assumptions["principal_term_months"])
    schools.principal_term_end = np.floor(u[:, 0] * term).astype(np.int32) + 1
    schools.self_capacity = np.clip(
        assumptions["self_capacity_base"] * (assumptions["initial_self_capacity_low"] + u[:, 1]),
        0,
        1,
    )
    for table in (schools, governments):
        table.effort[:] = assumptions["initial_effort"]
        table.belief_detect[:] = assumptions["initial_belief_detect"]
        table.belief_sanction[:] = assumptions["initial_belief_sanction"]
        table.belief_visits[:] = assumptions["initial_belief_visits"]
        table.belief_per_visit[:] = assumptions["initial_belief_per_visit"]

    # Quality is measured relative to a school never failed and carrying no supervision
    # burden (ODD 7.1): every school starts there, with no improvement plan under way.
    schools.quality = np.zeros(n)

    offices = OfficeTable(
        n=len(office_govs),
        gov=office_govs.astype(np.int32),
        level=level[office_govs],
        parent=office_parent.astype(np.int32),
        n_schools=np.bincount(school_office, minlength=len(office_govs)).astype(np.int64),
    )

    # Inspector slots and the initial inspectorate (十七) with badged zones (六).
    spec = InspectorateSpec(
        schools_per_inspector=float(levers["schools_per_inspector_target"]),
        full_time_share=float(levers["full_time_share_target"]),
        badged_coverage=float(levers["badged_coverage_target"]),
    )
    staff = staff_inspectorate(province, spec)
    zones = assign_badged_zones(province, staff, spec, seed=streams.seed)
    office_by_code = {govs["code"].iloc[g]: o for o, g in enumerate(office_govs)}
    badged_per_office = np.bincount(school_office[schools.badged_type], minlength=offices.n)
    staffed = staff.groupby("office_code").size()
    slots = np.ceil(badged_per_office * SLOTS_PER_SCHOOL).astype(int) + SPARE_SLOTS
    for code, count in staffed.items():
        slots[office_by_code[code]] = max(slots[office_by_code[code]], int(count) + SPARE_SLOTS)
    inspectors = InspectorTable(
        n=int(slots.sum()), office=np.repeat(np.arange(offices.n), slots).astype(np.int32)
    )
    first_slot = np.concatenate([[0], np.cumsum(slots)[:-1]])
    staff_office = staff["office_code"].map(office_by_code).to_numpy()
    within = staff.groupby("office_code").cumcount().to_numpy()
    rows = first_slot[staff_office] + within
    inspectors.active[rows] = True
    inspectors.full_time[rows] = staff["is_full_time"].to_numpy(bool)
    inspectors.hired[rows] = -1
    u = streams.uniform("setup_inspectors", -1, (inspectors.n, 2))
    inspectors.skill[:] = np.clip(
        assumptions["initial_skill_min"] + assumptions["initial_skill_span"] * u[:, 0], 0, 1
    )
    inspectors.integrity[:] = np.clip(
        assumptions["initial_integrity_min"] + assumptions["initial_integrity_span"] * u[:, 1], 0, 1
    )
    row_of_inspector = dict(zip(staff["inspector_id"], rows, strict=True))
    school_row = {sid: i for i, sid in enumerate(schools.ids)}
    schools.badged = np.full(n, NEVER, dtype=np.int32)
    covered = zones.dropna(subset=["inspector_id"])
    schools.badged[covered["school_id"].map(school_row).to_numpy(int)] = (
        covered["inspector_id"].map(row_of_inspector).to_numpy(int)
    )
    return State(schools=schools, governments=governments, offices=offices, inspectors=inspectors)
