"""No command destroys what it did not write: every output path a command is given is checked
before any work, and refused with a message naming the path (exit code 2) unless it is new,
empty or planner's own; the user's files are byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.reports.manifest import is_plan_manifest, read_manifest
from tests.test_cli import write_case

RUN = ["--no-map", "--no-report", "--solver", "highs"]


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (links as their target text), by relative path."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            hashes[key] = "link:" + os.readlink(path)
        elif path.is_file():
            hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            hashes[key] = "folder"
    return hashes


@pytest.fixture
def case(tmp_path, monkeypatch):
    """The small own-data scenario in ``tmp_path/data``, a user's files around it, the current
    folder ``tmp_path/work`` (holding a file of the user's)."""
    data = tmp_path / "data"
    data.mkdir()
    scenario = write_case(data)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "board paper.docx").write_bytes(b"PK\x03\x04 a user's document")
    (tmp_path / "notes.txt").write_text("my notes\n")
    (tmp_path / "link").symlink_to(docs)
    work = tmp_path / "work"
    work.mkdir()
    (work / "todo.txt").write_text("todo\n")
    monkeypatch.chdir(work)
    return tmp_path, scenario


def refused(capsys, argv: list[str], *names: str) -> str:
    """Run ``argv``; assert exit code 2, one ``error:`` line naming ``names``, no work done."""
    capsys.readouterr()  # what earlier commands of the test printed
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for name in names:
        assert name in lines[0], (name, lines[0])
    assert "inputs:" not in err and "solving" not in err  # refused before loading or solving
    return lines[0]


@pytest.mark.parametrize(
    ("out", "why"),
    [
        ("docs", "not a plan folder written by planner"),
        ("data", "which this run reads"),
        ("notes.txt", "is a file, not a folder"),
        ("link", "symbolic link"),
        (".", "current folder"),
        ("..", "current folder"),
        ("", "no path given"),
    ],
)
def test_run_refuses_an_out_it_would_destroy(case, capsys, out, why):
    root, scenario = case
    before = tree_hashes(root)
    target = str(root / out) if out not in (".", "..", "") else out
    line = refused(capsys, ["run", scenario, "--out", target, *RUN], why, "--out")
    assert (target or "''") in line
    assert tree_hashes(root) == before


def test_run_refuses_the_current_folder_by_its_full_name(case, capsys):
    root, scenario = case
    before = tree_hashes(root)
    refused(capsys, ["run", scenario, "--out", str(root / "work"), *RUN], "current folder")
    refused(capsys, ["run", scenario, "--out", str(root), *RUN], "current folder")
    assert tree_hashes(root) == before


def test_run_replaces_its_own_plan_but_not_a_file_put_in_it(case, capsys):
    root, scenario = case
    out = root / "plan"
    assert main(["run", scenario, "--out", str(out), *RUN]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert is_plan_manifest(manifest) and manifest["written_by"] == "planner run"
    assert manifest["files"] == sorted(p.name for p in out.iterdir())
    # its own plan is replaced whole
    (out / "summary.json").write_text('{"stale": true}')
    assert main(["run", scenario, "--out", str(out), *RUN]) == 0
    assert "stale" not in (out / "summary.json").read_text()
    # a file the user put into it is not lost: the run is refused, naming it
    (out / "my comments.txt").write_text("keep me")
    before = tree_hashes(root)
    refused(capsys, ["run", scenario, "--out", str(out), *RUN], str(out), "my comments.txt")
    assert tree_hashes(root) == before
    assert sorted(p.name for p in root.iterdir()) == [
        "data",
        "docs",
        "link",
        "notes.txt",
        "plan",
        "work",
    ]


def test_a_manifest_from_before_the_marker_still_marks_a_plan(case, capsys):
    root, scenario = case
    out = root / "plan"
    assert main(["run", scenario, "--out", str(out), *RUN]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("written_by", "folder_format", "files"):
        manifest.pop(key)  # what the manifest held before this change
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert read_manifest(out) is not None
    assert main(["run", scenario, "--out", str(out), *RUN]) == 0
    # a manifest.json of someone else's is no marker
    other = root / "other"
    other.mkdir()
    (other / "manifest.json").write_text('{"name": "my web app", "packages": {"planner": 1}}')
    refused(capsys, ["run", scenario, "--out", str(other), *RUN], "no planner manifest.json")
    assert (other / "manifest.json").read_text().startswith('{"name"')


def test_an_empty_folder_is_written_and_nothing_is_left_beside_it(case):
    root, scenario = case
    out = root / "empty"
    out.mkdir()
    assert main(["run", scenario, "--out", str(out), *RUN]) == 0
    assert read_manifest(out) is not None
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_map_paths_are_checked_before_work(case, capsys):
    root, scenario = case
    before = tree_hashes(root)
    args = ["run", scenario, "--out", str(root / "plan"), *RUN]
    refused(capsys, [*args, "--map", str(root / "docs")], "is a folder", "--map")
    refused(capsys, [*args, "--map", str(root / "notes.txt")], "did not write", "notes.txt")
    refused(capsys, [*args, "--map", "/proc/planner/map.html"], "cannot be written", "--map")
    assert not (root / "plan").exists() and tree_hashes(root) == before
    # a map of planner's may be drawn again at the same path
    assert main([*args, "--map", str(root / "m.html")]) == 0
    assert main([*args, "--map", str(root / "m.html")]) == 0
    assert '<meta name="generator" content="planner">' in (root / "m.html").read_text()


def test_map_report_and_compare_refuse_what_they_would_destroy(case, capsys):
    root, scenario = case
    plan = root / "plan"
    assert main(["run", scenario, "--out", str(plan), *RUN]) == 0
    (root / "docs" / "report.md").write_text("my own report")
    (root / "docs" / "comparison.md").write_text("my own comparison")
    before = tree_hashes(root)
    refused(capsys, ["map", str(plan), "--out", str(root / "docs")], "is a folder")
    refused(capsys, ["map", str(plan), "--out", str(root / "notes.txt")], "did not write")
    refused(capsys, ["map", str(plan), "--out", str(root / "link")], "symbolic link")
    refused(capsys, ["report", str(plan), "--out", str(root / "docs")], "report.md")
    refused(capsys, ["report", str(plan), "--out", str(root / "notes.txt")], "is a file")
    compare = ["compare", str(plan), str(plan), "--out"]
    refused(capsys, [*compare, str(root / "docs")], "comparison.md", "would overwrite")
    refused(capsys, [*compare, "/proc/planner"], "cannot be written")
    assert tree_hashes(root) == before
    # into the plan's own folder (the defaults) they write, and again
    for _ in range(2):
        assert main(["map", str(plan)]) == 0
        assert main(["report", str(plan)]) == 0
        assert main([*compare, str(plan)]) == 0
    capsys.readouterr()
    assert {"map.html", "report.md", "comparison.md"} <= {p.name for p in plan.iterdir()}
    # and the next run still replaces the folder: all of it is planner's
    assert main(["run", scenario, "--out", str(plan), *RUN]) == 0


def _unshare_ro(tmp_path: Path) -> bool:
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o ro tmpfs {tmp_path}"],
        capture_output=True,
    )
    return probe.returncode == 0


def test_a_read_only_file_system_is_refused_before_solving(case):
    root, scenario = case
    ro = root / "ro"
    ro.mkdir()
    if shutil.which("unshare") is None or not _unshare_ro(ro):
        pytest.skip("no private mount namespace here for a read-only file system")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    command = (
        f"mount -t tmpfs -o ro tmpfs {ro} && "
        f"{sys.executable} -m planner.cli run {scenario} --out {ro}/plan {' '.join(RUN)}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, env=env
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"error: {ro}/plan, field '--out': cannot be written: Read-only file system ({ro})"
    )
    assert "Traceback" not in done.stderr
