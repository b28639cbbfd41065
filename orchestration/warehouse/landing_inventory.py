"""Which iJw message type each landed file holds, classified once per file version instead of once per ingest asset.

Each of the five iJw ingest assets needs the files of its own message type, recognised by the root element's
namespace (a hardened parse up to the root, orchestration/ijw/safe_xml.py). Done by every asset, that is five parses
per file per run, and every later run repeats them for the whole landing directory; at national scale (1.8 million
files a year) that alone outlasts the run. So the type is kept in audit.ijw_landed_files keyed by path, size and
modification time (as make and rsync decide a file is unchanged): a file is sniffed when it is new or changed.

A file rewritten in place with the same size and the same nanosecond mtime would keep its old type; the reader of
that type then refuses it (WRONG_NAMESPACE), so it is quarantined, never silently skipped. Which content is new is
still decided by its sha256 in the ledger, never by this cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ijw.safe_xml import sniff_message_type


def landed_ijw_files(landing_dir: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every landing_dir/ijw/**/*.xml file, in path order (component by component, as
    sorted Paths compare), symlinked folders not followed."""
    found: list[tuple[str, int, int]] = []
    for folder, _dirs, names in os.walk(landing_dir / "ijw"):
        for name in names:
            if name.endswith(".xml"):
                path = os.path.join(folder, name)
                stat = os.stat(path)
                found.append((path, stat.st_size, stat.st_mtime_ns))
    found.sort(key=lambda entry: entry[0].split(os.sep))
    return found


def classify_landed_files(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[tuple[Path, str | None]]:
    """(path, message type or None for no recognisable iJw message) of every landed file, in path order; files not
    seen before in this version are sniffed and remembered."""
    landed = pd.DataFrame(landed_ijw_files(landing_dir), columns=["file_path", "size_bytes", "mtime_ns"])
    if landed.empty:
        return []
    con.register("landed_now", landed)
    try:
        known = dict(
            con.execute(
                """
                select l.file_path, k.message_type
                from landed_now l
                join audit.ijw_landed_files k using (file_path, size_bytes, mtime_ns)
                """
            ).fetchall()
        )
        new = landed[~landed["file_path"].isin(known.keys())].copy()
        if not new.empty:
            new["message_type"] = [sniff_message_type(Path(path)) for path in new["file_path"]]
            known.update(zip(new["file_path"], new["message_type"], strict=True))
            con.register("newly_classified", new)
            con.execute("begin transaction")
            try:
                con.execute(
                    "delete from audit.ijw_landed_files where file_path in (select file_path from newly_classified)"
                )
                con.execute("insert into audit.ijw_landed_files by name select * from newly_classified")
                con.execute("commit")
            except Exception:
                con.execute("rollback")
                raise
            finally:
                con.unregister("newly_classified")
    finally:
        con.unregister("landed_now")
    return [(Path(path), known[path]) for path in landed["file_path"]]
