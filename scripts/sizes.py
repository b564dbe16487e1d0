#!/usr/bin/env python3
"""The largest modules and functions of a package, by lines (issue 22: no module over about
400 lines, no function over about 80).

    python scripts/sizes.py                      # optimizer/: the 10 largest of each
    python scripts/sizes.py optimizer/solving -n 20 --max-module 400 --max-function 80

With --max-module/--max-function it exits 1 when something is over (a check for CI).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sizes(root: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(lines, module) and (lines, module:function) for every module under ``root``; a method
    is named Class.method, a nested function outer.inner."""
    modules, functions = [], []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root.parent if root.is_dir() else root).as_posix()
        modules.append((len(text.splitlines()), rel))

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = prefix + child.name
                    functions.append((child.end_lineno - child.lineno + 1, f"{rel}:{name}"))
                    visit(child, name + ".")
                elif isinstance(child, ast.ClassDef):
                    visit(child, prefix + child.name + ".")

        visit(ast.parse(text, filename=str(path)), "")
    return sorted(modules, reverse=True), sorted(functions, reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", default=str(ROOT / "optimizer"))
    ap.add_argument("-n", type=int, default=10, help="how many of each to list")
    ap.add_argument("--max-module", type=int, help="exit 1 when a module has more lines")
    ap.add_argument("--max-function", type=int, help="exit 1 when a function has more lines")
    args = ap.parse_args(argv)
    modules, functions = sizes(Path(args.root).resolve())
    print("largest modules (lines):")
    for n, name in modules[:args.n]:
        print(f"  {n:6,}  {name}")
    print("largest functions (lines):")
    for n, name in functions[:args.n]:
        print(f"  {n:6,}  {name}")
    over = [m for m in modules if args.max_module and m[0] > args.max_module] + \
        [f for f in functions if args.max_function and f[0] > args.max_function]
    for n, name in over:
        print(f"over the limit: {name} ({n} lines)", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
