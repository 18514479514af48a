"""Every claim of the article holds on the measurements of this machine.

The claims live in ``claims/`` (one module per chapter); each states what the
article says and checks it with a margin wider than the spread between
floating-point platforms (``make claims`` shows that spread). Run them alone
with ``pytest -m claims``. Measurements are cached in ``.cache/claims``, keyed by
the code and the platform, so the site build and these tests measure once.
"""

import pytest

import claims

pytestmark = pytest.mark.claims

CASES = [(chapter, claim) for chapter in claims.PAGES for claim in claims.chapter(chapter).CLAIMS]


@pytest.fixture(scope="session")
def measured():
    cache: dict[str, dict] = {}

    def get(chapter: str) -> dict:
        if chapter not in cache:
            cache[chapter] = claims.measure(chapter)
        return cache[chapter]
    return get


@pytest.mark.parametrize("chapter, claim", CASES, ids=[f"{c}.{claim.key}" for c, claim in CASES])
def test_claim_holds(chapter, claim, measured):
    values = claim.values(measured(chapter))
    assert claim.holds(values), f"{claim.says}\nmeasured: {values}"


def test_claim_keys_are_unique_per_chapter():
    for chapter in claims.PAGES:
        keys = [c.key for c in claims.chapter(chapter).CLAIMS]
        assert len(keys) == len(set(keys)), chapter
        assert keys, f"chapter {chapter} states no claim"


def test_the_cache_key_follows_what_a_chapter_imports():
    """An edit re-measures exactly the chapters whose code it touches: the key hashes the
    modules the chapter's claims import, through each other, and nothing else of the core."""
    from claims.cache import ROOT, sources

    def names(chapter):
        return {str(p.relative_to(ROOT)) for p in sources(chapter)}
    fields = names("gradient_fields")
    assert {"jacobiator/losses.py", "jacobiator/descent.py", "claims/gradient_fields.py"} <= fields
    assert not any(n.startswith("jacobiator/figures/") for n in fields), fields
    assert "claims/destroy.py" not in fields
    destroy = names("destroy")
    assert {"jacobiator/destroy.py", "jacobiator/batched.py"} <= destroy  # batched only through destroy
    activations = names("activations")  # figure modules the claims call, and what those import
    assert {"jacobiator/figures/sculpt.py", "jacobiator/figures/plot.py", "jacobiator/figures/__init__.py"} <= activations
    assert "jacobiator/figures/restore_jacobian.py" not in activations
