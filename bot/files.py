"""The bot's own files: private to its user, and written whole or not at all.

The data directory holds what users asked and the key that hashes their ids, so only the
bot's user may enter it (0700) or read its files (0600), whatever the umask. A file the bot
writes is first written to a temporary file beside it (created 0600), synced, then renamed
into place, so a crash or a full disk never leaves a truncated file behind: a truncated hash
key would hash every id with a key anyone can guess.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_directory(path: Path) -> None:
    """Create `path` (0700) if needed; tighten it to 0700 if it is ours and open to others."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path, 0o700)


def private_file(path: Path) -> None:
    """Create `path` empty (0600) if it does not exist; tighten it to 0600 if it does."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    _tighten(path, 0o600)


def write_whole(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write `data` to `path` (0600) whole or not at all.

    With `replace=False` an existing file is never replaced (FileExistsError): two processes
    creating the same file at once keep the first one's.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _tighten(path: Path, mode: int) -> None:
    status = path.stat()
    if status.st_uid == os.getuid() and status.st_mode & 0o777 & ~mode:
        path.chmod(mode)
