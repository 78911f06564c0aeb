"""Safe by construction: no code execution from data, servers on localhost, no path escapes.

The package (and ``tools/``) is scanned with ``ast``: no ``eval``/``exec``, no pickle in any
form (``pickle``, ``dill``, ``joblib``, ``shelve``, ``marshal``, ``pd.read_pickle``,
``np.load(allow_pickle=True)``), no ``yaml.load`` without a safe loader, no ``shell=True``
or ``os.system``. Every Dask ``LocalCluster`` binds its scheduler to 127.0.0.1 and its
dashboard to 127.0.0.1 or nowhere; ``make lab`` leaves JupyterLab on localhost.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from dudao_sim.experiments import ResultStore, StoreError
from dudao_sim.policy.scenarios import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "dudao_sim").rglob("*.py"), *(ROOT / "tools").glob("*.py")])

UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "joblib", "shelve", "marshal"}
UNSAFE_CALLS = {"eval", "exec", "read_pickle", "to_pickle", "unsafe_load", "full_load", "system"}
UNSAFE_CALLS |= {"popen", "load_pickle"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return _name(node)


def unsafe_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Every unsafe construct in a parsed module, as (line, what)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in UNSAFE_MODULES:
                    found.append((node.lineno, f"import {name}"))
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        dotted = _dotted(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if called in UNSAFE_CALLS and dotted not in ("re.compile",):
            if called in ("system", "popen") and not dotted.startswith("os."):
                continue
            found.append((node.lineno, f"{dotted}()"))
        if dotted.endswith("yaml.load") or (dotted == "load" and "Loader" in keywords):
            loader = keywords.get("Loader")
            if loader is None or _name(loader) not in SAFE_YAML_LOADERS:
                found.append((node.lineno, "yaml.load() without SafeLoader"))
        shell = keywords.get("shell")
        if shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
            found.append((node.lineno, f"{dotted}(shell=...)"))
        pickle = keywords.get("allow_pickle")
        if pickle is not None and not (isinstance(pickle, ast.Constant) and pickle.value is False):
            found.append((node.lineno, f"{dotted}(allow_pickle=...)"))
    return found


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("eval(text)", "eval()"),
        ("exec(text)", "exec()"),
        ("import pickle", "import pickle"),
        ("from joblib import load", "import joblib"),
        ("pd.read_pickle(path)", "pd.read_pickle()"),
        ("yaml.load(text)", "yaml.load() without SafeLoader"),
        ("yaml.load(text, Loader=yaml.Loader)", "yaml.load() without SafeLoader"),
        ("subprocess.run(cmd, shell=True)", "subprocess.run(shell=...)"),
        ("os.system(cmd)", "os.system()"),
        ("np.load(path, allow_pickle=True)", "np.load(allow_pickle=...)"),
    ],
)
def test_the_scanner_finds_unsafe_code(code, what):
    assert [w for _, w in unsafe_uses(ast.parse(code))] == [what]


def test_the_scanner_accepts_safe_code():
    safe = """
import json, tomllib, re
yaml.load(text, Loader=yaml.SafeLoader)
yaml.safe_load(text)
subprocess.run([sys.executable, "-m", "x"], check=True)
re.compile("a")
np.load(path)
"""
    assert unsafe_uses(ast.parse(safe)) == []


def test_the_package_has_no_eval_exec_pickle_unsafe_yaml_or_shell():
    problems = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        problems += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in unsafe_uses(tree)]
    assert not problems, "\n".join(problems)


def _cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _local_clusters() -> list[tuple[str, ast.Call]]:
    codes = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in SOURCES]
    codes += [
        (str(p.relative_to(ROOT)), "\n".join(_cells(p)))
        for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
    ]
    codes += [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "tests").glob("*.py"))
    ]
    calls = []
    for where, code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:  # a notebook cell with shell magics
            lines = [x for x in code.splitlines() if not x.lstrip().startswith(("%", "!"))]
            tree = ast.parse("\n".join(lines))
        calls += [
            (where, node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _name(node.func) == "LocalCluster"
        ]
    return calls


def test_dask_local_clusters_listen_on_localhost_only():
    calls = _local_clusters()
    assert calls, "the test suite starts at least one LocalCluster"
    for where, call in calls:
        keywords = {k.arg: k.value for k in call.keywords}
        dashboard = keywords.get("dashboard_address")
        assert dashboard is not None, f"{where}: LocalCluster without dashboard_address"
        value = dashboard.value if isinstance(dashboard, ast.Constant) else "?"
        assert value is None or str(value).startswith(("127.0.0.1:", "localhost:")), where
        processes = keywords.get("processes")
        in_process = isinstance(processes, ast.Constant) and processes.value is False
        if not in_process:  # a scheduler on a TCP port: bound to the loopback address
            host = keywords.get("host")
            assert isinstance(host, ast.Constant) and host.value in ("127.0.0.1", "localhost"), (
                f"{where}: LocalCluster with processes needs host='127.0.0.1'"
            )


def test_make_lab_and_servers_bind_localhost():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"jupyter lab", makefile)
    for option in re.findall(r"--(?:ServerApp\.|Voila\.|NotebookApp\.)?ip[= ](\S+)", makefile):
        assert option in ("127.0.0.1", "localhost"), f"Makefile binds a server to {option}"
    assert "0.0.0.0" not in makefile


def test_a_scenario_file_cannot_name_a_base_outside_its_folder(tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('name = "outside"\nlabel_zh = "外"\nlabel_en = "Out"\n', encoding="utf-8")
    folder = tmp_path / "mine"
    folder.mkdir()
    for base in ("../outside", str(outside.with_suffix("")), ".."):
        path = folder / "s.toml"
        path.write_text(
            f'name = "s"\nlabel_zh = "甲"\nlabel_en = "S"\nbase = "{base}"\n', encoding="utf-8"
        )
        with pytest.raises(ScenarioError, match="not a path"):
            load_scenario(path)


def test_a_manifest_cannot_name_a_part_outside_its_folder(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    manifest = {"format": 2, "runs": [{"run_id": "../../etc/x"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match=r"'../../etc/x' is not allowed"):
        ResultStore(folder).load()
    for bad in ("/etc/passwd", "a\\..\\b", "..", "", "x" * 65):
        with pytest.raises(StoreError):
            ResultStore(folder).part_path("metrics", bad)
