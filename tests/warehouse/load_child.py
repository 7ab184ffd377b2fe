"""A separate process that loads into a warehouse, so a test can kill it mid-load.

Usage: python load_child.py URL ROOT PREFIX ACTION, where ACTION is
`seed` (init and load the first batch), `hang-at:STEP` (load the second batch and stop
forever once the load reports STEP), or `dump` (print the table as JSON).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from revops.warehouse import connect

from support import DEAL, deals, rows

FIRST = deals(
    ("1", "Prospecting", "100.00", "2024-03-31"), ("2", "Proposal", "250.50", "2024-06-30")
)
# Large enough that a load takes a while, and touches every row of FIRST.
SECOND = deals(*[(str(i), "Negotiation", f"{i}.00", "2024-09-30") for i in range(1, 20_001)])


def main(url: str, root: str, prefix: str, action: str) -> None:
    warehouse = connect(url, Path(root), schema_prefix=prefix)
    if action == "seed":
        warehouse.init([DEAL])
        warehouse.load("deal", FIRST)
    elif action.startswith("hang-at:"):
        step = action.removeprefix("hang-at:")

        def hang(done: str) -> None:
            if done == step:
                print("MID-LOAD", flush=True)
                while True:
                    time.sleep(60)

        warehouse.load("deal", SECOND, progress=hang)
    elif action == "dump":
        print(json.dumps(rows(warehouse.table("deal"))))
    warehouse.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
