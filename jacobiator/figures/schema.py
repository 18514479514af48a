"""Figure parameters, each declared once.

A schema lists a figure's parameters (name, type, default, range or choices,
label). From it come the HTML controls, the validation of what a page, a URL or
a worker message asks for, and the reader-facing error when a value is wrong.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    default: Any
    help: str = ""
    kind = "param"

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        """The value a link's ``text`` stands for, unchecked (``check`` says what is wrong with it)."""
        return text

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "label": self.label,
                "default": self.default, "help": self.help}

    def __post_init__(self):
        # A default outside its own range is an author's bug: fail at import.
        self.check(self.default)


def _number(param: Param, value: Any, integral: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{param.name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{param.name} must be a finite number, got {value!r}")
    if integral and value != int(value):
        raise ValueError(f"{param.name} must be a whole number, got {value!r}")
    if not param.min <= value <= param.max:
        raise ValueError(f"{param.name} must be between {param.min} and {param.max}, got {value!r}")
    return int(value) if integral else float(value)


def _parse_number(text: str) -> int | float | str:
    try:
        number = float(text)
    except ValueError:
        return text  # not a number: ``check`` says so
    # Written as a whole number, it is quoted as one in a message ("999", not "999.0").
    return int(number) if number.is_integer() and text.strip().lstrip("+-").isdigit() else number


@dataclass(frozen=True)
class _Number(Param):
    """A slider's parameter: Int and Float differ only in their bounds' type and whether a value must be whole."""

    min: float = 0.0
    max: float = 1.0
    step: float = 0.01

    def check(self, value):
        return _number(self, value, integral=self.kind == "int")

    def parse(self, text):
        return _parse_number(text)

    def to_json(self):
        return super().to_json() | {"min": self.min, "max": self.max, "step": self.step}


@dataclass(frozen=True)
class Float(_Number):
    kind = "float"


@dataclass(frozen=True)
class Int(_Number):
    min: int = 0
    max: int = 100
    step: int = 1
    kind = "int"


@dataclass(frozen=True)
class Bool(Param):
    kind = "bool"

    def check(self, value):
        if not isinstance(value, bool):
            raise ValueError(f"{self.name} must be true or false, got {value!r}")
        return value

    def parse(self, text):
        return {"true": True, "false": False}.get(text, text)


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) pairs
    kind = "choice"

    def check(self, value):
        values = [v for v, _ in self.choices]
        if value not in values:
            raise ValueError(f"{self.name} must be one of {', '.join(values)}; got {value!r}")
        return value

    def to_json(self):
        return super().to_json() | {"choices": [list(c) for c in self.choices]}


@dataclass(frozen=True)
class Drag:
    """Dragging on the plot sets these two parameters to the pointer's data coordinates."""

    x: str
    y: str


@dataclass(frozen=True)
class Schema:
    params: tuple[Param, ...]
    drag: Drag | None = None
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(p.name for p in self.params))
        if self.drag and not {self.drag.x, self.drag.y} <= set(self.names):
            raise ValueError(f"drag names parameters that the schema lacks: {self.drag}")

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def resolve(self, overrides: Mapping[str, Any]) -> dict:
        """The defaults updated with ``overrides``, every value checked."""
        unknown = [k for k in overrides if k not in self.names]
        if unknown:
            raise self._unknown(unknown[0])
        params = self.defaults()
        for p in self.params:
            if p.name in overrides:
                params[p.name] = p.check(overrides[p.name])
        return params

    def resolve_lenient(self, raw: Mapping[str, Any], base: dict | None = None) -> tuple[dict, list[str]]:
        """``base`` (resolved parameters, the defaults if None) updated with the values of
        ``raw`` that pass their checks, and why each other one was ignored.

        ``raw`` is what a link says: strings, read as their parameter's type. A link is
        the reader's, not the author's, so a bad value costs only itself, with the same
        message ``resolve`` would raise.
        """
        params = dict(self.defaults() if base is None else base)
        by_name = {p.name: p for p in self.params}
        ignored = []
        for name, value in raw.items():
            if name not in by_name:
                ignored.append(str(self._unknown(name)))
                continue
            param = by_name[name]
            try:
                params[name] = param.check(param.parse(value) if isinstance(value, str) else value)
            except ValueError as e:
                ignored.append(str(e))
        return params, ignored

    def _unknown(self, name: str) -> ValueError:
        return ValueError(f"unknown parameter {name!r}; known parameters: {', '.join(self.names)}")

    def to_json(self) -> dict:
        drag = {"x": self.drag.x, "y": self.drag.y} if self.drag else None
        return {"params": [p.to_json() for p in self.params], "drag": drag}


def always(params: dict) -> bool:
    return True


# A very large number of frames: stepping by it runs an animation to its end.
TO_THE_END = 1 << 40


@dataclass(frozen=True)
class Animation:
    """A steppable figure: ``start(params) -> state``, ``step(state, n, params) -> state``
    (n frames on), ``frame(state, params) -> figure dict``. The worker keeps the
    parameters beside the state (:func:`jacobiator.figures.handle`), so a state holds
    only what the run computed. ``active(params)`` says when it runs (always, by
    default), and ``update(state, old, new) -> state`` carries a running state over to
    new parameters (a dragged target, a new speed), so the animation goes on instead
    of restarting.

    ``done(state, params)`` ends a finite run (a training budget spent); the static
    figure of such an animation is its last frame (:meth:`last_frame`), so the live run
    ends on it by construction. ``training`` gives the widget Pause/Resume and
    Train-again buttons. ``canvas_frames`` says that frames change only canvas-drawn
    traces (particle trails), so the page skips Plotly for them. One ``step(state, 1,
    params)`` is one frame: keep it to tens of milliseconds in the browser (several
    times CPython's time)."""

    start: Callable[[dict], Any]
    step: Callable[[Any, int, dict], Any]
    frame: Callable[[Any, dict], dict]
    active: Callable[[dict], bool] = always
    update: Callable[[Any, dict, dict], Any] | None = None
    done: Callable[[Any, dict], bool] | None = None
    training: bool = False
    canvas_frames: bool = False

    def last_frame(self, params: dict) -> dict:
        """The frame after the whole run: the static figure of a finite animation."""
        state = self.start(params)
        while not self.done(state, params):
            state = self.step(state, TO_THE_END, params)
        return self.frame(state, params)


def restart_unless_only(kept: tuple[str, ...], start: Callable[[dict], Any]) -> Callable[[Any, dict, dict], Any]:
    """An :attr:`Animation.update`: a change of the parameters ``kept`` only (a speed, a view)
    carries the run over; any other change, or the same parameters asked again (Train,
    Restart), starts it again."""

    def update(state, old: dict, new: dict):
        if new == old or any(new[k] != old[k] for k in new if k not in kept):
            return start(new)
        return state

    return update


# The most controls a figure shows before its "More controls" disclosure: with the
# plot, they fit one phone screen.
MOST_PRIMARY = 5


@dataclass(frozen=True)
class Figure:
    """A registered figure: its parameters and a pure function drawing it (for a figure
    that trains, the last frame of its animation unless ``draw`` says otherwise).

    ``primary`` names the parameters whose controls the page shows first, the ones the
    text asks the reader to try; the others wait behind a "More controls" disclosure.
    None: every parameter is primary (a figure with at most ``MOST_PRIMARY`` of them)."""

    key: str
    title: str
    schema: Schema
    draw: Callable[[dict], dict] | None = None  # default: the animation's last frame
    animation: Animation | None = None
    primary: tuple[str, ...] | None = None

    def __post_init__(self):
        primary = self.schema.names if self.primary is None else self.primary
        unknown = [name for name in primary if name not in self.schema.names]
        if unknown:
            raise ValueError(f"figure {self.key!r}: primary names unknown parameter {unknown[0]!r}; "
                             f"known parameters: {', '.join(self.schema.names)}")
        if len(primary) > MOST_PRIMARY:
            raise ValueError(f"figure {self.key!r} has {len(primary)} primary parameters; name at most "
                             f"{MOST_PRIMARY} (primary=...) and the rest go behind 'More controls'")
        if self.draw is None:
            if self.animation is None or self.animation.done is None:
                raise ValueError(f"figure {self.key!r} needs a draw function or a finite animation")
            object.__setattr__(self, "draw", self.animation.last_frame)

    def __call__(self, /, **overrides: Any) -> dict:
        return self.draw(self.schema.resolve(overrides))
