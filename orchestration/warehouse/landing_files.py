"""Which entries of a landing folder are files to load, and how they are opened: one rule for iJw, CBS and budgets.

The landing directory is written by others (an SFTP drop, a sync job), so its entries are input too. A source loads
the regular files under its folder (landing/ijw, landing/cbs, landing/budgets) whose names end in its extension, in
any case (.xml, .XML). Everything else that claims to be a data file is an odd entry, recorded once with a reason code
(ledger status 'rejected' and a file-level quarantine row), never a crash, a hang or a silent skip:

- FILE_NOT_REGULAR: a fifo, socket or device (a read could block forever), a folder named like a data file where
  folders are not descended (CBS, budgets), a symbolic link (links are never followed: land the file itself; a link
  to a folder is reported whatever its name, since the files behind it would otherwise go unseen).
- FILE_OUTSIDE_LANDING: a symbolic link, or a file reached through a folder swapped for one, that leads out of the
  landing directory.
- FILE_NAME_INVALID: a name that is not UTF-8 or holds control or format characters (a newline, a bidi override);
  DuckDB cannot hold the first and logs and exports misread the second. It is recorded under a printable form of
  its name (printable_path) and not read: renamed, it loads.
- FILE_UNREADABLE: the file cannot be opened or read, or a folder under the source folder cannot be listed
  (permissions, an I/O error, a path too long).
- FILE_VANISHED: listed, but gone when opened.
- FILE_CHANGED: the file changed while it was read (a delivery still being written): it loads once it stops changing.
- FILE_TOO_LARGE: above its source's cap; refused unread, so no read is longer than the cap.

Opening uses O_NOFOLLOW (a link swapped in after listing is not followed) and O_NONBLOCK (a fifo swapped in cannot
block), then checks the opened descriptor: a regular file, and really inside the landing directory (the kernel's path
of the descriptor, so a parent folder swapped for a link is caught too). A hard link is a regular file inside the
landing directory, and loads like any other: what it holds is read, and its sha256 dedups it.

An entry that was never read has no content hash. Its ledger key is UNREAD_PREFIX plus the sha256 of its description
(reason, printable path, file identity from lstat), which can never equal a content's hash: the same odd entry seen in
the next run is recorded as a duplicate, and an entry that changes (a fixed permission, a finished upload) is judged
again.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

UNREAD_PREFIX = "unread:"

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
)


class OddEntry(Exception):
    """A landing entry that is recorded instead of loaded: no readable regular file inside the landing directory;
    reason_code names why. Raised where that is found, and kept in a listing's odd entries."""

    def __init__(self, path: str | os.PathLike, reason_code: str, reason: str, identity: str = ""):
        super().__init__(reason)
        self.path = printable_path(path)
        """Printable (printable_path): safe to hand to DuckDB and to a log."""
        self.reason_code, self.reason = reason_code, reason
        self.identity = identity
        """What tells this state of the entry from another (lstat fields); part of its ledger key."""

    @property
    def ledger_key(self) -> str:
        """The ledger's file_sha256 for an entry that was never read (see the module docstring)."""
        description = "\0".join((self.reason_code, self.path, self.identity)).encode("utf-8")
        return UNREAD_PREFIX + hashlib.sha256(description).hexdigest()


@dataclass(frozen=True)
class LandedFile:
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Listing:
    files: list[LandedFile]  # the regular files to load, in path order (component by component)
    odd: list[OddEntry]  # entries claiming to be data files that are none, in path order
    folder_problem: str | None = None  # why the source folder itself was not listed (a warning)


def _name_problem(name: str) -> str | None:
    if printable_path(name) == name:
        return None
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    return "its name holds a control or format character"


def printable_path(path: str | os.PathLike) -> str:
    """path as valid UTF-8 without control or format characters: each byte that is not UTF-8 as \\xNN, each control
    or format character as its Python escape (\\n, \\x1b, \\u202e). Identical to the path when it needs none."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp")
        else character
        for character in text
    )


def _identity(status: os.stat_result) -> str:
    return (
        f"{stat.S_IFMT(status.st_mode)}:{status.st_dev}:{status.st_ino}:{status.st_size}:{status.st_mtime_ns}:"
        + str(status.st_ctime_ns)
    )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a fifo (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _link_problem(path: str, root: str, status: os.stat_result) -> OddEntry:
    """A symbolic link is never followed; the reason says where it leads, and whether that is out of the landing."""
    target = os.path.realpath(path)
    if not _inside(target, root):
        return OddEntry(
            path,
            "FILE_OUTSIDE_LANDING",
            f"a symbolic link to {printable_path(target)}, outside the landing directory {printable_path(root)}; "
            "not followed",
            _identity(status),
        )
    try:
        kind = _kind(os.stat(path).st_mode)
    except OSError as error:
        kind = f"nothing readable ({error.strerror})"
    return OddEntry(
        path,
        "FILE_NOT_REGULAR",
        f"a symbolic link to {kind} ({printable_path(target)}); links are not followed, land the file itself",
        _identity(status),
    )


def path_order(path: str) -> str:
    """A key that sorts paths component by component: the separator becomes NUL, which sorts before every character
    a file name can hold."""
    return path.replace(os.sep, "\0")


def list_landing(landing_dir: Path, source: str, suffix: str, recursive: bool) -> Listing:
    """The files of landing_dir/source whose names end in suffix (any case), and its odd entries.

    recursive: the source's files may sit in folders of any depth (iJw); otherwise only the folder's own entries
    count (CBS, budgets), and a folder among them named like a data file is an odd entry."""
    root = landing_root(landing_dir)
    folder = os.path.join(landing_dir, source)
    try:
        folder_status = os.lstat(folder)
    except FileNotFoundError:
        return Listing([], [])
    except OSError as error:
        return Listing([], [], f"{printable_path(folder)} cannot be read ({error.strerror})")
    if _name_problem(folder) is not None:
        return Listing([], [], f"{printable_path(folder)}: the path is not valid UTF-8 or holds control characters")
    if not _inside(os.path.realpath(folder), root):
        return Listing([], [], f"{printable_path(folder)} leads out of the landing directory {root}; not followed")
    if not os.path.isdir(folder):
        return Listing([], [], f"{printable_path(folder)} is {_kind(folder_status.st_mode)}, not a folder")
    wanted = suffix.casefold()
    files: list[LandedFile] = []
    odd: list[OddEntry] = []
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as error:
            if current == folder:
                return Listing([], [], f"{printable_path(folder)} cannot be listed ({error.strerror})")
            odd.append(OddEntry(current, "FILE_UNREADABLE", f"a folder that cannot be listed ({error.strerror})"))
            continue
        for entry in listed:
            problem = _entry_problem(entry, wanted, recursive, root)
            if problem is None:
                continue
            if isinstance(problem, LandedFile):
                files.append(problem)
            elif isinstance(problem, str):
                folders.append(problem)
            else:
                odd.append(problem)
    files.sort(key=lambda landed: path_order(landed.path))
    odd.sort(key=lambda entry: path_order(entry.path))
    return Listing(files, odd)


def _entry_problem(entry: os.DirEntry, wanted: str, recursive: bool, root: str) -> LandedFile | str | OddEntry | None:
    """What one directory entry is: a file to load, a folder to descend (its path), an odd entry, or None (no data
    file: ignored, as a README beside the messages is)."""
    data_name = entry.name.casefold().endswith(wanted)
    try:
        status = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return OddEntry(entry.path, "FILE_VANISHED", "listed, but gone before it could be read") if data_name else None
    except OSError as error:
        # A folder too deep to name (ENAMETOOLONG) would hide its files: reported like a data file.
        if data_name or (recursive and entry.is_dir(follow_symlinks=False)):
            return OddEntry(entry.path, "FILE_UNREADABLE", f"cannot be examined ({error.strerror})")
        return None
    mode = status.st_mode
    descend = recursive and stat.S_ISDIR(mode)
    # A linked folder is reported whatever its name: the files it holds would otherwise be skipped unseen.
    linked_folder = recursive and stat.S_ISLNK(mode) and not data_name and os.path.isdir(entry.path)
    if not (data_name or descend or linked_folder):
        return None
    name_problem = _name_problem(entry.name)
    if name_problem is not None:
        what = "a folder whose files are not listed" if descend else "not read"
        return OddEntry(
            entry.path, "FILE_NAME_INVALID", f"{name_problem}; {what}, rename it to load", _identity(status)
        )
    if descend:
        return entry.path
    if stat.S_ISLNK(mode):
        return _link_problem(entry.path, root, status)
    if stat.S_ISREG(mode):
        return LandedFile(entry.path, status.st_size, status.st_mtime_ns)
    return OddEntry(entry.path, "FILE_NOT_REGULAR", f"{_kind(mode)}, not a regular file; not read", _identity(status))


_PROC_FD = os.path.isdir("/proc/self/fd")


def _opened_path(descriptor: int, path: str) -> str:
    """Where the kernel says the open descriptor's file is (Linux /proc, macOS F_GETPATH); else where path leads."""
    if _PROC_FD:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    try:
        import fcntl

        return os.fsdecode(fcntl.fcntl(descriptor, fcntl.F_GETPATH, bytes(1024)).rstrip(b"\0"))
    except (ImportError, AttributeError, OSError):
        return os.path.realpath(path)


def _lstat_identity(path: str) -> str:
    try:
        return _identity(os.lstat(path))
    except OSError:
        return ""


def landing_root(landing_dir: Path) -> str:
    """The landing directory as read_landed compares with it: resolved once per listing or batch of reads, since a
    deployment may mount it through a link."""
    return os.path.realpath(landing_dir)


@contextmanager
def _opened(path: str, root: str) -> Iterator[tuple[int, os.stat_result]]:
    """A descriptor of path, opened for reading, and its status, if it is a regular file inside the landing directory
    (root: landing_root); OddEntry otherwise."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise OddEntry(path, "FILE_VANISHED", "listed, but gone when it was to be read") from None
    except OSError as error:
        raise OddEntry(path, "FILE_UNREADABLE", f"cannot be examined ({error.strerror})") from error
    if stat.S_ISLNK(status.st_mode):
        raise _link_problem(path, root, status)
    if not stat.S_ISREG(status.st_mode):
        # A device is never opened: opening some has effects (a tape rewinds, a modem line answers).
        raise OddEntry(
            path, "FILE_NOT_REGULAR", f"{_kind(status.st_mode)}, not a regular file; not read", _identity(status)
        )
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise _open_problem(path, root, error) from error
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise OddEntry(
                path, "FILE_NOT_REGULAR", f"{_kind(opened.st_mode)}, not a regular file; not read", _identity(opened)
            )
        real = _opened_path(descriptor, path)
        if not _inside(real, root):
            raise OddEntry(
                path,
                "FILE_OUTSIDE_LANDING",
                f"opens {printable_path(real)}, outside the landing directory {printable_path(root)} (a folder on its "
                "path was swapped for a link); not read",
                _identity(opened),
            )
        yield descriptor, opened
    finally:
        os.close(descriptor)


def _open_problem(path: str, root: str, error: OSError) -> OddEntry:
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return OddEntry(path, "FILE_VANISHED", "listed, but gone when it was to be read")
    if error.errno == errno.ELOOP:
        try:
            return _link_problem(path, root, os.lstat(path))
        except OSError:
            return OddEntry(path, "FILE_VANISHED", "listed, but gone when it was to be read")
    if error.errno == errno.ENXIO:  # a socket swapped in after the lstat
        return OddEntry(path, "FILE_NOT_REGULAR", "a socket, not a regular file; not read", _lstat_identity(path))
    return OddEntry(path, "FILE_UNREADABLE", f"cannot be opened ({error.strerror})", _lstat_identity(path))


def read_landed(path: str | os.PathLike, root: str, max_bytes: int) -> tuple[bytes, str]:
    """The whole file and its sha256, read once (opened by the rules above; root: landing_root) and never beyond
    max_bytes: a larger file is FILE_TOO_LARGE unread, one that changes while it is read FILE_CHANGED."""
    path = os.fspath(path)
    with _opened(path, root) as (descriptor, before):
        if before.st_size > max_bytes:
            raise OddEntry(
                path,
                "FILE_TOO_LARGE",
                f"the file is {before.st_size} bytes, above this source's cap of {max_bytes}; refused unread",
                _identity(before),
            )
        try:
            data = _read_at_most(descriptor, before.st_size + 1)
            after = os.fstat(descriptor)
        except OSError as error:
            raise OddEntry(path, "FILE_UNREADABLE", f"cannot be read ({error.strerror})", _identity(before)) from error
        if len(data) != before.st_size or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise OddEntry(
                path,
                "FILE_CHANGED",
                f"changed while it was read ({before.st_size} bytes when opened, {len(data)} read, {after.st_size} "
                "after); it is read again once it stops changing",
                _identity(after),
            )
    return data, hashlib.sha256(data).hexdigest()


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """Up to limit bytes, one byte more than the file's size: a file that grew shows. A regular file reads short only
    at its end, so a read that brings all but that byte is the whole file; the status after the read tells the rest."""
    data = os.read(descriptor, limit)
    while len(data) < limit - 1:
        chunk = os.read(descriptor, limit - len(data))
        if not chunk:
            break
        data += chunk
    return data
