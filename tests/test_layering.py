"""The import contract between the layers, checked on the source of every module.

index → assistant → tillit_web / eval / devtools → benchmarks (which load servers with the
devtools), with ``tillit`` (the command line) on top: a layer imports nothing of ours from
above it, not even inside a function.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each layer and the top-level names of ours it must not import.
DEV = frozenset({"eval", "benchmarks", "devtools", "tillit", "app"})
FORBIDDEN: dict[str, frozenset[str]] = {
    "index": frozenset({"assistant", "tillit_web"}) | DEV,
    "assistant": frozenset({"tillit_web"}) | DEV,
    "tillit_web": DEV,
    "eval": frozenset({"tillit_web", "benchmarks", "devtools", "tillit", "app"}),
    "benchmarks": frozenset({"tillit", "app"}),  # drives servers with devtools' load generator
    "devtools": frozenset({"eval", "benchmarks", "tillit", "app"}),
    "tillit": frozenset({"app", "benchmarks", "devtools"}),
}
IMPORT_FUNCTIONS = {"import_module", "__import__", "find_spec"}


def imported_names(source: str, module: str) -> list[tuple[int, str]]:
    """Every module ``source`` (the module ``module``, dotted) imports, with its line: import
    statements anywhere (also inside functions), relative ones resolved, and calls such as
    ``importlib.import_module("x.y")`` with a literal name."""
    package = module.split(".")
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (called in IMPORT_FUNCTIONS and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)):
                found.append((node.lineno, first.value))
    return found


def upward_imports(source: str, module: str) -> list[str]:
    """The imports in ``source`` that break the layering, as ``module:line -> name``."""
    forbidden = FORBIDDEN.get(module.split(".")[0], frozenset())
    return [f"{module}:{line} -> {name}" for line, name in imported_names(source, module)
            if name.split(".")[0] in forbidden]


def our_modules() -> list[tuple[str, Path]]:
    """(dotted name, path) of every Python module of every layer."""
    out = []
    for layer in FORBIDDEN:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
                out.append((".".join(parts) + ".__init__", path))
            else:
                out.append((".".join(parts), path))
    return out


def test_the_checker_finds_upward_imports_also_hidden_ones() -> None:
    source = (
        "import numpy\n"
        "from index.errors import TillitError\n"
        "def later():\n"
        "    from tillit_web.cli import register\n"
        "    import eval.cli\n"
        "    importlib.import_module('benchmarks.scale')\n"
        "class A:\n"
        "    def m(self):\n"
        "        from ..tillit_web import api\n"
    )
    found = upward_imports(source, "assistant.sub.mod")
    # numpy, the index and the assistant's own (relative) subpackage are allowed.
    assert sorted(found) == ["assistant.sub.mod:4 -> tillit_web.cli",
                             "assistant.sub.mod:5 -> eval.cli",
                             "assistant.sub.mod:6 -> benchmarks.scale"]
    # The same imports are fine one layer up, and the lowest layer may not import the core.
    assert upward_imports("from tillit_web.cli import register\n", "eval.cli") == [
        "eval.cli:1 -> tillit_web.cli"]
    assert upward_imports("from assistant.errors import X\n", "tillit_web.api") == []
    assert upward_imports("def f():\n    from assistant import errors\n", "index.build") == [
        "index.build:2 -> assistant"]


def test_relative_imports_are_resolved() -> None:
    assert imported_names("from ..assistant import errors\n", "index.sub.mod") == [
        (1, "index.assistant")]
    assert imported_names("from . import x\n", "index.sub.mod") == [(1, "index.sub")]


def test_every_layer_exists_and_is_checked() -> None:
    layers = {name.split(".")[0] for name, _ in our_modules()}
    assert layers == set(FORBIDDEN)
    assert len(our_modules()) > 100


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_from_above(layer: str) -> None:
    problems = []
    for name, path in our_modules():
        if name.split(".")[0] == layer:
            problems += upward_imports(path.read_text(encoding="utf-8"), name)
    assert problems == [], "\n".join(problems)


def import_graph() -> dict[str, set[str]]:
    """Each of our modules and the modules of ours it imports (anywhere in it, also inside
    functions). ``from a.b import c`` names the module ``a.b.c`` when there is one, else
    ``a.b``; a package's ``__init__`` is the node ``a.b``."""
    modules = {name.removesuffix(".__init__"): path for name, path in our_modules()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        context = name + ".__init__" if path.name == "__init__.py" else name
        edges: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                (_, base), = imported_names(ast.unparse(node), context)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    edges.add(full if full in modules else base)
        edges |= {target for _, target in imported_names(source, context)
                  if target in modules}
        graph[name] = {t for t in edges if t in modules and t != name}
    return graph


def import_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of imports in ``graph`` (empty when there is none)."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function() -> None:
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    cycle = import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert set(cycle) == {"a", "b", "c"}


def test_no_import_cycle_anywhere() -> None:
    graph = import_graph()
    assert "index.formats.pdf.lines" in graph["index.formats.pdf.book_structure"]
    assert "index.text.chunking" in graph["index.build.compute"]
    cycle = import_cycle(graph)
    assert cycle == [], " -> ".join(cycle)
