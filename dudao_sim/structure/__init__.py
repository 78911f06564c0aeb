"""Structure layer: the supervision system a province sets up before anything happens.

The initial inspectorate and badged zones (:mod:`~dudao_sim.structure.inspectorate`), the
reporting hierarchy as a ``networkx.DiGraph`` (:mod:`~dudao_sim.structure.hierarchy`), its
analysis (:mod:`~dudao_sim.structure.analysis`) and its text summary
(:mod:`~dudao_sim.structure.describe`).
"""
