"""Time and peak memory of the demo company generator at 2k, 20k and 200k accounts.

Usage: python benchmarks/demo_generate.py [--sizes 2000 20000 200000]

Each size runs in a fresh child process, so its peak resident memory is its own. The
baseline is the smallest size, measured in the same run: the ratios show how time and
memory scale with the number of accounts (linear scaling gives a per-account ratio of 1).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

CHILD = """
import resource
import sys
from datetime import date
from pathlib import Path
from revops.demo import DemoParams
from revops.demo.generate import generate_company
params = DemoParams(accounts=int(sys.argv[1]), seed=7, as_of=date(2026, 11, 22))
generate_company(params, Path(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(accounts: int) -> tuple[float, float]:
    """Seconds and peak resident MiB of generating `accounts` accounts."""
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(accounts), folder],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - began
    peak_kib = int(child.stdout.split()[-1])
    return seconds, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000, 200_000])
    sizes = sorted(parser.parse_args().sizes)
    results = {size: run(size) for size in sizes}
    base_size = sizes[0]
    base_seconds, _ = results[base_size]
    print(f"{'accounts':>9} {'seconds':>8} {'peak MiB':>9} {'time ×':>7} {'per-account ×':>14}")
    for size, (seconds, peak) in results.items():
        ratio = seconds / base_seconds
        per_account = ratio / (size / base_size)
        print(f"{size:>9,} {seconds:>8.1f} {peak:>9.0f} {ratio:>7.1f} {per_account:>14.2f}")


if __name__ == "__main__":
    main()
