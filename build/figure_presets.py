r"""A Markdown extension: one-click links that put a figure in the state a sentence describes.

An author links a sentence to a figure on the same page and the values to set::

    With [flips at p = 0.45](#preset:flips?grad_flip=0.45&depth=2), the run still ...

The target is the ``id`` of a figure block (``id: flips`` in the fence), or a
figure's key when the page has one figure of that kind, so a link never depends
on how many figures come before its target. The build checks the values against
the figure's schema as it would a reader's link (``Schema.resolve_lenient``) and
writes the link as the figure's own URL state (``?destroy_training-2.grad_flip=0.45
#jb-destroy_training-2``): it works without JavaScript (the page reloads in that
state), and presets.js applies it in place, with a redraw. An unknown target or a
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


def preset_link(figure: dict, values: dict[str, str], before: str, after: str) -> str:
    """The link as the figure's URL state, with what presets.js needs to apply it in place."""
    slot = figure["widget"].removeprefix("jb-")
    search = "&amp;".join(f"{quote(slot + '.' + k)}={quote(v)}" for k, v in values.items())
    attributes = (before + after).strip()
    if 'class="' in attributes:
        attributes = attributes.replace('class="', 'class="jb-preset ', 1)
    else:
        attributes = ('class="jb-preset" ' + attributes).strip()
    data = html.escape(json.dumps(values, ensure_ascii=False), quote=True)
    return (f'<a href="?{search}#{figure["widget"]}" {attributes} data-jb-target="{figure["widget"]}" '
            f'data-jb-values="{data}">')


class FigurePresets(Postprocessor):
    def run(self, text: str) -> str:
        figures = self.md.__dict__.get("jacobiator_figures", [])
        page = jacobiator_fence.current_page["path"] or "<markdown>"
        markdown = jacobiator_fence.current_page["markdown"]

        cursor = 0  # links come in page order: each is looked for after the previous one

        def replace(m: re.Match) -> str:
            nonlocal cursor
            target, query = m["target"], html.unescape(m["query"] or "")
            at = markdown.find(f"#preset:{target}" + (f"?{query}" if query else ""), cursor)
            cursor = at + 1 if at >= 0 else cursor
            try:
                figure = find_target(figures, target)
                return preset_link(figure, preset_values(figure, query), m["before"], m["after"])
            except PresetError as e:
                line = markdown.count("\n", 0, at) + 1 if at >= 0 else "?"
                log.warning(f"{page}:{line}: preset link #preset:{target}: {e}")
                return (f'<a class="jb-error jb-preset-error" title="{html.escape(str(e), quote=True)}">'
                        f'[preset: {html.escape(str(e))}] ')

        return LINK.sub(replace, text)


class FigurePresetsExtension(Extension):
    def extendMarkdown(self, md):
        # After the raw HTML is put back (30): the figures are all formatted by then.
        md.postprocessors.register(FigurePresets(md), "figure_presets", 5)


def makeExtension(**kwargs):
    return FigurePresetsExtension(**kwargs)
