"""Print every number the destroy-the-Jacobian chapter quotes, as JSON.

    .venv/bin/python scripts/destroy_numbers.py

The same functions (jacobiator/destroy_claims.py) are asserted in
tests/test_destroy_claims.py; rerun this after changing the experiment and
update docs/destroy-the-jacobian.md from its output.
"""

import json
import time

from jacobiator import destroy_claims

if __name__ == "__main__":
    t0 = time.perf_counter()
    numbers = destroy_claims.all_numbers()
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(numbers, indent=1, default=lambda v: round(v, 4)))
