"""Writing output files and folders so that a crash never leaves a half-written one.

A plan folder is shared with colleagues and read by other tools: a reader must see either the
previous complete run or the new complete one. Files are written beside their destination and
moved into place with :func:`os.replace` (atomic on one file system); a whole run folder is
written into a staging folder beside it and swapped in when everything is written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _usual_mode(base: int) -> int:
    """``base`` (0o666 files, 0o777 folders) less the process umask: what ``open`` would give.

    ``tempfile`` creates private (0o600 / 0o700) files and folders; moved into place unchanged
    they would keep colleagues and web servers from reading a shared map or plan.
    """
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def write_file(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` for a temporary path beside ``path``, then move it into place.

    Parameters
    ----------
    path
        Destination; its folder is created if needed.
    write
        Writes the complete file to the path it is given (e.g. ``frame.to_csv``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    os.chmod(tmp, _usual_mode(0o666))
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@contextlib.contextmanager
def staged_folder(folder: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``folder`` as a whole.

    Readers see the old complete folder, then (for the instant between two renames) none, then
    the new complete one. If the block raises, ``folder`` is left exactly as it was and the
    staging folder is removed. Files of an earlier run that the new run does not write (a
    report drawn from the old plan, say) go with the old folder, so nothing stale sits beside
    the new plan.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    os.chmod(staging, _usual_mode(0o777))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        old.rmdir()
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, folder)
