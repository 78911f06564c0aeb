"""dudao_sim — simulate education supervision reform (教育督导体制机制改革).

Public names::

    import dudao_sim as ds
    hunan = ds.load_province("hunan")            # bundled data, validated
    toy = ds.synthetic_province(n_counties=3, seed=1)
    graph = ds.build_hierarchy(hunan, granularity="full")
    ds.inspectorate_by_city(graph)               # 1:5 ratio, full-time band, coverage by 市州
    reform = ds.load_scenario("reform_2021")     # lever values of a shipped scenario
    model = ds.SupervisionModel(toy, scenario="reform_2021", rng=1)
    runs = ds.run_ensemble(toy, ["pre_reform", "reform_2021"], seeds=[1, 2, 3, 4])

The package is laid out by layer, data flowing one way: ``data`` (province tables) →
``policy`` (levers, assumptions, scenarios, targets, the document) → ``structure`` (initial
inspectorate and the networkx hierarchy) → ``model`` (the Mesa model, its state and
mechanisms) → ``metrics`` → ``experiments`` → faces (``report``, ``cli``).
"""

from importlib.metadata import PackageNotFoundError, version

from dudao_sim import _moved
from dudao_sim.data.province import Province, bundled_provinces, load_province
from dudao_sim.data.synthetic import synthetic_province, write_synthetic_province
from dudao_sim.errors import (
    ArgumentError,
    AssumptionError,
    DataError,
    DudaoError,
    LeverError,
    PlausibilityWarning,
    ScenarioError,
    StoreError,
)
from dudao_sim.experiments import (
    ResultStore,
    RunSpec,
    factor,
    grid,
    latin_hypercube,
    paired_differences,
    run_ensemble,
    run_sweep,
    summarize,
)
from dudao_sim.model.agents import Government, Inspector, School, SupervisionOffice
from dudao_sim.model.model import SupervisionModel
from dudao_sim.policy.levers import LEVERS, lever_table
from dudao_sim.policy.scenarios import compose, load_scenario, scenario_names
from dudao_sim.structure.analysis import (
    depth,
    inspectorate_by_city,
    inspectorate_by_county,
    path_to_province,
    span_of_control,
)
from dudao_sim.structure.hierarchy import build_hierarchy
from dudao_sim.structure.inspectorate import (
    InspectorateSpec,
    assign_badged_zones,
    staff_inspectorate,
)

_moved.install()

try:
    __version__ = version("dudao_sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = [
    "LEVERS",
    "ArgumentError",
    "AssumptionError",
    "DataError",
    "DudaoError",
    "Government",
    "Inspector",
    "InspectorateSpec",
    "LeverError",
    "PlausibilityWarning",
    "Province",
    "ResultStore",
    "RunSpec",
    "ScenarioError",
    "School",
    "StoreError",
    "SupervisionModel",
    "SupervisionOffice",
    "__version__",
    "assign_badged_zones",
    "build_hierarchy",
    "bundled_provinces",
    "compose",
    "depth",
    "factor",
    "grid",
    "inspectorate_by_city",
    "inspectorate_by_county",
    "latin_hypercube",
    "lever_table",
    "load_province",
    "load_scenario",
    "paired_differences",
    "path_to_province",
    "run_ensemble",
    "run_sweep",
    "scenario_names",
    "span_of_control",
    "staff_inspectorate",
    "summarize",
    "synthetic_province",
    "write_synthetic_province",
]
