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


def test_make_claims_passes_only_when_a_platform_ran_none_crashed_and_every_claim_held(result):
    assert not platforms.passed(result)  # destroy.b fails on Haswell
    result["claims"]["destroy.b"]["holds_everywhere"] = True
    assert platforms.passed(result)  # a skipped platform is reported, not a failure
    crashed = result | {"platforms": result["platforms"] | {"Haswell": {"failed": "the measurement crashed"}}}
    assert not platforms.passed(crashed)
    assert "- Haswell: FAILED: the measurement crashed" in platforms.table(crashed)
    nothing = {"platforms": {"Pyodide 0.27.7": {"skipped": "node is not installed"}}, "claims": {}}
    assert not platforms.passed(nothing)


def test_a_crashing_measurement_is_a_failure_and_a_refused_kernel_a_skip(monkeypatch):
    class Done:
        def __init__(self, code, out="", err=""):
            self.returncode, self.stdout, self.stderr = code, out, err
    native = Done(0, "SkylakeX\n")
    monkeypatch.setattr(platforms, "_child", lambda code, kernel: native if kernel is None else Done(1, err="Boom"))
    assert platforms.on_kernel("Haswell", ["destroy"]) == {"failed": "the measurement crashed: Boom"}
    ran_natively = Done(0, '{"core": "SkylakeX", "measured": {}}\n')
    monkeypatch.setattr(platforms, "_child", lambda code, kernel: native if kernel is None else ran_natively)
    assert "refused the kernel Haswell" in platforms.on_kernel("Haswell", ["destroy"])["skipped"]
