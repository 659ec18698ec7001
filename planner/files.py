"""Writing output files and folders so that a crash never leaves a half-written one, and no
command replaces a file or folder it did not write.

A plan folder is shared with colleagues and read by other tools: a reader must see either the
previous complete run or the new complete one. Files are written beside their destination and
moved into place with :func:`os.replace` (atomic on one file system); a whole run folder is
written into a staging folder beside it and swapped in when everything is written.

Before any of that, an output path is checked (:func:`check_output_folder`,
:func:`check_output_file`): not empty, not the current folder or a parent of it, not a symbolic
link, not a file where a folder is wanted (or the reverse), not holding what the run reads, and
on a file system that can be written. A folder is written by one process at a time: a lock file
beside it (``.NAME.lock``, removed afterwards) makes a second writer fail at once with a clear
error instead of both swapping folders under each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from planner.errors import InputError

#: Says why an existing folder may not be replaced, or ``None`` when it may.
Refusal = Callable[[Path], "str | None"]

# renameat2(2) flags: swap two paths atomically (Linux 3.15+, most local file systems).
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2

#: Folders this process holds the lock of, with how many claims are open on each.
_held: dict[Path, list[int]] = {}


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


# -- checking an output path before any work ---------------------------------------------------
def _absolute(path: str | os.PathLike, field: str) -> Path:
    """``path`` made absolute with its folder's symbolic links resolved (not its own name's),
    refusing an empty path, ``.``, ``..`` and the current folder or any parent of it."""
    text = os.fspath(path)
    if not text.strip():
        raise InputError("no path given (an empty string)", source=repr(text), field=field)
    if Path(text).name in ("", ".."):
        raise InputError(
            "is the current folder or a parent of it, which planner will not replace; "
            "name a new folder",
            source=text,
            field=field,
        )
    absolute = Path(os.path.abspath(text))
    absolute = absolute.parent.resolve() / absolute.name
    cwd = Path.cwd().resolve()
    if absolute == cwd or absolute in cwd.parents:
        raise InputError(
            "is the current folder or a parent of it, which planner will not replace; "
            "name a new folder",
            source=text,
            field=field,
        )
    return absolute


def _refuse_link(path: Path, shown: str, field: str) -> None:
    if path.is_symlink():
        raise InputError(
            f"is a symbolic link (to {os.readlink(path)}); planner replaces what it writes as a "
            "whole and would replace the link itself, so give the path it points to",
            source=shown,
            field=field,
        )


def _check_writable(path: Path, shown: str, field: str) -> None:
    """Create and remove a probe beside ``path`` (in its nearest existing folder): the only
    test that catches a read-only file system, permissions and a missing or foreign owner."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"cannot be written: {folder} is a file", source=shown, field=field)
    try:
        Path(tempfile.mkdtemp(prefix=f".{path.name}.probe-", dir=folder)).rmdir()
    except OSError as exc:
        raise InputError(
            f"cannot be written: {exc.strerror} ({folder})", source=shown, field=field
        ) from None


def only_new_or_empty(folder: Path) -> str | None:
    """The default :data:`Refusal`: only a new or an empty folder may be written."""
    names = sorted(p.name for p in folder.iterdir())
    return f"is not empty (it holds {some(names)}) and planner did not write it" if names else None


def some(names: list[str], most: int = 5) -> str:
    """``a, b, c and 4 more``: the first ``most`` of ``names``, for a message."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_output_folder(
    folder: str | os.PathLike,
    *,
    refusal: Refusal = only_new_or_empty,
    protect: Iterable[str | os.PathLike] = (),
    field: str = "--out",
) -> Path:
    """Check that ``folder`` may be written as a whole (and replaced if it exists); return it
    as an absolute path.

    Parameters
    ----------
    folder
        The output folder as the user gave it.
    refusal
        Says why an existing folder may not be replaced (``None``: it may); by default only
        an empty one may.
    protect
        Files the run reads (the scenario, its data): the folder may not be or hold any of them.
    field
        The option or argument named in the error (``--out``).

    Raises
    ------
    InputError
        Naming the path and why it is refused.
    """
    shown = os.fspath(folder)
    path = _absolute(folder, field)
    _refuse_link(path, shown, field)
    for item in protect:
        item = Path(item).resolve()
        if item == path or path in item.parents:
            raise InputError(
                f"holds {item}, which this run reads (the scenario or its data); planner "
                "replaces its output folder as a whole, so choose a folder outside it",
                source=shown,
                field=field,
            )
    if path.exists() and not path.is_dir():
        raise InputError(
            "is a file, not a folder; planner will not replace it: name a new folder",
            source=shown,
            field=field,
        )
    if path.is_dir():
        reason = refusal(path)
        if reason:
            raise InputError(reason, source=shown, field=field)
    _check_writable(path, shown, field)
    return path


def check_output_file(
    path: str | os.PathLike,
    *,
    may_replace: Callable[[Path], bool] | None = None,
    field: str = "--out",
) -> Path:
    """Check that a single output file (a map) may be written at ``path``; return it absolute.

    Refused: an empty path, a folder, a symbolic link, a path whose folder cannot be written,
    and an existing file unless ``may_replace(path)`` says planner wrote it.
    """
    shown = os.fspath(path)
    absolute = _absolute(path, field)
    _refuse_link(absolute, shown, field)
    if absolute.is_dir() or shown.endswith(("/", os.sep)):
        raise InputError(
            "is a folder; give the path of an HTML file, e.g. plan/map.html",
            source=shown,
            field=field,
        )
    if absolute.exists() and not (may_replace is not None and may_replace(absolute)):
        raise InputError(
            "is a file planner did not write; planner will not overwrite it: name a new file",
            source=shown,
            field=field,
        )
    _check_writable(absolute, shown, field)
    return absolute


def check_output_names(
    folder: str | os.PathLike,
    names: Iterable[str],
    *,
    may_replace: Callable[[Path], bool],
    field: str = "--out",
) -> Path:
    """Check that the files ``names`` may be written into ``folder`` (a report's); return it
    absolute.

    ``folder`` must be a folder or not exist yet, not a symbolic link, and writable; where it
    already holds one of ``names``, ``may_replace(folder)`` must say planner wrote the folder.
    """
    shown = os.fspath(folder)
    path = _absolute(folder, field) if os.fspath(folder) not in (".", "./") else Path.cwd()
    _refuse_link(path, shown, field)
    if path.exists() and not path.is_dir():
        raise InputError("is a file, not a folder: name a folder", source=shown, field=field)
    present = sorted(n for n in names if (path / n).exists() or (path / n).is_symlink())
    if present and not may_replace(path):
        raise InputError(
            f"holds {some(present)}, which planner would overwrite, and is not a plan folder "
            "written by planner; name a new or empty folder",
            source=shown,
            field=field,
        )
    _check_writable(path / ".planner-output", shown, field)
    return path


# -- one writer at a time -----------------------------------------------------------------------
def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, *, field: str = "--out") -> Iterator[Path]:
    """Hold the lock of ``folder`` (a ``flock`` on ``.NAME.lock`` beside it) for the block.

    A second process asking for the same folder gets an :class:`InputError` at once. Claims
    within one process nest (``planner run`` claims its folder before solving, and writing it
    claims it again). The lock file is removed on leaving; a run killed outright leaves it,
    unlocked, and the next run takes and removes it.
    """
    folder = Path(os.path.abspath(folder))
    folder = folder.parent.resolve() / folder.name
    if folder in _held:
        _held[folder][1] += 1
        try:
            yield folder
        finally:
            _held[folder][1] -= 1
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_path(folder)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, _usual_mode(0o666))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"another planner process is writing this folder (it holds {lock.name}); "
                "wait for it to finish or choose another folder",
                source=str(folder),
                field=field,
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # its holder removed the file between our open and our lock: again
    _held[folder] = [fd, 1]
    try:
        yield folder
    finally:
        del _held[folder]
        lock.unlink(missing_ok=True)  # while still locked, so no one locks a removed file
        os.close(fd)


def _clear_leftovers(folder: Path) -> None:
    """Remove staging folders of runs killed outright (under the folder's lock, so none is in
    use), and set-aside old folders once the folder itself is in place."""
    for item in folder.parent.glob(f".{folder.name}.staging-*"):
        shutil.rmtree(item, ignore_errors=True)
    if folder.exists():
        for item in folder.parent.glob(f".{folder.name}.old-*"):
            shutil.rmtree(item, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (``renameat2(RENAME_EXCHANGE)``); ``False`` where the
    system or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextlib.contextmanager
def staged_folder(
    folder: str | os.PathLike,
    *,
    refusal: Refusal = only_new_or_empty,
    protect: Iterable[str | os.PathLike] = (),
    field: str = "--out",
) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``folder`` as a whole.

    ``folder`` is checked first (:func:`check_output_folder` with ``refusal`` and ``protect``)
    and locked for the block (:func:`folder_lock`); it is checked again just before the swap.
    The swap is one atomic exchange where the file system allows it (readers see the old
    complete folder, then the new one), otherwise two renames (for an instant, none). If the
    block raises, ``folder`` is left exactly as it was and the staging folder is removed.
    Files of an earlier run that the new run does not write go with the old folder, so
    nothing stale sits beside the new plan.
    """
    protect = list(protect)
    path = check_output_folder(folder, refusal=refusal, protect=protect, field=field)
    with folder_lock(path, field=field):
        path = check_output_folder(folder, refusal=refusal, protect=protect, field=field)
        _clear_leftovers(path)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.staging-", dir=path.parent))
        os.chmod(staging, _usual_mode(0o777))
        try:
            yield staging
            check_output_folder(folder, refusal=refusal, protect=protect, field=field)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if path.exists() and _exchange(staging, path):
            shutil.rmtree(staging, ignore_errors=True)  # now the old folder
        elif path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            old.rmdir()
            os.replace(path, old)
            os.replace(staging, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, path)
