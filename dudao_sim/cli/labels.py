"""Which outcomes the command line prints.

Their labels, units and directions come from the metric catalogue
(:mod:`dudao_sim.metrics.catalogue`), like the report's.
"""

from __future__ import annotations

#: Outcomes printed in summaries (the report shows more); the first four are the clause-二十四
#: indices.
KEY_OUTCOMES = (
    "index_coverage",
    "index_efficiency",
    "index_authority",
    "index_accountability",
    "coverage_visited",
    "flow_detection",
    "fake_share",
    "rebound_rate",
    "report_distortion",
    "quality_pupils",
    "visits_per_school_year",
    "cost_yuan_year",
)

#: Outcomes ``sweep`` prints: the four clause-二十四 indices.
SWEEP_OUTCOMES = KEY_OUTCOMES[:4]
