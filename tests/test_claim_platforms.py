"""`make claims`: the comparison across platforms, as it is printed (claims/platforms.py)."""

import pytest

from claims import platforms


@pytest.fixture
def result():
    return {
        "platforms": {"Haswell": {"core": "Haswell"}, "Prescott": {"skipped": "OpenBLAS refused the kernel"},
                      "Pyodide 0.27.7": {"core": "wasm (no OpenBLAS)"}},
        "claims": {
            "destroy.a": {"says": "…", "values": {"Haswell": {"x": 0.9}, "Pyodide 0.27.7": {"x": 0.91}},
                          "holds": {"Haswell": True, "Pyodide 0.27.7": True}, "holds_everywhere": True},
            "destroy.b": {"says": "…", "values": {"Haswell": {"x": 0.5}, "Pyodide 0.27.7": {"x": 0.7}},
                          "holds": {"Haswell": False, "Pyodide 0.27.7": True}, "holds_everywhere": False},
        },
    }


def test_the_table_names_skipped_platforms_with_their_reason_and_marks_failing_claims(result):
    text = platforms.table(result)
    assert "- Prescott: skipped: OpenBLAS refused the kernel" in text
    assert "| claim | Haswell | Pyodide 0.27.7 | holds on all |" in text  # no column for a skipped platform
    assert "| destroy.a | ✓ x 0.9 | ✓ x 0.91 | yes |" in text
    assert "| destroy.b | ✗ x 0.5 | ✓ x 0.7 | **NO** |" in text


def test_the_kernel_this_process_runs_is_named():
    assert platforms.openblas_core()  # a name, or "unknown" where numpy has no OpenBLAS
