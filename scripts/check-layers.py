#!/usr/bin/env python3
"""Fails when a crate's modules, or the JS façade's modules, import each other in a circle.

Rust: every file under a crate's `src/` is a node named by its module path (`parquet::plan`);
an edge goes from a file to each module it names through `crate::a::b` or `super::x` (comments and
strings skipped). Edges are then lifted to the top-level module (`parquet`) and to the folder's
children (`parquet::plan` -> `parquet::read`): a cycle at either level is reported. A file's own
submodules (`mod x;`) and its parent (`super::` names that are items of the parent) do not count
as imports of a sibling.

JS: every `src/*.ts` file is a node; `import`/`export ... from './x.js'` is an edge.

Usage: check-layers.py CRATE_SRC_DIR... --js JS_SRC_DIR
"""

import re
import sys
from pathlib import Path

STRING = re.compile(r'"(?:\\.|[^"\\])*"')
LINE_COMMENT = re.compile(r"//.*")
CRATE_PATH = re.compile(r"\bcrate::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
SUPER_PATH = re.compile(r"\bsuper::([a-z_][a-z0-9_]*)")
USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)


def module_of(src: Path, file: Path) -> tuple[str, ...]:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def code_of(text: str) -> str:
    text = STRING.sub('""', text)
    return "\n".join(LINE_COMMENT.sub("", line) for line in text.splitlines())


def rust_edges(src: Path) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    files = {module_of(src, f): f for f in src.rglob("*.rs")}
    modules = set(files)

    def resolve(path: list[str]) -> tuple[str, ...] | None:
        # The longest prefix of the path that is a module file.
        for n in range(len(path), 0, -1):
            if tuple(path[:n]) in modules:
                return tuple(path[:n])
        return None

    edges: dict[tuple[str, ...], set[tuple[str, ...]]] = {m: set() for m in modules}
    for module, file in files.items():
        code = code_of(file.read_text())
        targets = [p.split("::") for p in CRATE_PATH.findall(code)]
        for group in USE_GROUP.findall(code):
            targets += [item.strip().split("::") for item in group.split(",") if item.strip()]
        is_folder = file.name == "mod.rs"
        parent = module if is_folder else module[:-1]
        for name in SUPER_PATH.findall(code):
            base = parent[:-1] if is_folder else parent
            targets.append(list(base) + [name])
        for t in targets:
            target = resolve([p for p in t if p and p != "self"])
            if target is not None and target != module:
                edges[module].add(target)
    return edges


def find_cycle(graph: dict) -> list | None:
    state: dict = {}
    stack: list = []

    def visit(n) -> list | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def lifted(edges: dict, level: int, within: tuple[str, ...]) -> dict:
    """Edges between the modules `level` deep under `within`, ignoring edges into a module's own
    descendants or ancestors."""
    out: dict = {}
    for a, targets in edges.items():
        for b in targets:
            if a[: len(within)] != within or b[: len(within)] != within:
                continue
            if len(a) < level or len(b) < level:
                continue
            la, lb = a[:level], b[:level]
            if la != lb:
                out.setdefault(la, set()).add(lb)
                out.setdefault(lb, set())
    return out


def check_rust(src: Path) -> list[str]:
    edges = rust_edges(src)
    problems = []
    folders = {m[:-1] for m in edges if len(m) > 1} | {()}
    for folder in sorted(folders):
        cycle = find_cycle(lifted(edges, len(folder) + 1, folder))
        if cycle:
            problems.append(f"{src}: import circle: " + " -> ".join("::".join(m) for m in cycle))
    return problems


JS_IMPORT = re.compile(r"""(?:import|export)\b[^'";]*?\bfrom\s*['"]\./([\w-]+)\.js['"]""", re.S)


def check_js(src: Path) -> list[str]:
    graph = {f.stem: set(JS_IMPORT.findall(f.read_text())) for f in src.glob("*.ts")}
    cycle = find_cycle(graph)
    return [f"{src}: import circle: " + " -> ".join(cycle)] if cycle else []


def main(argv: list[str]) -> int:
    problems = []
    js = False
    for arg in argv:
        if arg == "--js":
            js = True
            continue
        problems += check_js(Path(arg)) if js else check_rust(Path(arg))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
