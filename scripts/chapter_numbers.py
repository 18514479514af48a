"""Print every number a chapter quotes, as JSON.

    .venv/bin/python scripts/chapter_numbers.py destroy    # docs/destroy-the-jacobian.md
    .venv/bin/python scripts/chapter_numbers.py restore    # docs/restore-the-jacobian.md

Each chapter's numbers come from one module of claims (jacobiator/destroy_claims.py,
jacobiator/restore_claims.py), whose functions the tests assert
(tests/test_destroy_claims.py, tests/test_restore_claims.py). Rerun this after
changing an experiment and update the chapter from its output.
"""

import importlib
import json
import sys
import time

CHAPTERS = {"destroy": "jacobiator.destroy_claims", "restore": "jacobiator.restore_claims"}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHAPTERS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(CHAPTERS)}}}")
    t0 = time.perf_counter()
    numbers = importlib.import_module(CHAPTERS[sys.argv[1]]).all_numbers()
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(numbers, indent=1))
