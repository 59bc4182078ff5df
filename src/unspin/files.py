"""Writing files safely: the one atomic write of unspin.

Data goes to a temporary file beside the target, is flushed to disk, and replaces the target in
one ``os.replace``: a reader sees the old file or the new one, never half of one, and a failed
write (a full disk, a kill) leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

__all__ = ["atomic_path", "write_atomic", "check_writable"]


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write; on success it replaces ``path``, on any error it is removed
    and an ``OSError`` becomes a one-line ``InputError`` naming ``path``. A target that is not
    a regular file (``/dev/null``, a pipe) is written in place, never replaced.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: its folder does not exist")
    if path.exists() and not path.is_file():  # /dev/null, a pipe: written in place, not replaced
        try:
            yield path
        except OSError as exc:
            raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)


def check_writable(path: str | os.PathLike) -> None:
    """Raise the ``InputError`` a later write to ``path`` would end in, before any work: its
    folder missing or read-only, or ``path`` itself a folder.

    >>> check_writable("/nonexistent/x.png")
    Traceback (most recent call last):
    ...
    unspin.errors.InputError: /nonexistent/x.png: its folder does not exist
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: its folder does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if path.exists() and not path.is_file():  # /dev/null, a pipe: written in place
        return
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write (its folder is not writable)")
