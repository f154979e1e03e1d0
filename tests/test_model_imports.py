"""Model modules import one another in one direction only (DESIGN §3: "no import circle").

Every import counts, including those under `if TYPE_CHECKING:`: a circle that only a type
checker sees is still two modules that each need the other to be read."""

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "webapp" / "models"


def model_imports(source: str) -> set[str]:
    """The webapp.models modules a module's source imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n.split(".")[2] for n in names
                  if n.startswith("webapp.models.") and (MODELS / f"{n.split('.')[2]}.py").exists()}
    return found


def import_graph() -> dict[str, set[str]]:
    return {path.stem: model_imports(path.read_text()) - {path.stem}
            for path in MODELS.glob("*.py") if path.stem != "__init__"}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each circle of imports, found by walking from every module."""
    found = []

    def walk(name, path):
        for nxt in sorted(graph.get(name, ())):
            if nxt in path:
                found.append(path[path.index(nxt):] + [nxt])
            else:
                walk(nxt, path + [nxt])
    for start in sorted(graph):
        walk(start, [start])
    return found


def test_no_two_model_modules_import_each_other():
    graph = import_graph()
    assert graph, "no model modules found"
    mutual = sorted((a, b) for a, deps in graph.items() for b in deps
                    if a < b and a in graph.get(b, ()))
    assert mutual == []
    assert cycles(graph) == []


def test_the_check_sees_an_import_under_type_checking():
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from webapp.models.people import User\n")
    assert model_imports(source) == {"people"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == \
        [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]
