"""The article as one story: the opening page maps every page, each chapter ends
with its takeaways, citations resolve, and the text speaks in its own voice.

Reads the Markdown and mkdocs.yml only; the strict build checks the rendered
anchors too (``validation.anchors: warn`` in mkdocs.yml)."""

import re
from pathlib import Path

import pytest
import yaml

import claims

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = sorted(claims.PAGES.values())


def text(page: str) -> str:
    return (DOCS / page).read_text()


def nav_pages() -> list[str]:
    # mkdocs.yml names a Python object for the figure fence: skip the tag, keep the rest.
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)
    return [page for entry in config["nav"] for page in entry.values()]


def reference_ids() -> set[str]:
    """The anchors of the references page: its entries ({#id}) and its sections (## Title)."""
    page = text("references.md")
    entries = re.findall(r"^\{#([\w-]+)\}$", page, flags=re.M)
    sections = [re.sub(r"\W+", "-", title.lower()).strip("-") for title in re.findall(r"^## (.+)$", page, flags=re.M)]
    return set(entries) | set(sections)


def test_the_opening_page_links_every_page_of_the_nav():
    opening = text("index.md")
    for page in nav_pages()[1:]:
        assert f"]({page}" in opening, f"index.md does not link {page}"


def test_the_closing_page_and_the_references_end_the_nav():
    assert nav_pages()[-2:] == ["closing.md", "references.md"]


def test_the_opening_page_names_the_headline_and_has_a_notation_box():
    opening = text("index.md")
    assert "Log-Lin-Exp" in opening and "f(x, A) = Ax" in opening
    assert '!!! info "Notation"' in opening


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_ends_with_two_to_four_takeaways(page):
    body = text(page).rstrip()
    start = body.rfind('!!! success "Takeaways"')
    assert start >= 0, f"{page}: no Takeaways box"
    box = body[start:].splitlines()[1:]
    assert all(not line or line.startswith("    ") for line in box), f"{page}: text after the Takeaways box"
    bullets = [line for line in box if line.startswith("    - ")]
    assert 2 <= len(bullets) <= 4, f"{page}: {len(bullets)} takeaways"


@pytest.mark.parametrize("page", [p.name for p in sorted(DOCS.glob("*.md"))])
def test_every_citation_links_to_an_entry_of_the_references(page):
    ids = reference_ids()
    cited = re.findall(r"references\.md#([\w-]+)", text(page))
    if page == "references.md":
        cited = re.findall(r"\]\(#([\w-]+)\)", text(page))
    missing = sorted(set(cited) - ids)
    assert not missing, f"{page} cites entries the references page lacks: {missing}"


def test_every_reference_is_cited_somewhere():
    cited = set()
    for page in DOCS.glob("*.md"):
        cited |= set(re.findall(r"references\.md#([\w-]+)", page.read_text()))
    entries = set(re.findall(r"^\{#([\w-]+)\}$", text("references.md"), flags=re.M))
    assert entries - cited == set(), "listed but never cited"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapters_credit_the_sources_once_and_then_speak_for_themselves(page):
    # The sources are credited on the opening page; a reader of a chapter has never met "the notes".
    found = re.findall(r"\b(?:the|original|lecture)\s+notes\b|\bthe notes'", text(page), flags=re.I)
    assert not found, f"{page} argues with the sources: {found}"


def test_collapsible_boxes_have_their_extension():
    uses = any("??? " in page.read_text() for page in DOCS.glob("*.md"))
    assert not uses or "pymdownx.details" in (ROOT / "mkdocs.yml").read_text()
