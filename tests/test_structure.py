"""
The package map of docs/architecture.md, held against the code: no import cycle at run time,
a generic `talkkit.bulk`, and no module reaching into another package's private module.

Imports are read from the source (module level, outside ``if TYPE_CHECKING:``), so a cycle
that only type checkers see does not count, and nothing is imported to find them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import talkkit

SRC = Path(talkkit.__file__).parent
Graph = dict[str, set[str]]


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported (try/if blocks too, not TYPE_CHECKING)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level_imports(block)
            for handler in node.handlers:
                yield from _top_level_imports(handler.body)


def _targets(node: ast.Import | ast.ImportFrom, modules: set[str]) -> Iterator[str]:
    """The talkkit modules an import statement loads (``from pkg import mod`` names mod)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        assert node.level == 0, "talkkit imports absolutely"
        base = node.module or ""
        # ``from pkg import mod`` loads mod; ``from pkg import name`` needs pkg's own names.
        # (A submodule's implicit import of its parent package is no edge.)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
            for alias in node.names
        ]
    for name in names:
        if name in modules:
            yield name


def _graph(*, every_import: bool) -> Graph:
    """Module -> the talkkit modules it imports (at import time, or ``every_import``)."""
    files = {_module_name(path): path for path in SRC.rglob("*.py")}
    modules = set(files)
    edges: Graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = (
            [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
            if every_import
            else list(_top_level_imports(tree.body))
        )
        edges[name] = {t for node in nodes for t in _targets(node, modules) if t != name}
    return edges


@pytest.fixture(scope="module")
def graph() -> Graph:
    return _graph(every_import=False)


def _cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read(graph: Graph) -> None:
    assert len(graph) > 100
    assert "talkkit.bulk._journal" in graph["talkkit.bulk._engine"]


def test_no_import_cycle_at_run_time(graph: Graph) -> None:
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_bulk_imports_no_platform_and_no_cli() -> None:
    forbidden = ("talkkit.talkturo", "talkkit.talkover", "talkkit.talkory", "talkkit.cli")
    offenders = [
        f"{module} -> {target}"
        for module, targets in _graph(every_import=True).items()
        if module.startswith("talkkit.bulk")
        for target in targets
        if target.startswith(forbidden)
    ]
    assert offenders == []


def test_no_private_module_of_another_package() -> None:
    """``talkkit.A._b`` is imported only from inside ``talkkit.A`` (deferred imports too)."""
    offenders = []
    for module, targets in _graph(every_import=True).items():
        for target in targets:
            *owner, leaf = target.split(".")
            if not leaf.startswith("_") or leaf == "__init__":
                continue
            package = ".".join(owner)
            inside = module == package or module.startswith(package + ".")
            if not inside:
                offenders.append(f"{module} -> {target}")
    assert offenders == []


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        # The emulator checks the SDK independently: it shares none of its code.
        ("talkkit.emulator", ("talkkit.emulator",)),
        # Receiving webhooks needs the core only, not the request path or a platform; and the
        # generic bulk package's public names, to feed call ends to a waiting job.
        (
            "talkkit.webhooks",
            (
                "talkkit.webhooks",
                "talkkit.bulk",
                "talkkit.errors",
                "talkkit._converter",
                "talkkit._json_body",
                "talkkit._redis_url",
                "talkkit._constants",
                "talkkit._log",
            ),
        ),
    ],
)
def test_a_package_imports_only_what_the_map_allows(package: str, allowed: tuple[str, ...]) -> None:
    graph = _graph(every_import=True)
    offenders = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module == package or module.startswith(package + ".")
        for target in targets
        if not target.startswith(allowed)
    ]
    assert offenders == []
