"""Fill an empty landing directory with the shipped sample (seeds/sample), so `make run` works offline."""

import os
import shutil
import sys
from pathlib import Path

from orchestration.settings import SAMPLE_LANDING_DIR, SettingsError, checked_settings


def holds_anything(folder: Path) -> bool:
    """Whether anything but folders lies under folder: a file, a link, a fifo, an entry with any name. A folder that
    cannot be listed counts as holding something: the sample must never be mixed into real deliveries."""
    try:
        with os.scandir(folder) as entries:
            return any(not entry.is_dir(follow_symlinks=False) or holds_anything(Path(entry.path)) for entry in entries)
    except OSError:
        return True


def fill_from_sample_if_empty() -> None:
    landing_dir = checked_settings().landing_dir
    if landing_dir.exists() and holds_anything(landing_dir):
        print(f"landing directory: {landing_dir}")
        return
    shutil.copytree(SAMPLE_LANDING_DIR, landing_dir, dirs_exist_ok=True)
    print(f"landing directory {landing_dir} was empty: filled it with the shipped sample ({SAMPLE_LANDING_DIR})")


if __name__ == "__main__":
    # `make run` runs this first: settings that cannot work stop it here, before any file is copied or read.
    try:
        fill_from_sample_if_empty()
    except SettingsError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    sys.exit(0)
