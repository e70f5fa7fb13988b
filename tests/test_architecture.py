"""The house as the code builds it: no import circles, no module borrowing another's privates.

Read from the source with ``ast``, the way a newcomer reads the tree: every
``import corpus.x`` / ``from corpus.x import y`` at any depth of a module (lazy imports
inside functions count too) is an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

from paths import REPO

PACKAGE = REPO / "corpus"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(name: str) -> str | None:
    """The module of this tree that *name* (a module or a name inside one) refers to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every corpus import in *path*."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.startswith("corpus")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corpus"):
            out += [(node.module, a.name, node.lineno) for a in node.names]
    return out


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, name, _ in imports(path):
            full = resolve(f"{target}.{name}" if name else target)
            if full and full != mod and not (mod.startswith(full + ".")):
                edges[mod].add(full)
    return edges


def test_the_import_graph_has_no_circle():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert circles == []


def test_no_module_imports_another_modules_private_names():
    borrowed = [
        f"{module_name(path)}:{line} takes {name} from {target}"
        for path in MODULES.values()
        for target, name, line in imports(path)
        if name and name.startswith("_") and not name.startswith("__")
    ]
    assert borrowed == []


def test_stages_do_not_reach_up_into_run_cli_or_export():
    """Stages sit below the runner; export is downstream of OUT and of the stages."""
    edges = graph()
    upward = sorted(
        f"{mod} -> {dst}" for mod, targets in edges.items() if mod.startswith("corpus.stages")
        for dst in targets if dst.split(".")[1] in ("run", "cli", "api", "export", "audit")
    )
    assert upward == []


def test_the_audit_never_runs_a_pipeline():
    edges = graph()
    audit = {m for m in edges if m.startswith("corpus.audit")}
    assert not {d for m in audit for d in edges[m] if d.startswith(("corpus.run", "corpus.stages"))}
