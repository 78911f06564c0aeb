"""Which outcomes the command line prints, and their Chinese labels.

Kept in one place until the metric catalogue (``dudao_sim.metrics.catalogue``) takes over the
labels.
"""

from __future__ import annotations

#: Outcomes printed in summaries (the report shows more); the first four are the clause-二十四
#: indices.
KEY_OUTCOMES = (
    "index_coverage",
    "index_efficiency",
    "index_authority",
    "index_accountability",
    "coverage_badged",
    "detection_rate",
    "fake_share",
    "rebound_rate",
    "report_distortion",
    "quality_mean",
    "visits_per_school_year",
    "cost_yuan_year",
)
#: Chinese labels of :data:`KEY_OUTCOMES`.
LABELS_ZH = {
    "index_coverage": "全面覆盖指数",
    "index_efficiency": "运转高效指数",
    "index_authority": "结果权威指数",
    "index_accountability": "问责有力指数",
    "coverage_badged": "挂牌督导覆盖率",
    "detection_rate": "问题发现率",
    "fake_share": "虚假整改占比",
    "rebound_rate": "问题反弹率",
    "report_distortion": "上报失真",
    "quality_mean": "学校质量(SD)",
    "visits_per_school_year": "校均年督导次数",
    "cost_yuan_year": "年度成本(元)",
}
