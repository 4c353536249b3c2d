"""Atomic writes: readers see the old content or the new, never a part.

A temporary file in the same directory is written, flushed and fsynced, then renamed over
the target with ``os.replace``, and the directory is fsynced so the rename survives a crash.
The temporary file is created like any other (mode 0666 less the umask), not private as
``tempfile.mkstemp`` would make it: other containers on the shared mount must read it.

A write that fails (a full disk, a read-only mount) leaves the target as it was and no temporary
file behind, and raises the `OSError` naming the target, not the temporary file.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
from contextlib import suppress
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``durable=False`` skips the fsyncs: still atomic for readers, but not guaranteed to survive
    a power loss (for files that do not outlive the process, like lock owner records).
    """
    path = Path(path)
    staging = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(data)
                temp.flush()
                if durable:
                    os.fsync(temp.fileno())
            staging.replace(path)
        except BaseException:
            with suppress(OSError):  # a mount turned read-only meanwhile refuses the unlink too: keep the first error
                staging.unlink()
            raise
    except OSError as exc:
        if exc.errno is None:
            raise
        # A failed write names no file and a failed open the temporary one: name the target.
        raise OSError(exc.errno, exc.strerror, str(path)) from exc  # OSError picks PermissionError etc. by errno
    if durable:
        _fsync_directory(path.parent)


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), durable=durable)


def atomic_write_json(path: Path, obj: object, *, durable: bool = True) -> None:
    """Replace ``path`` with ``obj`` as indented JSON (UTF-8, trailing newline) atomically."""
    text = json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    atomic_write_text(path, text, durable=durable)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some network file systems cannot fsync a directory; the rename itself has happened.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
