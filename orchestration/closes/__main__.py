"""Render a stored quarterly close's report page again from the close history alone, to a file or stdout:

python -m orchestration.closes                     # the stored closes, oldest first
python -m orchestration.closes CLOSE_ID --out page.html
"""

import argparse
import sys
from pathlib import Path

import duckdb

from orchestration.closes import store
from orchestration.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.closes", description=__doc__.splitlines()[0])
    parser.add_argument("close_id", nargs="?", help="quarter|region|run_id, as listed without arguments")
    parser.add_argument("--out", type=Path, help="write the page here instead of stdout")
    args = parser.parse_args(argv)
    path = store.closes_path(Settings.from_env().closes_dir)
    if args.close_id is None:
        with duckdb.connect(str(path), read_only=True) as con:
            for row in con.execute(
                f"select close_id, data_cut, report_path from {store.HISTORY}.closes order by closed_at, close_id"  # noqa: S608
            ).fetchall():
                print("\t".join("" if value is None else str(value) for value in row))
        return 0
    page = store.report_from_history(path, args.close_id)
    if args.out is None:
        sys.stdout.buffer.write(page)
    else:
        args.out.write_bytes(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
