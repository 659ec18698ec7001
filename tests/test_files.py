"""Atomic output files and folders get the permissions a plain ``open`` would give them."""

from __future__ import annotations

import os
import stat

import pytest

from planner.files import staged_folder, write_text


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_file_is_readable_by_others(tmp_path, umask_022):
    path = write_text(tmp_path / "map.html", "<html></html>")
    assert path.read_text() == "<html></html>"
    # a plain open() under umask 022 gives 0o644; tempfile alone would leave 0o600
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert mode(path) == mode(plain) == 0o644


def test_staged_folder_is_readable_by_others(tmp_path, umask_022):
    with staged_folder(tmp_path / "run") as staging:
        write_text(staging / "summary.json", "{}")
    assert mode(tmp_path / "run") == 0o755
    assert mode(tmp_path / "run" / "summary.json") == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
