"""A disk cache of the static figures, so a rebuild does not train again.

Some figures train networks for tens of seconds before they can be drawn (the
sweeps of the destroy-the-Jacobian chapter). Their static render depends only
on the figure, its parameters, the core's source and the numerics under it
(numpy and its BLAS, the Python, the machine), so the key is a hash of the
four; any edit of ``jacobiator/`` or a new numpy makes every key new. Entries
live in ``.cache/figures`` (git-ignored); ``JACOBIATOR_FIGURE_CACHE=0`` turns it off.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from claims.cache import environment  # the same platform key as the claims'

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "figures"
CORE = ROOT / "jacobiator"


def core_digest() -> str:
    """A hash of every source file of the core, by path and content."""
    h = hashlib.sha256()
    for path in sorted(CORE.rglob("*.py")):
        h.update(str(path.relative_to(CORE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def enabled() -> bool:
    return os.environ.get("JACOBIATOR_FIGURE_CACHE", "1") != "0"


def cached_render(key: str, params: dict, draw: Callable[[dict], dict], digest: str) -> dict:
    """``draw(params)``, read from the cache when this figure, these parameters, this core and these numerics drew it before."""
    if not enabled():
        return draw(params)
    name = hashlib.sha256(json.dumps([key, params, digest, environment()], sort_keys=True).encode()).hexdigest()[:32]
    path = CACHE_DIR / f"{key}-{name}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass  # not cached yet, or a torn file: draw it again
    figure = draw(params)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # Write then rename, so two builds at once never read half a file.
    with tempfile.NamedTemporaryFile("w", dir=CACHE_DIR, delete=False, suffix=".tmp") as f:
        json.dump(figure, f, allow_nan=False, separators=(",", ":"))
    os.replace(f.name, path)
    return figure
