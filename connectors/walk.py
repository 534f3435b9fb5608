"""Naming inputs: the paths given to a scan, directories walked into the files they hold.

Directories are walked recursively in name order, a rotated set oldest first (`rotation_order`).
Only regular files are read from a walk: a FIFO, socket or device found there is reported ("not a
regular file") instead of blocking the run, and a subdirectory that cannot be listed is reported
too. A file is read once per run: a symbolic or hard link to a file already read (same st_dev and
st_ino), another spelling of its path, or the file found again by a walk is skipped with a note on
stderr; only a path named again verbatim is read again, as asked. A FIFO named on the command line
(or `<(...)`) is read. Files a walk finds that hold no log messages (login records such as
lastlog and wtmp, sysstat's sa/saDD, big sparse files) are skipped with the reason (`_no_messages`). Names that are not UTF-8 are shown with `\\xe9` escapes (`shown`).

Which files were given is run state of this process: `new_run()` forgets them. A scan run calls
it first, before it expands its inputs; every `expand` after it (default `seen`) knows the files
given since, whichever argument named them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator

_NUMBERED = re.compile(r"(.*?)\.(\d+)(\.(?:gz|bz2|xz|zst))?\Z")
_DATED = re.compile(r"(.*?)-(\d{8,10})(\.(?:gz|bz2|xz|zst))?\Z")
_COMPRESSED = re.compile(r"\.(?:gz|bz2|xz|zst)\Z")


def rotation_order(name: str) -> tuple:
    """Sort key putting a rotated set oldest first, the live file last:
    messages.3.gz < messages.2.gz < messages.1 < messages; messages-20261115 < messages."""
    if m := _NUMBERED.match(name):
        return (m.group(1), 0, -int(m.group(2)))
    if m := _DATED.match(name):
        return (m.group(1), 0, int(m.group(2)))
    return (_COMPRESSED.sub("", name), 1, 0)


def shown(name: str) -> str:
    """A file or member name as valid UTF-8 text: bytes that are not UTF-8 (kept by Python as
    surrogate escapes) are written `\\xe9`. The name to open stays the original. A file below a
    folder `rename`d (a packed sosreport unpacked into a scratch folder) is shown under its own name."""
    for folder, known_as in _renamed.items():
        if name == folder or name.startswith(folder + "/"):
            return known_as + shown(name[len(folder):])
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_seen: dict[tuple[int, int], tuple[str, bool]] = {}  # (st_dev, st_ino) -> (name read under, named?), this run
_renamed: dict[str, str] = {}  # a folder -> the name shown for it (connectors.sos_archive), this run


def rename(folder: str, known_as: str | None) -> None:
    """Show `folder` and the files below it as `known_as` (`ARCHIVE!sosreport-web1-…`) from now on;
    None: as they are again."""
    if known_as is None:
        _renamed.pop(folder, None)
    else:
        _renamed[folder] = known_as
_skipped: list[tuple[str, str]] = []  # (name, why) of the files not read again, this run


def new_run() -> None:
    """Start a run: forget the files `expand` has given so far (a file is read once per run)."""
    _seen.clear()
    _skipped.clear()
    _renamed.clear()


def skipped() -> list[tuple[str, str]]:
    """(name, why) of every file this run's walks skipped as read already (links, repeats)."""
    return list(_skipped)


def expand(paths: list[str], seen: dict | None = None) -> Iterator[tuple[str, str | None]]:
    """(path, error) for every input named or found below a named directory; `-` is stdin.
    Inside a directory, files are taken in name order with rotated sets oldest first; what is not
    a regular file, and a directory that cannot be listed, comes with its error. A regular file
    already given (by `seen`, default: this run's) is skipped with a note on stderr, unless the
    same path is named again."""
    seen = _seen if seen is None else seen
    for path in paths:
        if path == "-":
            yield path, None
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield shown(path), "no such file or directory" if isinstance(exc, FileNotFoundError) else _lower(exc)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, seen)
        elif _first(path, st, seen, named=True):
            yield path, None  # named: a FIFO or `<(...)` is read too


def _walk(top: str, seen: dict) -> Iterator[tuple[str, str | None]]:
    errors: list[OSError] = []
    listed = found = False
    for root, dirs, names in os.walk(top, onerror=errors.append):
        listed = True
        found = found or bool(errors)
        yield from _listing_errors(errors)
        dirs.sort()  # a symbolic link to a directory is listed here but not followed (no loops)
        for name in sorted(names, key=rotation_order):
            found = True
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError as exc:  # a dangling or looping symbolic link
                yield shown(path), exc.strerror or str(exc)
                continue
            if not stat.S_ISREG(st.st_mode):
                yield shown(path), f"not a regular file ({_kind(st.st_mode)}): skipped"
            elif (why := _no_messages(root, name, st)) is not None:
                _skipped.append((shown(path), why))
                print(f"tcplog: {shown(path)}: {why}", file=sys.stderr)
            elif _first(path, st, seen):
                yield path, None
    found = found or bool(errors)
    yield from _listing_errors(errors)
    if listed and not found:  # (a subdirectory that could not be listed was reported instead)
        yield shown(top), "directory holds no files"


def _listing_errors(errors: list[OSError]) -> Iterator[tuple[str, str]]:
    while errors:
        exc = errors.pop(0)
        yield shown(str(exc.filename)), f"{_lower(exc)}: directory not read"


def _first(path: str, st: os.stat_result, seen: dict, named: bool = False) -> bool:
    """True the first time a regular file is given; later (a link to it, another spelling of its
    path, found again by a walk): False, with a note. A path named again verbatim on the command
    line (`named`, as it was the first time) is read again, as asked (`scan f f`, as `cat f f`)."""
    if not stat.S_ISREG(st.st_mode):
        return True
    key, name = (st.st_dev, st.st_ino), shown(path)
    if key not in seen:
        seen[key] = (name, named)
        return True
    first, first_named = seen[key]
    if named and first_named and first == name:
        return True
    again = "already read in this run" if first == name else f"the same file as {first}"
    _skipped.append((name, f"{again}: read once, skipped"))
    print(f"tcplog: {name}: {again}: read once, skipped", file=sys.stderr)
    return False


_RECORDS = frozenset({"lastlog", "wtmp", "btmp", "utmp", "faillog", "tallylog", "wtmpx", "btmpx", "lastlog2.db"})
_SA = re.compile(r"sa\d{2}\Z")  # sysstat's binary daily files (sa/sar23 beside them is text)
SPARSE_MIN = 64 << 20


def _no_messages(root: str, name: str, st: os.stat_result) -> str | None:
    """Why a file a walk found in a log folder holds no log messages (so is not read), else None:
    the login records in /var/log (lastlog, wtmp, btmp, faillog, tallylog: binary structures; RHEL's
    lastlog is a sparse file of up to 292 GB once uid 4294967294 has logged in), sysstat's binary
    `sa/saDD` files, and any big file that is mostly holes. Named on the command line, it is read."""
    base = rotation_order(name)[0]
    if base in _RECORDS:
        return "binary login records (lastlog, wtmp, btmp …), not log messages: skipped (name it to read it)"
    if _SA.match(name) and os.path.basename(root) == "sa":
        return "sysstat's binary activity file, not log messages: skipped (name it to read it)"
    if st.st_size >= SPARSE_MIN and getattr(st, "st_blocks", None) is not None and st.st_blocks * 512 < st.st_size // 8:
        return (f"a sparse file ({st.st_size / (1 << 30):.1f} GiB, mostly holes), not log messages: "
                "skipped (name it to read it)")
    return None


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return kind
    return "special file"


def _lower(exc: OSError) -> str:
    why = exc.strerror or str(exc)
    return why[:1].lower() + why[1:]
