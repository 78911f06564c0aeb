"""Policy layer: what the document says and what policy controls.

- :mod:`~dudao_sim.policy.clauses` — the document text and its clauses (一)…(二十五);
- :mod:`~dudao_sim.policy.levers` — levers (what policy controls), each citing its clause;
- :mod:`~dudao_sim.policy.assumptions` — behavioural assumptions, each with its source;
- :mod:`~dudao_sim.policy.scenarios` — scenario files as diffs that stack;
- :mod:`~dudao_sim.policy.targets` — the document's numeric targets (1:5, full-time share,
  full coverage, zone size), read everywhere they are checked.
"""
