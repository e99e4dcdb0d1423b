"""The calibration command lines refuse bad input in one line, before anything runs.

Bad input (an option, the output file, the --keep folder) exits with status 2 and one line on
stderr naming what to change, before any replicate or trial runs; nothing is written, and the
project's own calibration files are never replaced without --force.
"""

from __future__ import annotations

import hashlib
import importlib

import pytest

from sim import calibrate, calibrate_search
from sim.config import ROOT

FAST = ["county=small", "horizon.months=12"]
TINY = ["--trials", "2", "--reps", "1", "--batch", "2", "--startup", "2", "--min-accepted", "1"]
CALIBRATION = ROOT / "calibration"


def digests() -> dict[str, str]:
    """The project's calibration files, by content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in CALIBRATION.iterdir()}


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a search or a calibration run starts."""

    def refuse(*args, **kwargs):
        raise AssertionError("the run started; bad input must be refused before it")

    monkeypatch.setattr(calibrate_search, "search", refuse)
    monkeypatch.setattr(calibrate, "run_calibration", refuse)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--jobs", "0"], "--jobs 0"),
        (["--seed", "-3"], "--seed -3"),
        (["--trials", "0"], "--trials 0"),
        (["--reps", "0"], "--reps 0"),
        (["--batch", "0"], "--batch 0"),
        (["--startup", "-1"], "--startup -1"),
        (["--min-accepted", "0"], "--min-accepted 0"),
        (["--min-accepted", "-2"], "--min-accepted -2"),
        (["--min-accepted", "3"], "--min-accepted 3"),  # more than --trials 2: cannot succeed
        (["--tolerance", "nan"], "--tolerance"),
        (["--out", "/proc/x.json"], "--out /proc/x.json"),
        (["--out", "TMP/README.md/x.json"], "is a file"),
        (["--out", "TMP", "--force"], "is a folder"),
        (["--out", "TMP/sub/", "--force"], "is a folder"),
        (["--out", str(CALIBRATION / "ensemble")], ".json"),
        (["--out", str(CALIBRATION / "ensemble.json")], "--force"),
        (["--out", "TMP/e.json", "run.seed=-3"], "run.seed=-3"),
    ],
)
def test_search_refuses_bad_input_before_running(argv, says, tmp_path, capsys, no_run):
    (tmp_path / "README.md").write_text("a file\n")
    (tmp_path / "sub").mkdir()
    before = digests()
    argv = [a.replace("TMP", str(tmp_path)) for a in argv]
    assert calibrate_search.main([*TINY, *argv, *FAST]) == 2
    err = one_line(capsys)
    assert err.startswith("error: ") and says in err, err
    assert digests() == before, "the project's calibration files are untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "sub"], "nothing written"


def test_search_refuses_an_existing_trials_file_without_force(tmp_path, capsys, no_run):
    (tmp_path / "ens.trials.csv").write_text("mine\n")
    assert calibrate_search.main([*TINY, "--out", str(tmp_path / "ens.json"), *FAST]) == 2
    err = one_line(capsys)
    assert "--out" in err and "ens.trials.csv" in err and "--force" in err
    assert (tmp_path / "ens.trials.csv").read_text() == "mine\n"
    assert not (tmp_path / "ens.json").exists()


def test_a_failed_search_writes_nothing_even_with_force(tmp_path, capsys):
    out = tmp_path / "ens.json"
    out.write_text("old ensemble\n")
    (tmp_path / "ens.trials.csv").write_text("old trials\n")
    argv = [*TINY, "--min-accepted", "2", "--tolerance", "0", "--force", "--out", str(out)]
    assert calibrate_search.main([*argv, *FAST]) == 1, "at tolerance 0 no set is accepted"
    err = one_line(capsys)
    assert "nothing written" in err
    assert out.read_text() == "old ensemble\n"
    assert (tmp_path / "ens.trials.csv").read_text() == "old trials\n", "the pair still matches"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens.json", "ens.trials.csv"]


def test_force_replaces_the_pair_together_or_not_at_all(tmp_path, monkeypatch, capsys):
    from sim.ensemble import Ensemble, load

    out = tmp_path / "ens.json"
    out.write_text("old ensemble\n")
    (tmp_path / "ens.trials.csv").write_text("old trials\n")
    argv = [*TINY, "--tolerance", "1e9", "--force", "--out", str(out), *FAST]

    def broken_save(self, path):
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(Ensemble, "save", broken_save)
        with pytest.raises(OSError, match="disk full"):
            calibrate_search.main(argv)
    assert out.read_text() == "old ensemble\n"
    assert (tmp_path / "ens.trials.csv").read_text() == "old trials\n", "not half of a pair"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens.json", "ens.trials.csv"]

    assert calibrate_search.main(argv) == 0
    assert len(load(out)) == 2
    assert (tmp_path / "ens.trials.csv").read_text().startswith("trial,accepted,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens.json", "ens.trials.csv"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--out", "TMP"], "--out"),
        (["--out", "TMP/"], "--out"),
        (["--out", "/proc/c.md"], "--out /proc/c.md"),
        (["--out", "TMP/README.md/c.md"], "is a file"),
        (["--n", "0"], "--n 0"),
        (["--jobs", "0"], "--jobs 0"),
        (["--seed", "-3"], "--seed -3"),
    ],
)
def test_calibrate_refuses_a_bad_page_before_any_replicate(argv, says, tmp_path, capsys, no_run):
    (tmp_path / "README.md").write_text("a file\n")
    argv = [a.replace("TMP", str(tmp_path)) for a in argv]
    if "--n" not in argv[0]:
        argv = ["--n", "1", *argv]
    try:
        code = calibrate.main([*argv, *FAST])
    except SystemExit as exc:  # refused by the argument parser
        code = exc.code
    assert code == 2
    err = one_line(capsys)
    assert says in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"], "nothing written"


def test_calibrate_errors_about_the_keep_folder_name_keep(tmp_path, capsys):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine\n")
    page = tmp_path / "page.md"
    assert calibrate.main(["--n", "1", "--keep", str(notes), "--out", str(page), *FAST]) == 2
    err = one_line(capsys)
    assert "--keep" in err and "--out" not in err, err
    assert [p.name for p in notes.iterdir()] == ["notes.txt"] and not page.exists()

    keep = tmp_path / "keep"
    short = ["--n", "1", "--keep", str(keep), "--out", str(page), "county=small"]
    assert calibrate.main([*short, "horizon.months=2"]) == 0
    capsys.readouterr()
    assert calibrate.main([*short, "horizon.months=3"]) == 2
    err = one_line(capsys)
    assert "--keep" in err and "--out" not in err and "horizon.months" in err, err


COMMANDS = ["sim.calibrate", "sim.calibrate_search", "sim.regression", "analysis.briefing"]


@pytest.mark.parametrize("module", COMMANDS)
@pytest.mark.parametrize("argv", [["--n", "x"], ["--seed"], ["--lang", "fr"], ["--bogus"]])
def test_argument_errors_are_one_line(module, argv, capsys):
    main = importlib.import_module(module).main
    with pytest.raises(SystemExit) as exc:
        main([*argv, "somewhere"] if module == "analysis.briefing" else argv)
    assert exc.value.code == 2
    err = one_line(capsys)
    assert err.startswith("error: ") and f"python -m {module} --help" in err, err


@pytest.mark.parametrize("module", COMMANDS)
def test_help_is_still_the_full_help(module, capsys):
    with pytest.raises(SystemExit) as exc:
        importlib.import_module(module).main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: ") and len(out.splitlines()) > 3
