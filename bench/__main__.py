"""Run one benchmark: ``python -m bench NAME [ARGS...]``; prints JSON lines on stdout."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import bench


def available() -> list[str]:
    """The benchmark names: every module of `bench` that defines ``run``."""
    names = []
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("_") or info.name in {"report", "peers"}:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "run"):
            names.append(info.name)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to ``bench.<NAME>.run(args)`` and print each record it yields."""
    args = sys.argv[1:] if argv is None else argv
    names = available()
    if not args or args[0] in {"-h", "--help"}:
        print(f"usage: python -m bench NAME [ARGS...]; NAME is one of: {', '.join(names)}")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in names:
        print(f"unknown benchmark {name!r}; choose one of: {', '.join(names)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{name}")
    for record in module.run(rest):
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
