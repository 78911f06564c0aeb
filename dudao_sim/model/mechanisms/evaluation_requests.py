"""The year's evaluations of governments and their spot-check confirmation (五).

A part of the visits mechanism (:mod:`~dudao_sim.model.mechanisms.visits`, ODD 7.3):

- government evaluations each November along the structure's ``evaluates`` edges
  (``state.evaluations``): province → cities, city → counties (市级为主, with a sample of
  schools; the province for a province-managed county), county → townships, plus any extra
  edges; township evaluations take the county inspectors' remaining hours, the others are
  paid from the money set aside in January;
- spot-check confirmation (省级抽查认定) each December along the ``spot_checks`` edges
  (``state.confirmations``: by default the province office → every city-led county), each edge
  drawn at the spot-check share, with its own school sample, as far as the money set aside
  allows (二十一).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dudao_sim.model.mechanisms.base import Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.common import group_ranks
from dudao_sim.model.mechanisms.visit_claims import Claims, team_request
from dudao_sim.model.state import LevelCode

if TYPE_CHECKING:
    from dudao_sim.model.model import SupervisionModel


def evaluations(
    model: SupervisionModel, claims: Claims, u_eval: np.ndarray, u_conf: np.ndarray
) -> list[Visits]:
    """November's evaluations and December's confirmations, claimed (五).

    Args:
        model: The model.
        claims: The month's claims on hours and money.
        u_eval: Uniform draw per school: whether it is in its county's evaluation sample.
        u_conf: Uniform draw per school: whether it is in its county's confirmation sample.

    Returns:
        The served visits, one batch per kind (empty outside November and December).
    """
    a, lv, t = model.assumptions, model.levers, model.t
    schools, govs = model.state.schools, model.state.governments
    out: list[Visits] = []
    n_per_county = np.bincount(schools.county, minlength=govs.n).astype(float)
    if model.calendar.is_evaluation_month(t):
        levels = [LevelCode.CITY, LevelCode.COUNTY] + (
            [LevelCode.TOWNSHIP] if lv["township_evaluation"] else []
        )
        # Who evaluates whom: the structure's ``evaluates`` edges (五).
        edges = model.state.evaluations
        pick = np.isin(govs.level[edges.government], levels)
        chosen, office = edges.government[pick], edges.office[pick]
        order = model.streams.uniform_at("township_evaluation_order", t, chosen)
        evaluated = team_request(model, UnitKind.GOVERNMENT, chosen, office, Purpose.EVALUATION)
        # County offices evaluate townships with their own inspectors' remaining hours.
        town = govs.level[chosen] == LevelCode.TOWNSHIP
        hours = claims.resources.comprehensive_hours(model, UnitKind.GOVERNMENT, chosen[town])
        done = np.ones(len(chosen), bool)
        done[town] = claims.resources.take_hours(model, office[town], hours, order[town])
        evaluated = claims.claim(
            model, evaluated.select(done), order[done], hours_taken=True, scheduled=True
        )
        township = govs.level[evaluated.unit] == LevelCode.TOWNSHIP
        model.record("township_evaluations_dropped", int(town.sum() - township.sum()))
        model.record("governments_evaluated", len(evaluated))
        out.append(evaluated)
        # City-led evaluation of county education work visits a sample of schools (五).
        p = a["evaluation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
        sample = np.flatnonzero((u_eval < p) & schools.active)
        office = govs.office[schools.county[sample]]
        sampled = team_request(model, UnitKind.SCHOOL, sample, office, Purpose.EVALUATION)
        out.append(claims.claim(model, sampled, u_eval[sample], scheduled=True))
    if model.calendar.is_december(t):
        out.extend(confirmations(model, claims, u_conf, n_per_county))
    return out


def confirmations(
    model: SupervisionModel, claims: Claims, u_conf: np.ndarray, n_per_county: np.ndarray
) -> list[Visits]:
    """December spot-check confirmations (省级抽查认定, 五) along ``spot_checks`` edges.

    Each edge office → government is drawn at ``provincial_spot_check_share``; a drawn
    office visits the government and, for a county, a sample of its schools.

    Args:
        model: The model.
        claims: The month's claims on hours and money.
        u_conf: Uniform draw per school: whether it is in its county's confirmation sample.
        n_per_county: Schools of each county, by government row.

    Returns:
        The served confirmations of governments and the served school samples.
    """
    a, t = model.assumptions, model.t
    schools, govs, offices = model.state.schools, model.state.governments, model.state.offices
    edges = model.state.confirmations
    # Each edge is drawn on its own (keyed by government and office: common random
    # numbers across scenarios), so two offices spot-checking a county draw independently.
    key = edges.government.astype(np.int64) * offices.n + edges.office
    u_conf_edge = model.streams.uniform_at("confirmation_county", t, key)
    drawn = u_conf_edge < float(model.levers["provincial_spot_check_share"])
    office, government = edges.office[drawn], edges.government[drawn]
    # A drawn office confirms as far as the money it set aside allows (二十一).
    visits = team_request(model, UnitKind.GOVERNMENT, government, office, Purpose.CONFIRMATION)
    visits = claims.claim(model, visits, u_conf_edge[drawn], scheduled=True)
    office, government = visits.office, visits.unit
    confirmed = np.zeros(govs.n, bool)
    confirmed[government] = True
    model.record("counties_confirmed", confirmed)
    model.flows.confirmed_counties = confirmed
    # Each office confirming a county visits the same sample of its schools.
    county = govs.level[government] == LevelCode.COUNTY
    order = np.argsort(government[county], kind="stable")
    by_county, by_office = government[county][order], office[county][order]
    n_edges = np.bincount(by_county, minlength=govs.n)
    first_edge = np.cumsum(n_edges) - n_edges
    p = a["confirmation_school_sample"] / np.maximum(n_per_county[schools.county], 1.0)
    sample = np.flatnonzero((n_edges[schools.county] > 0) & (u_conf < p) & schools.active)
    repeats = n_edges[schools.county[sample]]
    _, k = group_ranks(np.repeat(np.arange(len(sample)), repeats))
    by = by_office[np.repeat(first_edge[schools.county[sample]], repeats) + k]
    sampled = team_request(
        model, UnitKind.SCHOOL, np.repeat(sample, repeats), by, Purpose.CONFIRMATION
    )
    return [
        visits,
        claims.claim(model, sampled, np.repeat(u_conf[sample], repeats), scheduled=True),
    ]
