"""Mesa agents as views onto the model's columnar state.

Each agent holds the row of its entity; its attributes read (and where it makes sense write)
the model's arrays, so Mesa's own API works — ``model.agents_by_type[School]``,
``AgentSet.select``, ``groupby``, ``agg`` — while the monthly step stays vectorized.

Example:
    >>> import dudao_sim as ds
    >>> model = ds.SupervisionModel(ds.synthetic_province(n_counties=3, seed=1), rng=1)
    >>> schools = model.agents_by_type[ds.School]
    >>> len(schools) == model.state.schools.n
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from dudao_sim.data.vocab import SchoolType
from dudao_sim.model.state import ProblemState

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_LEVELS = ("province", "city", "county", "township")
_SCHOOL_TYPES = [t.value for t in SchoolType]


class _View(mesa.Agent):
    """An agent that is a row of one of the model's tables."""

    def __init__(self, model: SupervisionModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)


class School(_View):
    """A school (clause 六): type, ownership, quality, problems, behaviour."""

    @property
    def _t(self):
        return self.model.state.schools

    school_id = property(lambda self: str(self._t.ids[self.row]), doc="School id.")
    school_type = property(
        lambda self: _SCHOOL_TYPES[self._t.school_type[self.row]], doc="School type."
    )
    private = property(lambda self: bool(self._t.private[self.row]), doc="Private (民办).")
    enrolment = property(lambda self: int(self._t.enrolment[self.row]), doc="Pupils.")
    active = property(lambda self: bool(self._t.active[self.row]), doc="Licence held.")
    quality = property(
        lambda self: float(self._t.quality[self.row]), doc="Quality in pupil-level SD units."
    )
    effort = property(lambda self: float(self._t.effort[self.row]), doc="Genuine effort.")
    dressing = property(
        lambda self: float(self._t.dressing[self.row]), doc="Window dressing intensity."
    )
    fake_propensity = property(
        lambda self: float(self._t.fake[self.row]), doc="Propensity to fake rectification."
    )
    n_problems = property(
        lambda self: int(self._t.problems.present[self.row].sum()), doc="Problems present in truth."
    )
    n_open = property(
        lambda self: int((self._t.problems.state[self.row] == ProblemState.OPEN).sum()),
        doc="Problems known and open.",
    )
    county = property(
        lambda self: str(self.model.state.governments.codes[self._t.county[self.row]]),
        doc="County code.",
    )
    has_badged_inspector = property(
        lambda self: bool(self._t.badged[self.row] >= 0),
        doc="Has a badged responsibility inspector.",
    )


class Government(_View):
    """A government at province, city, county or township level (clause 五)."""

    @property
    def _t(self):
        return self.model.state.governments

    code = property(lambda self: str(self._t.codes[self.row]), doc="Division code.")
    name = property(lambda self: str(self._t.names[self.row]), doc="Chinese name.")
    level = property(lambda self: _LEVELS[self._t.level[self.row]], doc="Level.")
    effort = property(lambda self: float(self._t.effort[self.row]), doc="Genuine effort.")
    n_problems = property(
        lambda self: int(self._t.problems.present[self.row].sum()),
        doc="Duty problems present in truth.",
    )
    rating = property(lambda self: int(self._t.rating[self.row]), doc="Last rating.")


class SupervisionOffice(_View):
    """A supervision office (政府教育督导办, clause 一)."""

    @property
    def _t(self):
        return self.model.state.offices

    level = property(lambda self: _LEVELS[self._t.level[self.row]], doc="Level.")
    code = property(
        lambda self: str(self.model.state.governments.codes[self._t.gov[self.row]]),
        doc="Code of the hosting government.",
    )
    budget = property(lambda self: float(self._t.budget[self.row]), doc="Budget (yuan).")
    effort = property(lambda self: float(self._t.effort[self.row]), doc="Inspection effort.")
    n_inspectors = property(
        lambda self: int(
            (
                self.model.state.inspectors.active
                & (self.model.state.inspectors.office == self.row)
            ).sum()
        ),
        doc="Active inspectors.",
    )


class Inspector(_View):
    """An inspector (督学, clause 十七) in an office's slot."""

    @property
    def _t(self):
        return self.model.state.inspectors

    full_time = property(lambda self: bool(self._t.full_time[self.row]), doc="Full-time.")
    skill = property(lambda self: float(self._t.skill[self.row]), doc="Skill (十八).")
    integrity = property(lambda self: float(self._t.integrity[self.row]), doc="Integrity (十九).")
    office = property(lambda self: int(self._t.office[self.row]), doc="Office row.")
    zone_size = property(
        lambda self: int((self.model.state.schools.badged == self.row).sum()),
        doc="Schools in the badged zone.",
    )


def create_agents(model: SupervisionModel) -> None:
    """Create one agent per school, government, office and active inspector."""
    state = model.state
    for row in range(state.schools.n):
        School(model, row)
    for row in range(state.governments.n):
        Government(model, row)
    for row in range(state.offices.n):
        SupervisionOffice(model, row)
    model.carry.inspector_agents = {}
    sync_inspectors(model)


def sync_inspectors(model: SupervisionModel) -> None:
    """Add agents for newly hired inspectors and remove those who left."""
    active = set(np.flatnonzero(model.state.inspectors.active).tolist())
    current = model.carry.inspector_agents
    for row in list(current):
        if row not in active:
            current.pop(row).remove()
    for row in active - set(current):
        current[row] = Inspector(model, row)
