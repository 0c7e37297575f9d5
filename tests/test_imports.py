"""The import graph of focusshift: no cycles, and no module reaches into another's private names.

Built with ``ast`` over every module of the package, counting imports at any
depth (inside functions too: a lazy import that hides a cycle is still a
cycle). Imports under ``if TYPE_CHECKING:`` never run and are left out.
``from X import name`` is an edge to ``X.name`` when that is a module, else to
``X``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import focusshift

ROOT = Path(focusshift.__file__).resolve().parent
PACKAGE = "focusshift"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join([PACKAGE, *parts])] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of what a `from ... import` names."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every Import/ImportFrom node that can run (not under `if TYPE_CHECKING:`)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _ours(name: str) -> str | None:
    """The focusshift module a dotted name falls in (its longest known prefix), if any."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


# (importer, imported) -> 'file:line' of the first import that makes the edge
WHERE: dict[tuple[str, str], str] = {}


def scan() -> tuple[dict[str, set[str]], list[str]]:
    """(module -> modules it imports, 'file:line: from X import _name' for each private import)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    private: list[str] = []

    def edge(a: str, b: str, line: int) -> None:
        graph[a].add(b)
        WHERE.setdefault((a, b), f"{MODULES[a].relative_to(ROOT.parent)}:{line}")

    for module, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        where = path.relative_to(ROOT.parent)
        aliases: dict[str, str] = {}  # local name -> focusshift module it is bound to
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _ours(alias.name)
                    if target is not None and target != module:
                        edge(module, target, node.lineno)
                        if alias.asname:
                            aliases[alias.asname] = target
                continue
            source = _resolve(module, node)
            if _ours(source) is None:
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in MODULES:
                    target = sub
                    aliases[alias.asname or alias.name] = sub
                else:
                    target = _ours(source)
                    if alias.name.startswith("_") and not alias.name.startswith("__") and target != module:
                        private.append(f"{where}:{node.lineno}: from {source} import {alias.name}")
                if target != module:
                    edge(module, target, node.lineno)
        # `mod._name` through a module imported under a local name (`from .. import roles as r`).
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__") and aliases[node.value.id] != module):
                private.append(f"{where}:{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return graph, sorted(set(private))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_scan_sees_the_whole_package():
    graph, _ = scan()
    assert "focusshift.formats.vtt" in graph and "focusshift.model" in graph
    # function-level imports count: docx imports python-docx lazily, and builder imports roles
    assert "focusshift.roles" in graph["focusshift.formats.builder"]


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def describe(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """The imports that tie a cycle together, as 'a -> b (file:line)'."""
    inside = set(component)
    return [f"{a} -> {b} ({WHERE[a, b]})" for a in component for b in sorted(graph[a] & inside)]


def test_no_import_cycles():
    graph, _ = scan()
    found = cycles(graph)
    assert found == [], "\n".join(line for c in found for line in describe(graph, c))


def test_no_private_names_across_modules():
    _, private = scan()
    assert private == []


# focusshift.formats: what readers share lives in these modules, and readers import only them.
SHARED_FORMATS = {"common", "labels", "timecodes", "annotations", "segments", "plaintext", "cues", "builder"}
# A reader may hand a whole transcript to another format's reader: a Word document holds a
# native transcript, or a Google Meet one.
DELEGATION = {"docx": {"native", "meet"}}


def test_readers_import_helpers_only_from_the_shared_modules():
    graph, _ = scan()
    prefix = "focusshift.formats."
    assert SHARED_FORMATS <= {m[len(prefix):] for m in graph if m.startswith(prefix)}
    crossing = sorted(
        f"{module[len(prefix):]} -> {target[len(prefix):]}"
        for module, targets in graph.items() if module.startswith(prefix)
        for target in targets if target.startswith(prefix)
        and target[len(prefix):] not in SHARED_FORMATS | DELEGATION.get(module[len(prefix):], set())
    )
    assert crossing == []


if __name__ == "__main__":  # python tests/test_imports.py: the graph's cycles and private imports
    g, p = scan()
    print("cycles:", *[e for c in cycles(g) for e in describe(g, c)] or ["none"], sep="\n  ")
    print("private imports across modules:", *p or ["none"], sep="\n  ")
