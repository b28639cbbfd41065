"""The project's check steps: one wave per set of tables that become ready together (defs/quality/wave.py).

After the ingest, the raw tables' suites, reconciliations and warnings; after each dbt step, the suites on the marts it
built. A wave waits for every step that builds one of its tables, and the steps downstream wait for the wave when one
of its checks blocks them, as they waited for each check before: the star schema for every raw table's checks, the KPI
step for every check on the star schema. A check on a table that no wave holds stops the definitions from loading.
"""

from collections.abc import Iterable, Sequence

import dagster as dg

from orchestration.defs.automation.delivery_freshness import delivery_freshness
from orchestration.defs.dbt.assets import kpi_marts, star_schema
from orchestration.defs.ingest.budgets import iv3_geen_opgave
from orchestration.defs.ingest.cbs_and_budgets import cbs_and_budgets
from orchestration.defs.ingest.ijw import ijw_messages
from orchestration.defs.quality.great_expectations import suite_checks
from orchestration.defs.quality.reconciliation import reconciliation_checks
from orchestration.defs.quality.wave import WaveCheck, check_wave


def keys_of(assets: Iterable[dg.AssetsDefinition]) -> set[dg.AssetKey]:
    return {key for asset in assets for key in asset.keys}


WAVES: list[tuple[str, str, set[dg.AssetKey]]] = [
    (
        "checks_after_ingest",
        "The checks on the raw tables once every ingest step loaded them: suites, reconciliations, warnings.",
        keys_of([ijw_messages, cbs_and_budgets]),
    ),
    (
        "checks_after_star_schema",
        "The Great Expectations suites on the marts the star_schema dbt step built.",
        set(star_schema.keys),
    ),
    (
        "checks_after_kpi_marts",
        "The Great Expectations suites on the marts the kpi_marts dbt step built.",
        set(kpi_marts.keys),
    ),
]
"""(step name, description, the tables whose checks it runs)."""


def waves(checks: Sequence[WaveCheck]) -> list[dg.AssetChecksDefinition]:
    """The checks grouped into WAVES, in their given order within each."""
    held = set().union(*(tables for *_, tables in WAVES))
    homeless = [check.spec.key.to_user_string() for check in checks if check.spec.asset_key not in held]
    if homeless:
        raise ValueError(f"checks on tables that no wave of checks holds (add the step to WAVES): {homeless}")
    return [
        check_wave(name, description, [check for check in checks if check.spec.asset_key in tables])
        for name, description, tables in WAVES
    ]


check_waves = waves([*reconciliation_checks, *suite_checks, delivery_freshness, iv3_geen_opgave])
