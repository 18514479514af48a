"""Build the jacobiator wheel from the working tree, for the browser to install.

It is rebuilt at every site build (a fraction of a second with hatchling), so a
changed core file always reaches the page; the served URL carries the wheel's
hash, so no browser keeps a stale copy.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_wheel(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    # The PEP 517 hook of our own build backend, run in a child process so the
    # site build's Python never imports a half-written package.
    done = subprocess.run(
        [sys.executable, "-c", "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))", str(out_dir)],
        cwd=ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the jacobiator wheel failed:\n{done.stderr}")
    return out_dir / done.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    print(build_wheel(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist")))
