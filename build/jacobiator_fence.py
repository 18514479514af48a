"""The ``figure`` fence: a Markdown block that embeds a registered figure.

    ```figure
    figure: gradient_field
    grid: 21
    caption: Drag the target.
    ```

``figure`` names the figure, ``caption`` is optional, ``id`` (optional) is a name
that preset links use to point at this figure (build/figure_presets.py), every
other key overrides a parameter. The block becomes a widget (controls from the schema, a plot, a
status line) carrying the figure rendered now, in CPython, so the reader sees
it before Python starts in the browser. A mistake renders a visible error box
and logs a warning naming the page and line, so ``mkdocs build --strict``
fails. Named in mkdocs.yml as a pymdownx.superfences custom fence.
"""

import html
import json
import logging
import re
from pathlib import Path

import jinja2
import yaml

import figure_cache

log = logging.getLogger("mkdocs.jacobiator.figure")

RESERVED = ("figure", "controls", "id")
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)

# Set by the MkDocs hook for each page, so errors can name the page and line.
# Blocks are formatted in page order; ``cursor`` is where the last one was found.
current_page = {"path": None, "markdown": "", "cursor": 0}
# The hash of the core's source, set once per build by the hook (None: compute it per figure).
core = {"digest": None}


def parse_block(src: str) -> tuple[str, dict, str, list | None]:
    """(figure key, parameter overrides, caption, controls shown) from the fence's text
    (its ``id``: :func:`fence_id`).

    The caption line is taken as it is, so it may hold colons and math.
    """
    lines = src.splitlines()
    captions = [line.split(":", 1)[1].strip() for line in lines if line.startswith("caption:")]
    src = "\n".join(line for line in lines if not line.startswith("caption:"))
    try:
        spec = yaml.safe_load(src) or {}
    except yaml.YAMLError as e:
        raise ValueError(f"the block is not 'key: value' lines ({e.problem})") from None
    if not isinstance(spec, dict) or "figure" not in spec:
        raise ValueError("the block must start with 'figure: <name>'")
    overrides = {k: v for k, v in spec.items() if k not in RESERVED}
    controls = spec.get("controls")
    if isinstance(controls, str):
        controls = [c.strip() for c in controls.split(",")]
    return str(spec["figure"]), overrides, " ".join(captions), controls


ID = re.compile(r"[a-z][a-z0-9-]*")


def fence_id(src: str) -> str | None:
    """The block's ``id``, the name preset links point at (lower case, digits and dashes)."""
    spec = yaml.safe_load("\n".join(line for line in src.splitlines() if not line.startswith("caption:"))) or {}
    if "id" not in spec:
        return None
    name = str(spec["id"])
    if not ID.fullmatch(name):
        raise ValueError(f"id {name!r} must be lower-case letters, digits and dashes, starting with a letter")
    return name


# A preset link in a caption: [text](#preset:target?values), the one Markdown a caption may hold.
CAPTION_PRESET = re.compile(r"\[([^\]]+)\]\((#preset:[^)\s]+)\)")


def caption_html(caption: str):
    """The caption escaped, with its preset links made links (build/figure_presets.py resolves them)."""
    escaped = str(html.escape(caption, quote=False))
    # The text is escaped already (& as &amp;, as an attribute wants it); only a quote could end the href.
    linked = CAPTION_PRESET.sub(lambda m: f'<a href="{m[2].replace(chr(34), "&quot;")}">{m[1]}</a>', escaped)
    return jinja2.utils.markupsafe.Markup(linked)


def script_json(value) -> str:
    """JSON that is safe inside <script> or <template>: no tag or entity can end or fool it."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def widget_html(key: str, overrides: dict, caption: str, widget_id: str, controls: list | None = None) -> str:
    """The widget; ``controls`` names the parameters given a control (all by default)."""
    from jacobiator.figures import get_figure  # imported per call: the hook reloads the core
    from jacobiator.figures.plot import page_roles

    figure = get_figure(key)
    params = figure.schema.resolve(overrides)
    unknown = [c for c in controls or [] if c not in figure.schema.names]
    if unknown:
        raise ValueError(f"controls names unknown parameter {unknown[0]!r}; known parameters: "
                         f"{', '.join(figure.schema.names)}")
    training = bool(figure.animation and figure.animation.training)
    spec = {"figure": key, "schema": figure.schema.to_json(), "params": params, "static": static_figure(key, figure, params),
            "roles": page_roles()}
    # The figure's primary controls first; the others the page shows wait behind "More controls".
    schema = figure.schema.to_json()
    shown = [p for p in schema["params"] if p["name"] in (controls or figure.schema.names)]
    primary = figure.schema.names if figure.primary is None else figure.primary
    if not any(p["name"] in primary for p in shown):  # a page showing only secondary controls shows them all
        primary = figure.schema.names
    return _templates.get_template("widget.html").render(
        id=widget_id, key=key, title=figure.title, caption=caption_html(caption), schema=schema, training=training,
        first=[p for p in shown if p["name"] in primary], more=[p for p in shown if p["name"] not in primary],
        params=params, spec_json=jinja2.utils.markupsafe.Markup(script_json(spec)),
    )


def static_figure(key: str, figure, params: dict) -> dict:
    """The figure drawn in CPython at build time, from the disk cache when it holds it."""
    return figure_cache.cached_render(key, params, figure.draw, core["digest"] or figure_cache.core_digest())


def locate(src: str) -> str:
    """'page.md:line' of the block whose text is ``src``: the next match after the previous block."""
    path, markdown, cursor = current_page["path"], current_page["markdown"], current_page["cursor"]
    if not path:
        return "a figure block"
    first_line = src.strip().splitlines()[0] if src.strip() else "```figure"
    at = markdown.find(src.strip(), cursor)
    if at < 0:  # an indented block (in a list, say) does not match verbatim
        at = markdown.find(first_line, cursor)
    if at < 0:
        return path
    current_page["cursor"] = at + 1
    return f"{path}:{markdown.count(chr(10), 0, at) + 1}"


def format_figure(src, language, class_name, options, md, **kwargs) -> str:
    """The superfences formatter: never raises, so one bad block cannot hide the rest of the page."""
    counts = md.__dict__.setdefault("jacobiator_figure_counts", {})
    where = locate(src)
    try:
        key, overrides, caption, controls = parse_block(src)
        name = fence_id(src)
        figures = md.__dict__.setdefault("jacobiator_figures", [])
        if name and any(f["id"] == name for f in figures):
            raise ValueError(f"id {name!r} is already used by another figure on this page")
        counts[key] = counts.get(key, 0) + 1
        widget_id = f"jb-{key}-{counts[key]}"
        html_text = widget_html(key, overrides, caption, widget_id, controls)
        # What preset links on this page may point at (build/figure_presets.py).
        figures.append({"widget": widget_id, "key": key, "id": name, "overrides": overrides})
        return html_text
    except ValueError as e:
        log.warning("%s: %s", where, e)
        return (f'<div class="admonition failure jb-error"><p class="admonition-title">This figure could not be built</p>'
                f"<p>{html.escape(str(e))}</p></div>")
