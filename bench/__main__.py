"""`python -m bench` (or `make bench`): run every benchmark module in turn.

`python -m bench api_reads` runs just one. Set BENCH_QUICK=1 for a short smoke run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmark_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules([str(HERE)])
                  if not info.name.startswith(("_", "common", "bare_", "load_")))


def main(argv: list[str]) -> int:
    names = argv or benchmark_modules()
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        module = importlib.import_module(f"bench.{name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
