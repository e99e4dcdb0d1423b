"""Write a briefing pack: charts (PNG + SVG), workbook, CSVs and the summary page.

The pack is assembled in a temporary folder beside the target and renamed at the end, so
a failure leaves no half-written pack. An existing folder is replaced only if it is a
pack (it holds ``pack.json``) and every file in it is as the pack wrote it: ``pack.json``
records a digest of each file, so a page, sheet or chart edited since (or a file added to
the pack's folders) is named and the pack left alone.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from datetime import datetime
from pathlib import Path

from analysis import page, places, style
from analysis.contents import Chart, Contents, run_contents
from analysis.contents_exp import experiment_contents
from analysis.labels import Lang, label
from analysis.source import Experiment, Run, SourceError, open_source
from analysis.workbook import write_csvs, write_workbook
from sim.results import atomic_folder

MARKER = "pack.json"
#: Everything a pack folder holds; a pack is replaced only if it holds nothing else.
PACK_FILES = frozenset({"charts", "csv", page.WORKBOOK, "briefing.md", "briefing.html", MARKER})


def contents_of(source: Run | Experiment, lang: Lang) -> Contents:
    """Charts, tables and sentences for a run or an experiment."""
    if isinstance(source, Experiment):
        return experiment_contents(source, lang)
    return run_contents(source, lang)


def save_chart(chart: Chart, folder: Path) -> list[Path]:
    """PNG at print resolution and SVG; a glyph missing from the fonts is an error."""
    style.footer(chart.figure, chart.source)
    paths = [folder / f"{chart.name}.png", folder / f"{chart.name}.svg"]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing", category=UserWarning)
        chart.figure.savefig(paths[0], dpi=style.DPI)
        chart.figure.savefig(paths[1])
    return paths


def _footer(source: Run | Experiment, lang: Lang) -> str:
    run = source.representative() if isinstance(source, Experiment) else source
    return label("footer", lang).format(
        version=run.meta.get("version", label("unknown", lang)),
        git=run.meta.get("git_revision", label("unknown", lang)),
        created=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def _refuse_foreign(out: Path) -> None:
    if out.exists() and not (out / MARKER).is_file():
        raise SourceError(f"{out}: exists and is not a briefing pack (no {MARKER}); choose --out")


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` but the marker, by path relative to it."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() != MARKER
    }


def _refuse_edited(out: Path) -> None:
    """Refuse to replace a pack in which a file differs from what the pack wrote.

    A pack written before digests were recorded (no ``files`` in its marker) is replaced as
    before; so is one whose files were only deleted (nothing the user wrote is lost).
    """
    if not (out / MARKER).is_file():
        return
    try:
        recorded = json.loads((out / MARKER).read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if not isinstance(recorded, dict):
        return
    changed = [name for name, digest in digests(out).items() if recorded.get(name) != digest]
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise SourceError(
            f"{out / changed[0]}{more}: changed since the pack was written; move it out of "
            f"{out}, or write the new pack elsewhere with --out DIR"
        )


def _write(contents: Contents, source: Run | Experiment, lang: Lang, folder: Path) -> None:
    charts = folder / "charts"
    charts.mkdir()
    for chart in contents.charts:
        save_chart(chart, charts)
    write_workbook(contents.sheets, folder / page.WORKBOOK, lang)
    write_csvs(contents.sheets, folder / "csv", lang)
    footer = _footer(source, lang)
    (folder / "briefing.md").write_text(page.markdown(contents, lang, footer), encoding="utf-8")
    (folder / "briefing.html").write_text(page.html_page(contents, lang, footer), encoding="utf-8")
    meta = {
        "source": str(source.path),
        "lang": lang,
        "charts": [c.name for c in contents.charts],
        "sheets": [s.name for s in contents.sheets],
        "files": digests(folder),  # a later pack replaces this one only if none has changed
    }
    (folder / MARKER).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")


def write_pack(path: str | Path, lang: Lang = "zh", out: str | Path | None = None) -> Path:
    """Brief the run or experiment folder ``path`` into ``out`` (default ``path/briefing``)."""
    if lang not in ("zh", "en"):
        raise SourceError(f"{lang}: unknown language; use zh or en")
    source = open_source(path)
    out = Path(out) if out is not None else Path(path) / "briefing"
    _refuse_foreign(out)
    _refuse_edited(out)
    run = source.representative() if isinstance(source, Experiment) else source
    names = run.places
    with places.using(names):  # township, village and bank names of a county from files
        contents = contents_of(source, lang)
        with atomic_folder(out, known=PACK_FILES) as tmp:
            _write(contents, source, lang, tmp)
            _refuse_edited(out)  # again: a file may have been edited while this pack was built
    return out
