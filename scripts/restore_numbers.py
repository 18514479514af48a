"""Print every number the restore-the-Jacobian chapter quotes, as JSON.

    .venv/bin/python scripts/restore_numbers.py

The same functions (jacobiator/restore_claims.py) are asserted in
tests/test_restore_claims.py; rerun this after changing the experiment and
update docs/restore-the-jacobian.md from its output.
"""

import json
import time

from jacobiator import restore_claims

if __name__ == "__main__":
    t0 = time.perf_counter()
    numbers = restore_claims.all_numbers()
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(numbers, indent=1))
