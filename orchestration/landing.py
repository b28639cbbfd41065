"""Fill an empty landing directory with the shipped sample (seeds/sample), so `make run` works offline."""

import shutil
import sys

from orchestration.settings import SAMPLE_LANDING_DIR, SettingsError, checked_settings


def fill_from_sample_if_empty() -> None:
    landing_dir = checked_settings().landing_dir
    if landing_dir.exists() and any(path.is_file() for path in landing_dir.rglob("*")):
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
