"""Person resolution on FEBRL 1 and 2 as Salesforce Contact exports: pair precision,
recall, F1, seconds and peak memory, with the shipped default configuration.

Usage: python benchmarks/identity_febrl.py [--data tests/fixtures/febrl] [febrl1 febrl2]

The exports and truth files are made from the public FEBRL data sets by
`benchmarks/febrl_convert.py` (no email, no phone: names, address, postcode, state and
birth date, with FEBRL's typos, swaps and missing values). Settings were chosen on
FEBRL 1 only; FEBRL 2 is held out and reported as it comes. Each data set runs in a
fresh child process (ingest, `identity run --kind person`, evaluate), so its peak
resident memory is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from revops import Workspace
from revops.ingest.runner import ingest

folder = Path(sys.argv[1])
with tempfile.TemporaryDirectory() as tmp:
    root = Path(tmp) / "ws"
    Workspace.create(root)
    ws = Workspace.open(root)
    report = ingest(ws, [str(folder / "salesforce")])
    began = time.perf_counter()
    ws.identity.run(["person"])
    seconds = time.perf_counter() - began
    found = ws.identity.evaluate(folder / "truth.csv", kind="person")[0]
    training = ws.identity.trainings["person"]
    ws.close()
print(json.dumps({
    **found.as_row(),
    "seconds": round(seconds, 1),
    "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "prior": training.prior,
    "failed_steps": training.failed,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=["febrl1", "febrl2"])
    parser.add_argument("--data", type=Path, default=Path("tests/fixtures/febrl"))
    args = parser.parse_args()
    for name in args.sets:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.data / name)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print(name, json.dumps(row))


if __name__ == "__main__":
    main()
