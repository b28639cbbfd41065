"""Fill an empty landing directory with the shipped sample (seeds/sample), so `make run` works offline."""

import shutil
import sys

from orchestration.settings import SAMPLE_LANDING_DIR, Settings


def fill_from_sample_if_empty() -> None:
    landing_dir = Settings.from_env().landing_dir
    if landing_dir.exists() and any(path.is_file() for path in landing_dir.rglob("*")):
        print(f"landing directory: {landing_dir}")
        return
    shutil.copytree(SAMPLE_LANDING_DIR, landing_dir, dirs_exist_ok=True)
    print(f"landing directory {landing_dir} was empty: filled it with the shipped sample ({SAMPLE_LANDING_DIR})")


if __name__ == "__main__":
    fill_from_sample_if_empty()
    sys.exit(0)
