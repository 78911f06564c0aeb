"""Initialization (ODD 5): the columnar state of a province at the start of the warm-up.

Governments, supervision offices, schools and inspector slots are laid out as rows of the
tables of :func:`dudao_sim.structure.tables.build_structure` — the tables the networkx graph
is drawn from — in their order: the same township codes, parents (a province-managed county
under the province), supervising offices, inspectors (staffed with the ``pre_reform``
levers), badged zones, and the ``evaluates`` and ``spot_checks`` edges (who evaluates and
who confirms whom). Problems, skills and beliefs are drawn from the set-up streams (month
``-1``) so every scenario starts from the same state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dudao_sim.data.province import Province
from dudao_sim.data.vocab import BADGED_TYPES, Level, SchoolType
from dudao_sim.errors import ArgumentError
from dudao_sim.model.mechanisms.common import drawn_severity
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
    Relation,
    SchoolTable,
    State,
)
from dudao_sim.model.streams import Streams
from dudao_sim.policy.levers import LeverValue
from dudao_sim.structure.inspectorate import InspectorateSpec
from dudao_sim.structure.tables import MODEL_RELATIONS, SupervisionStructure, build_structure

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
    problems.severity[present] = drawn_severity(
        assumptions["new_severity_min"], assumptions["new_severity_span"], u[..., 1][present]
    )
    problems.arisen[present] = -1


def check_model_edges(structure: SupervisionStructure) -> None:
    """Check that the model can act on every extra edge of ``structure``.

    The model acts on extra ``evaluates`` and ``spot_checks`` edges from a supervision office
    to a government (clause 五); other extra edges would be drawn but not simulated, so the
    graph and the model would disagree.

    Raises:
        ArgumentError: Naming the first edge the model cannot act on.
    """
    extra = structure.extra_edges
    offices = set(structure.offices["node"])
    governments = set(structure.governments["node"])
    for source, target, relation in zip(
        extra["source"], extra["target"], extra["relation"], strict=True
    ):
        if relation not in MODEL_RELATIONS or source not in offices or target not in governments:
            raise ArgumentError(
                f"extra_edges: ({source!r}, {target!r}, {relation!r}) is not allowed in a "
                f"model; the model acts on {' and '.join(MODEL_RELATIONS)} edges from a "
                "supervision office to a government (draw other edges with build_hierarchy)"
            )


def _relation(
    structure: SupervisionStructure, relation: str, office_row: dict, gov_row: dict
) -> Relation:
    edges = structure.relation(relation)
    office = edges["source"].map(office_row).to_numpy(np.int32)
    government = edges["target"].map(gov_row).to_numpy(np.int32)
    order = np.lexsort((office, government))
    return Relation(office=office[order], government=government[order])


def build_state(
    province: Province,
    levers: Mapping[str, LeverValue],
    assumptions: Mapping[str, float],
    streams: Streams,
    structure: SupervisionStructure | None = None,
) -> State:
    """Lay out the state of a province under the given (pre-reform) levers.

    Args:
        province: The validated province.
        levers: Lever values in force at the start (the warm-up's ``pre_reform``).
        assumptions: Behavioural assumption values.
        streams: The run's random streams (set-up draws use month ``-1``).
        structure: The supervision structure to lay out; by default
            ``build_structure(province, InspectorateSpec.from_levers(levers),
            seed=streams.seed)`` (the model passes its own, see
            ``SupervisionModel.structure``).

    Returns:
        The initial :class:`~dudao_sim.model.state.State`.

    Raises:
        ArgumentError: If ``structure`` has an extra edge the model cannot act on
            (:func:`check_model_edges`).
    """
    if structure is None:
        spec = InspectorateSpec.from_levers(levers)
        structure = build_structure(province, spec, seed=streams.seed)
    check_model_edges(structure)
    govs = structure.governments
    gov_row = {node: i for i, node in enumerate(govs["node"])}
    upper = govs["level"] != Level.TOWNSHIP.value
    code_row = dict(zip(govs.loc[upper, "code"], np.flatnonzero(upper), strict=True))
    level = govs["level"].map(LEVEL_CODES).to_numpy(np.int8)
    parent = govs["parent_code"].map(code_row).fillna(NEVER).to_numpy(np.int32)
    n_gov = len(govs)

    # Offices: one per government at province, city and county level (clause 一).
    office_table = structure.offices
    office_govs = office_table["code"].map(code_row).to_numpy(np.int32)
    office_row = {node: o for o, node in enumerate(office_table["node"])}
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
    # A government's own evaluator: the office of the government that administers it (五);
    # all its evaluators, extra edges included, are ``State.evaluations``.
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

    # Schools, each with the office that supervises it (六).
    schools_df = structure.schools
    n = len(schools_df)
    school_county = schools_df["county_code"].map(code_row).to_numpy(np.int32)
    stype = schools_df["school_type"].map({t: i for i, t in enumerate(SCHOOL_TYPES)})
    school_office = office_of_gov[schools_df["office_code"].map(code_row).to_numpy(np.int32)]
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
    staff = structure.inspectors
    zones = structure.zones
    office_by_code = dict(zip(office_table["code"], range(offices.n), strict=True))
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
    schools.badged[zones["school_id"].map(school_row).to_numpy(int)] = (
        zones["inspector_id"].map(row_of_inspector).to_numpy(int)
    )
    return State(
        schools=schools,
        governments=governments,
        offices=offices,
        inspectors=inspectors,
        evaluations=_relation(structure, "evaluates", office_row, gov_row),
        confirmations=_relation(structure, "spot_checks", office_row, gov_row),
    )
