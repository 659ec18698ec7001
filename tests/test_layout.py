"""The package keeps the shape its README describes, read from the source files themselves.

Units small enough to hold in mind (modules, classes, functions), at most 12 modules directly
under planner/, no import cycles, configuration that does not import the engine, one door
(planner.run) that notebooks and benchmarks use instead of the command line, and each network
extension in a module of its own.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from planner.network.extensions import EXTENSIONS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "planner"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def planner_imports(path: Path) -> set[str]:
    """The planner modules ``path`` imports when it is imported (module level, not under
    ``if TYPE_CHECKING``); ``from package import submodule`` names the submodule."""
    known = {module_name(p) for p in MODULES}
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "planner":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "planner"}
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_units_are_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 500, "module over 500 lines"
    for node in ast.walk(ast.parse(text)):
        length = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
        if isinstance(node, ast.ClassDef):
            assert length <= 300, f"class {node.name} is {length} lines"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert length <= 100, f"function {node.name} is {length} lines"


def test_at_most_twelve_modules_directly_under_planner():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_no_import_cycles():
    graph = {module_name(p): planner_imports(p) for p in MODULES}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for other in sorted(graph.get(module, ())):
            if other == module:
                continue
            assert state.get(other) != "open", "import cycle: " + " -> ".join([*path, other])
            if other not in state:
                visit(other, [*path, other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_configuration_does_not_import_the_engine():
    allowed = {"planner.defaults", "planner.errors", "planner.settings"}
    assert planner_imports(PACKAGE / "scenario.py") <= allowed
    assert planner_imports(PACKAGE / "defaults.py") == set()


def test_only_the_command_line_imports_the_command_line():
    users = [
        module_name(p) for p in MODULES if p.name != "cli.py" and "planner.cli" in p.read_text()
    ]
    assert users == []
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert "planner.cli" not in script.read_text(encoding="utf-8"), script.name
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "planner.cli" not in code, notebook.name
        # A sweep is planner.run at each of its points (planner/sweeps/runner.py).
        assert "planner.run(" in code or "from planner.sweeps import" in code, (
            f"{notebook.name} does not plan through planner.run"
        )


def test_each_extension_lives_in_a_module_of_its_own():
    modules = [type(ext).__module__ for ext in EXTENSIONS]
    assert len(set(modules)) == len(modules)
    assert all(m.startswith("planner.network.extensions.") for m in modules)
    keys = [r.key for ext in EXTENSIONS for r in ext.relaxable]
    assert len(set(keys)) == len(keys), "two extensions relax the same constraint group"
    assert len({ext.name for ext in EXTENSIONS}) == len(EXTENSIONS)
