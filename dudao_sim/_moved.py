"""Old import paths of modules that moved in the layered layout (kept for one release).

``import dudao_sim.hierarchy`` and the like still work but warn with a
``DeprecationWarning`` naming the new path. The alias is a module of its own that forwards to
the new one; code inside the package uses only the new paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

#: Old module path -> new module path.
MOVED: dict[str, str] = {
    "dudao_sim.agents": "dudao_sim.model.agents",
    "dudao_sim.assumptions": "dudao_sim.policy.assumptions",
    "dudao_sim.build": "dudao_sim.model.initial_state",
    "dudao_sim.clauses": "dudao_sim.policy.clauses",
    "dudao_sim.cli_experiments": "dudao_sim.cli.labels",
    "dudao_sim.hierarchy": "dudao_sim.structure.hierarchy",
    "dudao_sim.hierarchy_analysis": "dudao_sim.structure.analysis",
    "dudao_sim.hunan": "dudao_sim.data.hunan",
    "dudao_sim.inspectorate": "dudao_sim.structure.inspectorate",
    "dudao_sim.levers": "dudao_sim.policy.levers",
    "dudao_sim.mechanisms": "dudao_sim.model.mechanisms",
    "dudao_sim.rng": "dudao_sim.model.streams",
    "dudao_sim.scenarios": "dudao_sim.policy.scenarios",
    "dudao_sim.state": "dudao_sim.model.state",
    "dudao_sim.summary": "dudao_sim.structure.describe",
    "dudao_sim.synthesis": "dudao_sim.data.county_rules",
    "dudao_sim.synthetic": "dudao_sim.data.synthetic",
    "dudao_sim.vocab": "dudao_sim.data.vocab",
    "dudao_sim.experiments.summary": "dudao_sim.experiments.statistics",
}


def new_path(old: str) -> str | None:
    """The new module path of ``old`` (submodules of a moved package included), or None."""
    if old in MOVED:
        return MOVED[old]
    parent, _, child = old.rpartition(".")
    if parent in MOVED:
        return f"{MOVED[parent]}.{child}"
    return None


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds old module paths and loads a forwarding alias of the new module."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if new_path(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return types.ModuleType(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        target_name = new_path(module.__name__)
        assert target_name is not None
        warnings.warn(
            f"{module.__name__} has moved to {target_name}; the old path will be removed in the "
            "next release",
            DeprecationWarning,
            stacklevel=2,
        )
        target = importlib.import_module(target_name)
        public = {k: v for k, v in vars(target).items() if not k.startswith("__")}
        module.__dict__.update(public)
        module.__doc__ = target.__doc__
        module.__path__ = []  # submodules are found by this finder too
        module.__getattr__ = lambda name: getattr(target, name)  # type: ignore[attr-defined]


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
