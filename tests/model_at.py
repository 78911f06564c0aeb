"""A model stopped at a given month with its scenario's levers in force, for mechanism tests.

Shared by the unit tests of mechanisms (test_mechanisms, test_beliefs, test_gaming): they set
up a state by hand and call one mechanism's step, so the model must be at a month with the
scenario switched on and the month's flows reset, before any step runs.
"""

from __future__ import annotations

import dudao_sim as ds


def reform_model(
    province: ds.Province, month: int = 24, seed: int = 9, **overrides: object
) -> ds.SupervisionModel:
    """A ``reform_2021`` model at ``month`` with its levers in force, before any step."""
    model = ds.SupervisionModel(
        province, scenario="reform_2021", rng=seed, create_agents=False, **overrides
    )
    model.levers = dict(model.scenario.levers)
    model.t = month
    model._reset_month()
    return model
