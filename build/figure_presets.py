r"""A Markdown extension: one-click links that put a figure in the state a sentence describes.

An author links a sentence to a figure on the same page and the values to set::

    With [flips at p = 0.45](#preset:flips?grad_flip=0.45&depth=2), the run still ...

The target is the ``id`` of a figure block (``id: flips`` in the fence), or a
figure's key when the page has one figure of that kind, so a link never depends
on how many figures come before its target. The build checks the values against
the figure's schema as it would a reader's link (``Schema.resolve_lenient``) and
writes the link as the figure's own URL state (``?destroy_training-2.grad_flip=0.45``):
it works without JavaScript (the page reloads in that state), and presets.js
applies it in place, scrolls to the figure and redraws it. An unknown target or a
value the figure refuses shows a visible error and a warning naming the page and
line, so ``mkdocs build --strict`` fails. Named in mkdocs.yml as ``figure_presets``.
"""

import html
import json
import logging
import re
from urllib.parse import parse_qsl, quote

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

import jacobiator_fence

log = logging.getLogger("mkdocs.jacobiator.presets")

# A rendered Markdown link to ``#preset:<target>?<values>``, with its other attributes.
LINK = re.compile(r'<a (?P<before>[^>]*?)href="#preset:(?P<target>[^"?]*)(?:\?(?P<query>[^"]*))?"(?P<after>[^>]*)>')


class PresetError(ValueError):
    pass


def find_target(figures: list[dict], target: str) -> dict:
    """The figure a preset names: by its block's ``id``, else by its key if the page has one of that figure."""
    by_id = [f for f in figures if f["id"] == target]
    if by_id:
        return by_id[0]
    by_key = [f for f in figures if f["key"] == target]
    if len(by_key) == 1:
        return by_key[0]
    ids = sorted(f["id"] for f in figures if f["id"])
    if by_key:
        raise PresetError(f"the page has {len(by_key)} {target!r} figures: give the one meant an 'id:' line "
                          f"and name it (ids on this page: {', '.join(ids) or 'none'})")
    keys = [f["key"] for f in figures]
    known = ids + sorted({k for k in keys if keys.count(k) == 1})  # a key names a figure only when unique
    raise PresetError(f"no figure {target!r} on this page; preset targets here: {', '.join(known) or 'none'}")


def preset_values(figure: dict, query: str) -> dict[str, str]:
    """The values a preset sets, as text (what a reader's link would say), each checked by the figure's schema."""
    from jacobiator.figures import get_figure  # imported per call: the hook reloads the core

    values = dict(parse_qsl(query, keep_blank_values=True))
    if not values:
        raise PresetError("the link sets no parameter: write #preset:<figure>?<name>=<value>&…")
    schema = get_figure(figure["key"]).schema
    _, ignored = schema.resolve_lenient(values, schema.resolve(figure["overrides"]))
    if ignored:
        raise PresetError("; ".join(ignored))
    return values


def resolved(figure: dict, values: dict[str, str]) -> dict[str, str]:
    """The link's attributes: its href is the figure's URL state, the data what presets.js applies in place."""
    slot = figure["widget"].removeprefix("jb-")
    search = "&".join(f"{quote(slot + '.' + k)}={quote(v)}" for k, v in values.items())
    # No #fragment: MkDocs checks a fragment against the page's headings, and the widget is raw HTML
    # it does not see. Without JavaScript the page reloads in that state; presets.js scrolls to the figure.
    return {"href": f"?{search}", "data-jb-target": figure["widget"],
            "data-jb-values": json.dumps(values, ensure_ascii=False)}


class Presets:
    """The page's preset links, resolved in page order (so each is located at its own line)."""

    def __init__(self, md):
        self.md = md
        self.cursor = 0

    def resolve(self, target: str, query: str) -> dict[str, str] | str:
        """The attributes of the link to ``#preset:target?query``, or the problem with it (also logged)."""
        page = jacobiator_fence.current_page["path"] or "<markdown>"
        markdown = jacobiator_fence.current_page["markdown"]
        at = markdown.find(f"#preset:{target}" + (f"?{query}" if query else ""), self.cursor)
        self.cursor = at + 1 if at >= 0 else self.cursor
        try:
            figure = find_target(self.md.__dict__.get("jacobiator_figures", []), target)
            return resolved(figure, preset_values(figure, query))
        except PresetError as e:
            line = markdown.count("\n", 0, at) + 1 if at >= 0 else "?"
            log.warning(f"{page}:{line}: preset link #preset:{target}: {e}")
            return str(e)


class TreeLinks(Treeprocessor):
    """Links in the text, rewritten before MkDocs checks the page's anchors (its relpath step, priority 0)."""

    def __init__(self, md, presets: Presets):
        super().__init__(md)
        self.presets = presets

    def run(self, root):
        for link in root.iter("a"):
            href = link.get("href", "")
            if not href.startswith("#preset:"):
                continue
            target, _, query = href.removeprefix("#preset:").partition("?")
            answer = self.presets.resolve(target, query)
            if isinstance(answer, str):
                del link.attrib["href"]
                link.set("class", "jb-error jb-preset-error")
                link.set("title", answer)
                link.text = f"[preset: {answer}] " + (link.text or "")
                continue
            link.attrib.update(answer)
            link.set("class", " ".join(["jb-preset", *link.get("class", "").split()]))


class HtmlLinks(Postprocessor):
    """Links in raw HTML, such as a figure's caption (the fence writes them), once it is back in the page."""

    def __init__(self, md, presets: Presets):
        super().__init__(md)
        self.presets = presets

    def run(self, text: str) -> str:
        def replace(m: re.Match) -> str:
            answer = self.presets.resolve(m["target"], html.unescape(m["query"] or ""))
            if isinstance(answer, str):
                return (f'<a class="jb-error jb-preset-error" title="{html.escape(answer, quote=True)}">'
                        f'[preset: {html.escape(answer)}] ')
            attributes = (m["before"] + m["after"]).strip()
            attributes = (attributes.replace('class="', 'class="jb-preset ', 1) if 'class="' in attributes
                          else f'class="jb-preset" {attributes}'.strip())
            data = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in answer.items())
            return f"<a {data} {attributes}>"

        return LINK.sub(replace, text)


class FigurePresetsExtension(Extension):
    def extendMarkdown(self, md):
        # The figures are all formatted by then (the fences are a preprocessor). In the text: after
        # the inline links are made (20), before MkDocs checks anchors (0); in raw HTML: after it is
        # put back (30).
        # Each keeps its own place in the page: the text's links, then the captions', each in order.
        md.treeprocessors.register(TreeLinks(md, Presets(md)), "figure_presets", 5)
        md.postprocessors.register(HtmlLinks(md, Presets(md)), "figure_presets_html", 5)


def makeExtension(**kwargs):
    return FigurePresetsExtension(**kwargs)
