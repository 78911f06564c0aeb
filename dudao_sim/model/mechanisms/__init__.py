"""The submodels of the monthly cycle, one module per process of the document.

:data:`DEFAULT_MECHANISMS` lists them in the order the model runs them (see
``SupervisionModel.step`` and ``docs/odd.md``, section 3).
"""

from dudao_sim.model.mechanisms.base import Calendar, Mechanism, Purpose, UnitKind, Visits
from dudao_sim.model.mechanisms.behaviour import Behaviour
from dudao_sim.model.mechanisms.conditions import Conditions
from dudao_sim.model.mechanisms.consequences import Consequences
from dudao_sim.model.mechanisms.detection import Detection
from dudao_sim.model.mechanisms.planning import Planning
from dudao_sim.model.mechanisms.reporting import Reporting
from dudao_sim.model.mechanisms.results import Results
from dudao_sim.model.mechanisms.staffing import Staffing
from dudao_sim.model.mechanisms.visits import SupervisionVisits

#: The monthly cycle, in order.
DEFAULT_MECHANISMS: tuple[type[Mechanism], ...] = (
    Conditions,
    Planning,
    SupervisionVisits,
    Detection,
    Results,
    Consequences,
    Reporting,
    Behaviour,
    Staffing,
)

__all__ = [
    "DEFAULT_MECHANISMS",
    "Behaviour",
    "Calendar",
    "Conditions",
    "Consequences",
    "Detection",
    "Mechanism",
    "Planning",
    "Purpose",
    "Reporting",
    "Results",
    "Staffing",
    "SupervisionVisits",
    "UnitKind",
    "Visits",
]
