"""The explorer page, built with Mesa's ``SolaraViz``: ``make explore`` or ``solara run explorer.app``.

Chinese by default with an English switch in the top bar; a scenario picker; Mesa's
parameter panel with the main levers; play, step and reset; four live charts, a running
summary and a button that saves the run so far as a run folder for the briefing pack.

Environment: ``EXPLORER_COUNTY`` (``shangcai``, the default, or ``small``) picks the county
(anything else is refused when the page starts); ``EXPLORER_OUT`` the folder saved runs go to
(default ``outputs/explorer``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import mesa
import solara
from mesa.visualization import SolaraViz

from analysis.labels import Lang
from explorer import live, panels, webfont
from explorer.text import text
from sim.config import ConfigError, load_config, scenario_label
from sim.results import OutputError

COUNTY = panels.explorer_county(os.environ.get("EXPLORER_COUNTY"))
OUT = Path(os.environ["EXPLORER_OUT"]) if os.environ.get("EXPLORER_OUT") else None
SEED = int(load_config("baseline").run.seed)
LANG = solara.reactive("zh")  # per browser session (Solara keeps a value per kernel)
SAVED = solara.reactive("")  # where the last save went, per browser session
# the page's Chinese font (once per server process, about a second), and every slider's value
# shown on its thumb at all times (Vuetify hides it unless the slider is being dragged)
CSS = webfont.font_css() + (
    ".v-slider__thumb-label-container { display: block !important; }\n"
    ".v-input--is-label-active.v-input__slider, .v-input__slider { margin-top: 30px; }\n"
)


def make_model(scenario: str) -> panels.ExplorerModel:
    """A fresh model of ``scenario`` on the explorer's county with the project's seed."""
    return panels.ExplorerModel(scenario=scenario, county=COUNTY, seed=SEED)


def chart(kind: str) -> Callable:
    """A Mesa visualisation component showing live chart ``kind`` (:mod:`explorer.live`)."""

    def component(model: panels.ShangcaiModel):
        lang = LANG.value
        image = solara.use_memo(lambda: live.frame(model, kind, lang), [id(model), model.t, lang])
        return solara.Image(image, width="100%")

    component.__name__ = f"{kind}_chart"
    return component


def summary(model: panels.ShangcaiModel):
    """The running summary table and the save button."""
    lang = LANG.value

    def save() -> None:
        try:
            path = panels.save_run(model, OUT)
        except ConfigError:
            SAVED.set(text("save_first", lang))
            return
        except OutputError as exc:  # the folder cannot be written: say which and why
            SAVED.set(text("save_failed", lang).format(why=exc))
            return
        SAVED.set(text("saved", lang).format(path=path))

    with solara.Column(style={"padding": "8px"}) as column:
        solara.Markdown(f"**{text('panel_summary', lang)}**")
        solara.HTML(tag="div", unsafe_innerHTML=panels.summary_html(model, lang))
        solara.Button(text("save", lang), on_click=save, color="primary", outlined=True)
        if SAVED.value:
            solara.Text(SAVED.value, style={"font-size": "12px"})
    return column


COMPONENTS = [
    (chart("lending"), 0),
    (chart("npl"), 0),
    (chart("fund"), 0),
    (summary, 0),
    (chart("heatmap"), 0),
]


@solara.component
def ScenarioPicker(model: solara.Reactive, lang: Lang):
    """Scenario by its display name; picking one starts a fresh run with its settings."""
    names = panels.scenarios()
    shown = {scenario_label(s, lang): s for s in names}

    def pick(name: str) -> None:
        SAVED.set("")
        model.set(make_model(shown[name]))

    with solara.Card(text("scenario", lang)):
        solara.Select(
            text("scenario", lang),
            value=scenario_label(model.value.scenario_name, lang),
            values=list(shown),
            on_value=pick,
        )
        solara.Text(text("scenario_hint", lang), style={"font-size": "12px"})


def released_when_replaced(model: panels.ShangcaiModel) -> Callable[[], None]:
    """Effect cleanup: once ``model`` is replaced (reset, new scenario), Mesa may free it.

    Mesa 3.3 keeps every model alive through ``Agent._ids``; without this each RESET on the
    full county would keep about 150 MB until the server stops.
    """
    return lambda: getattr(mesa.Agent, "_ids", {}).pop(model, None)


@solara.component
def Page():
    """The whole page: language switch, scenario picker, then Mesa's SolaraViz."""
    lang = LANG.value
    initial = solara.use_memo(lambda: make_model("baseline"), [])
    model = solara.use_reactive(initial)
    solara.use_effect(lambda: released_when_replaced(model.value), [model.value])
    solara.Style(CSS)
    with solara.AppBar():
        solara.ToggleButtonsSingle(
            value=LANG,
            children=[
                solara.Button("中文", value="zh", text=True),
                solara.Button("EN", value="en", text=True),
            ],
        )
    with solara.Sidebar():
        ScenarioPicker(model, lang)
    # keyed by language and scenario: the parameter panel starts again from the model's values
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=panels.levers(model.value, lang),
        name=text("title", lang),
        play_interval=150,
    ).key(f"{lang}|{model.value.scenario_name}")
