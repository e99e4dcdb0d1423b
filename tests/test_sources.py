"""The repository stands alone: every citation points at a document inside it.

Scans every tracked text file (``git ls-files``) for references to documents that are not in
the repository (files beside it, private notes, pages under ``docs/`` that do not exist) and
for source anchors ``[Sn]`` that ``docs/sources.md`` does not define.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"

# Built from parts so that this file does not match its own patterns.
_OUTSIDE = [
    r"\.\./" + "shared",
    "DOMAIN" + r"\.md",
    "MESA" + "-NOTES",
    "STYLE" + r"\.md",
]
OUTSIDE = re.compile("|".join(_OUTSIDE))
DOC_REF = re.compile(r"\bdocs/([A-Za-z0-9_.-]+\.md)")
ANCHOR_USE = re.compile(r"\[S(\d+)\]")
ANCHOR_DEF = re.compile(r'<a id="S(\d+)"></a>\*\*\[S\1\]')
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini", ".json", ""}


def tracked_text_files() -> list[Path]:
    """Tracked files that are text (by suffix), read from git; the worktree version."""
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = [ROOT / f for f in out if Path(f).suffix in TEXT_SUFFIXES or f == "Makefile"]
    return [f for f in files if f.is_file()]


def scan(files: list[Path], defined: set[int], root: Path = ROOT) -> list[str]:
    """Every bad citation as ``file:line: reason`` (``docs/`` pages are looked up in ROOT)."""
    bad = []
    for f in files:
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        rel = f.relative_to(root)
        for i, line in enumerate(lines, 1):
            if m := OUTSIDE.search(line):
                bad.append(f"{rel}:{i}: cites {m.group(0)!r}, which is not in the repository")
            for name in DOC_REF.findall(line):
                if not (ROOT / "docs" / name).exists():
                    bad.append(f"{rel}:{i}: cites docs/{name}, which does not exist")
            for n in ANCHOR_USE.findall(line):
                if int(n) not in defined:
                    bad.append(f"{rel}:{i}: cites [S{n}], not defined in docs/sources.md")
    return bad


def defined_anchors(text: str) -> set[int]:
    """Anchors that docs/sources.md defines (an id and a bold label with the same number)."""
    return {int(n) for n in ANCHOR_DEF.findall(text)}


def test_sources_page_defines_unique_anchors():
    text = SOURCES.read_text(encoding="utf-8")
    ids = re.findall(r'<a id="S(\d+)"></a>', text)
    assert len(ids) == len(set(ids)), "an anchor is defined twice"
    assert defined_anchors(text) == {int(n) for n in ids}, "id and label numbers differ"
    assert len(ids) >= 30


def test_every_tracked_file_cites_only_documents_in_the_repository():
    files = tracked_text_files()
    files += [SOURCES, Path(__file__)]  # new files count even before they are tracked
    assert len(files) > 50  # the scan really reads the repository
    bad = scan(sorted(set(files)), defined_anchors(SOURCES.read_text(encoding="utf-8")))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("# Source: ../" + "shared/DOMAIN" + ".md §3", "not in the repository"),
        ("see MESA" + "-NOTES", "not in the repository"),
        ("details in docs/" + "nowhere.md", "does not exist"),
        ("Nanao 80:20 [S" + "999]", "not defined"),
    ],
)
def test_scan_catches_each_kind_of_bad_citation(tmp_path, line, reason):
    probe = tmp_path / "probe.md"
    probe.write_text(f"fine line [S1] docs/sources.md\n{line}\n", encoding="utf-8")
    defined = defined_anchors(SOURCES.read_text(encoding="utf-8"))
    bad = scan([probe], defined, root=tmp_path)
    assert len(bad) == 1 and reason in bad[0] and ":2:" in bad[0]
