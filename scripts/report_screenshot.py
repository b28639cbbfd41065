"""Screenshot of a quarterly report as headless Chromium shows it, for docs/report.md (`make report-screenshot`).

Renders what `make run` wrote, WAREHOUSE_DIR/reports/<region>/<quarter>.html, into docs/img/quarterly-report.png:
by default JZ32 (Rijk van Nijmegen, the shipped sample's whole region), the latest quarter.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from orchestration.report.browser import chromium_context
from orchestration.settings import REPO_ROOT, Settings

SCREENSHOT = REPO_ROOT / "docs" / "img" / "quarterly-report.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", default="JZ32")
    parser.add_argument("--quarter", help="YYYY-Qn; default the latest quarter with a report")
    parser.add_argument("--out", type=Path, default=SCREENSHOT)
    args = parser.parse_args()
    pages = sorted((Settings.from_env().reports_dir / args.region).glob(f"{args.quarter or '*'}.html"))
    if not pages:
        raise SystemExit(f"no report for {args.region} in {Settings.from_env().reports_dir}: run `make run` first")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with chromium_context(viewport=(1280, 900)) as context:
        page = context.new_page()
        page.goto(pages[-1].resolve().as_uri())
        page.screenshot(path=str(args.out), full_page=True)
    # A 256-colour palette keeps the page's flat colours and text and cuts the file to a third (about 1 MB to 350 kB).
    with Image.open(args.out) as shot:
        palette = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette.save(args.out, optimize=True)
    print(f"{pages[-1]} -> {args.out}")


if __name__ == "__main__":
    main()
