"""Writing a file so that a reader (or the next run) sees the old text or the new, never a part.

Why: an interrupted command (Ctrl-C, CI's SIGTERM, kill -9) used to leave .env or action.toml
empty or half-written. Everything the toolkit writes over a user's file goes through here.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

PARTIAL_SUFFIX = ".partial"   # a temporary file a killed writer left: `.<name>.<random>.partial`


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8, as given) to `path` through a temporary file in the same folder,
    flushed to disk, and a rename. A file replaced keeps its permissions (.env may be 0600); a
    new one is 0644. Raises OSError, or UnicodeEncodeError for text that is not Unicode (lone
    surrogates), with `path` as it was and no temporary file left behind."""
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    data = text.encode("utf-8")     # before the temporary file exists: nothing to clean up
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_variables(path: Path, names, value: str) -> list[str]:
    """Append `NAME=value` to a .env-style file for each name it does not set yet, in one atomic
    write (none when nothing is missing); the names added. A file that does not exist is made."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = set(re.findall(r"(?m)^([^=\s#]+)=", text))
    missing = [name for name in dict.fromkeys(names) if name not in present]
    if missing:
        if text and not text.endswith("\n"):
            text += "\n"
        write_atomic(path, text + "".join(f"{name}={value}\n" for name in missing))
    return missing


def read_env(path: Path, required: bool = False) -> dict[str, str | None]:
    """The NAME=value pairs of a .env-style file; {} for a missing file unless `required`.
    SecretError for a file that is missing (when required), unreadable, not UTF-8, or has a
    line that is not NAME=value: python-dotenv would skip that line with a warning that prints
    it, and a secret may hide there. Messages name the line, never its text."""
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    from hs_actions.core.errors import SecretError

    path = Path(path)
    if not path.is_file():
        if required:
            raise SecretError(f"{path}: no such env file")
        return {}
    try:
        with open(path, encoding="utf-8") as stream:
            bad = [b.original.line for b in parse_stream(stream) if b.error]
    except UnicodeDecodeError as error:
        raise SecretError(f"{path}: not UTF-8 text (byte {error.start}): save it as UTF-8") from None
    except OSError as error:
        raise SecretError(f"{path}: cannot be read: {error.strerror or error}") from None
    if bad:
        raise SecretError(f"{path}, line {bad[0]}: not a NAME=value line; fix or remove it (# starts a comment)")
    return dotenv_values(path)
