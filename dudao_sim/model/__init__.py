"""Model layer: the Mesa model, its columnar state, agents, random streams and mechanisms.

:class:`SupervisionModel` (:mod:`~dudao_sim.model.model`) lays out the initial state
(:mod:`~dudao_sim.model.initial_state`) in the tables of :mod:`~dudao_sim.model.state`, and
runs the mechanisms of :mod:`~dudao_sim.model.mechanisms` month by month.
"""

from dudao_sim.model.model import SupervisionModel

__all__ = ["SupervisionModel"]
