"""Step 4 — detection (ODD 7.4; clauses 三, 八, 十二, 十八, 十九, 二十二).

For every visit and every hidden problem of the visited unit, the chance it is found depends on

- the inspector's skill (十八; a team or third party counts as average skill),
- the method: on site, or online (八) — online checks find less unless smart supervision and
  big data (二十二) back them,
- window dressing: before an announced visit (明察) the unit hides a share of its problems in
  proportion to its dressing intensity; unannounced visits (暗访) see through it,
- thoroughness: end-of-term reviews, special supervision and provincial confirmation look harder,
- severity, and member departments' engagement (三) for cross-department areas.

Third-party monitoring (七) looks only at teaching and resources (schools) or standards and
funding (governments), from data, so it is not fooled by dressing.

Collusion (十九) is a choice: a low-integrity inspector records nothing when what the visited
unit stands to lose if its problems are found (its believed sanction) outweighs what the
inspector stands to lose — the chance, learned from the removals of colleagues who bent the
rules, of being found out and removed. It is more likely with the unit's own badged inspector
than with one drawn at random (八, 双随机). Problems closed on paper (虚假整改) are what a
re-check (十二) looks at; an ordinary visit, an evaluation or a complaint comes across one only
where the problem is still plainly there, at a lower rate. Where badged inspectors' contacts
are public (十九), complaints reveal hidden problems in their zones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.mechanisms.base import Mechanism, Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import MONITORED_AREAS, visit_key
from dudao_sim.model.state import CROSS_DEPARTMENT, ProblemState, UnitTable, row_count

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel

_P = ProblemState
_THOROUGH = (Purpose.END_OF_TERM, Purpose.SPECIAL, Purpose.CONFIRMATION)


class Detection(Mechanism):
    """What the month's visits find, honestly recorded or not.

    Reads: ``flows.visits``; state — problems (state, severity, recheck), dressing and
    believed sanction of the visited units, inspectors' skill, integrity and misconduct,
    offices' exposure_belief, schools' badged inspector.

    Writes: ``flows.found``, ``flows.fake_caught``; ``carry.misconduct_reported``
    (complaints); state — inspectors' misconduct, units' last_evaluated_fully (reviews and
    evaluations that found everything hidden), schools' zone_visit_log (recorded visits by
    the badged inspector).
    """

    name = "detection"
    clauses = ("三", "八", "十二", "十八", "十九", "二十二")
    odd_section = "7.4"

    def step(self, model: SupervisionModel) -> None:
        """Fill ``flows.found`` and ``flows.fake_caught`` for schools and governments."""
        visits = model.flows.visits
        a, lv, t = model.assumptions, model.levers, model.t
        ins = model.state.inspectors
        skill = np.where(
            visits.inspector >= 0, ins.skill[np.maximum(visits.inspector, 0)], a["team_skill"]
        )
        integrity = np.where(
            visits.inspector >= 0, ins.integrity[np.maximum(visits.inspector, 0)], 1.0
        )
        p_collude = self._collusion_chance(model, visits, integrity)
        colludes = model.streams.uniform_at("collusion", t, visit_key(visits)) < p_collude
        online_factor = a["online_detection"] + a["smart_detection_gain"] * float(
            lv["smart_supervision"]
        )
        method = np.where(visits.online, online_factor, 1.0)
        method = np.where(np.isin(visits.purpose, _THOROUGH), method * a["thorough_factor"], method)
        base = a["p_detect_on_site"] * (a["skill_detection_offset"] + skill) * method
        for kind, table in (
            (UnitKind.SCHOOL, model.state.schools),
            (UnitKind.GOVERNMENT, model.state.governments),
        ):
            sel = visits.kind == kind
            discovered, found, caught, outside, suppressed = self._detect(
                model,
                table,
                kind,
                visits.unit[sel],
                visits.purpose[sel],
                visits.announced[sel],
                base[sel],
                colludes[sel],
            )
            key = "school" if kind is UnitKind.SCHOOL else "government"
            model.flows.found[key] = found
            model.flows.fake_caught[key] = caught
            model.record(f"detections_{key}", discovered)
            model.record(f"fakes_caught_{key}", caught)
            model.record(f"fakes_caught_outside_rechecks_{key}", outside)
            # Inspectors who suppressed what they saw accumulate misconduct (十九).
            colluders = visits.inspector[sel][suppressed & (visits.inspector[sel] >= 0)]
            np.add.at(ins.misconduct, colluders, 1)
            model.record("collusions", suppressed)
            self._thorough_record(model, table, key, visits.select(sel), found)
        self._zone_log(model, visits, colludes)
        self._complaints(model)

    def _collusion_chance(
        self, model: SupervisionModel, visits: Visits, integrity: np.ndarray
    ) -> np.ndarray:
        """Chance per visit that the inspector colludes and records nothing (十九).

        The visited unit stands to gain its believed sanction (what it expects to lose if its
        problems are found: the stakes it learned from its own and, where reports are
        published, its peers' sanctions). The inspector stands to lose their post: the
        believed chance of being found out — the share of rule-bending colleagues their office
        removed, as its inspectors saw it (``offices.exposure_belief``, learned by staffing
        from misconduct exits, complaints included) — times the cost of removal relative to a
        full sanction (``exposure_cost_ratio``). Collusion happens in proportion to the gain's
        share of gain plus expected cost (nothing to gain, no collusion), scaled by the
        inspector's dishonesty and familiarity with the unit. No lever value is read here:
        integrity enforcement acts through the removals inspectors see.
        """
        a = model.assumptions
        ins, offices = model.state.inspectors, model.state.offices
        school = visits.kind == UnitKind.SCHOOL
        stake = np.where(
            school,
            model.state.schools.belief_sanction[np.where(school, visits.unit, 0)],
            model.state.governments.belief_sanction[np.where(school, 0, visits.unit)],
        )
        office = ins.office[np.maximum(visits.inspector, 0)]
        risk = a["exposure_cost_ratio"] * offices.exposure_belief[office]
        gain_share = np.divide(
            stake, stake + risk, out=np.zeros(len(visits)), where=stake + risk > 0
        )
        familiarity = np.where(visits.familiar, 1.0, a["stranger_collusion_factor"])
        return (
            a["collusion_scale"]
            * (1.0 - integrity) ** a["collusion_integrity_exponent"]
            * familiarity
            * gain_share
        )

    def _thorough_record(
        self,
        model: SupervisionModel,
        table: UnitTable,
        key: str,
        visits: Visits,
        found: np.ndarray,
    ) -> None:
        """Reviews and evaluations that found everything the unit was hiding (六, 五).

        An end-of-term review (schools) or an evaluation or provincial confirmation
        (governments) counts as complete when this month's findings cover every problem of
        the unit that no supervisor was following (none hidden counts as complete).
        """
        purposes = (
            (Purpose.END_OF_TERM,)
            if key == "school"
            else (Purpose.EVALUATION, Purpose.CONFIRMATION)
        )
        units = visits.unit[np.isin(visits.purpose, purposes)]
        if not len(units):
            return
        findable = table.problems.findable[units]
        complete = row_count(found[units] & findable) == row_count(findable)
        table.last_evaluated_fully[units[complete]] = model.t
        if key == "school":
            model.record("reviews_complete", complete)

    def _zone_log(self, model: SupervisionModel, visits: Visits, colludes: np.ndarray) -> None:
        """Log recorded visits by each school's own badged inspector (visited coverage, 六)."""
        schools = model.state.schools
        school = visits.kind == UnitKind.SCHOOL
        own = np.zeros(len(visits), bool)
        own[school] = (visits.inspector[school] >= 0) & (
            visits.inspector[school] == schools.badged[visits.unit[school]]
        )
        rows = np.unique(visits.unit[own & ~colludes])
        log = schools.zone_visit_log
        log[rows, :-1] = log[rows, 1:]
        log[rows, -1] = model.t

    def _detect(
        self,
        model: SupervisionModel,
        table: UnitTable,
        kind: UnitKind,
        units: np.ndarray,
        purpose: np.ndarray,
        announced: np.ndarray,
        base: np.ndarray,
        colludes: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What the visits found.

        A problem closed on paper (fake) is what a re-check that falls due looks at
        (``p_detect_recheck``); any other visit that looks at the area comes across it only
        where the problem is still plainly there, at ``fake_visibility`` × its ordinary
        detection chance.

        Returns:
            Hidden problems discovered, all problems found (hidden or unfollowed), fakes
            caught, fakes caught where no re-check looked at the item (each units x areas),
            and the visits whose inspector suppressed what was there.
        """
        a, lv, t = model.assumptions, model.levers, model.t
        prob = table.problems
        n, n_areas = prob.state.shape
        cross = np.array([area in CROSS_DEPARTMENT for area in table.areas])
        monitored = np.array([area in MONITORED_AREAS for area in table.areas])
        area_boost = 1.0 + cross * a["member_detection_boost"] * float(lv["member_unit_engagement"])
        findable = prob.findable[units]  # hidden, or known but unfollowed
        fake = prob.state[units] == _P.FAKE
        sev_floor = a["severity_detection_floor"]
        dressing = np.where(announced, a["dressing_efficacy"] * table.dressing[units], 0.0)
        p = (
            base[:, None]
            * (1.0 - dressing)[:, None]
            * area_boost[None, :]
            * (sev_floor + (1.0 - sev_floor) * prob.severity[units])
        )
        p = np.where((purpose == Purpose.MONITORING)[:, None], p * monitored[None, :], p)
        p = np.where(fake, p * a["fake_visibility"], p)
        recheck = purpose == Purpose.RECHECK
        # A re-check looks at the closed items that fell due: fake closures and rebounds.
        due = (prob.recheck[units] == t) & recheck[:, None]
        floor = a["recheck_quality_floor"]
        quality = np.clip(base / a["p_detect_on_site"], 0, a["recheck_quality_cap"])
        p_recheck = a["p_detect_recheck"] * (floor + (1.0 - floor) * quality)[:, None]
        p = np.where(due, np.maximum(p, p_recheck), p)
        p = np.clip(p, 0.0, a["p_detect_max"])
        honest = ~colludes
        looked = (findable | fake) & honest[:, None]
        # Several visits in a month are independent chances: multiply the misses per unit,
        # summing logs per area with bincount (much faster than ufunc.at).
        log_miss = np.where(looked, np.log1p(-p), 0.0)
        miss = np.exp(
            np.stack(
                [np.bincount(units, weights=log_miss[:, k], minlength=n) for k in range(n_areas)],
                axis=1,
            )
        )
        u = model.streams.uniform(f"detect_{kind.name.lower()}", t, (n, n_areas))
        hit = u < 1.0 - miss
        found = hit & prob.findable
        caught = hit & (prob.state == _P.FAKE)
        # A catch counts as the re-check's wherever an honest re-check looked at the item.
        rechecked = np.zeros((n, n_areas), bool)
        rows, cols = np.nonzero(due & fake & honest[:, None])
        rechecked[units[rows], cols] = True
        present_seen = (prob.present[units] & ~(prob.state[units] == _P.OPEN)).any(axis=1)
        suppressed = colludes & present_seen
        name = kind.name.lower()
        # Flow detection counts discoveries: hidden problems present where a visit looked
        # (monitoring looks at its areas only), and those found; re-finds of known,
        # unfollowed problems are counted apart.
        looks = np.where((purpose == Purpose.MONITORING)[:, None], monitored[None, :], True)
        model.record(f"present_at_visits_{name}", (prob.state[units] == _P.HIDDEN) & looks)
        model.record(f"refound_{name}", found & (prob.state == _P.UNFOLLOWED))
        return found & (prob.state == _P.HIDDEN), found, caught, caught & ~rechecked, suppressed

    def _complaints(self, model: SupervisionModel) -> None:
        """Public contact details of badged inspectors open a complaint channel (十九).

        Parents and teachers complain about a problem they live with — hidden, known but
        unfollowed, or closed on paper only (a complaint about a fake closure exposes it) —
        with ``p_complaint`` × severity a month; a complaint about a zone whose inspector hid
        problems exposes the inspector.
        """
        if not model.levers["public_contact_details"]:
            return
        a, t = model.assumptions, model.t
        schools, ins = model.state.schools, model.state.inspectors
        prob = schools.problems
        u = model.streams.uniform("complaints", t, prob.state.shape)
        badged = (schools.badged >= 0)[:, None]
        complaint = (
            (prob.findable | (prob.state == _P.FAKE))
            & badged
            & schools.active[:, None]
            & (u < a["p_complaint"] * prob.severity)
        )
        fake = complaint & (prob.state == _P.FAKE)
        found = model.flows.found["school"]
        caught = model.flows.fake_caught["school"]
        model.record("fakes_caught_school", fake & ~caught)
        model.record("fakes_caught_outside_rechecks_school", fake & ~caught)
        model.flows.found["school"] = found | (complaint & ~fake)
        model.flows.fake_caught["school"] = caught | fake
        model.record("complaints", complaint)
        exposed = schools.badged[complaint.any(axis=1)]
        exposed = exposed[ins.misconduct[exposed] > 0]
        model.carry.misconduct_reported[exposed] = True
