"""The CBS tables and the budgets, one ingest step: every source whose files sit in a folder of their own
(orchestration/defs/ingest/landed_source.py). Each table is an asset of its own, materialized alone when selected
alone; together they pay for one step, one warehouse connection and one listing of each folder."""

from orchestration.defs.ingest.budgets import BUDGET_SOURCES
from orchestration.defs.ingest.cbs import CBS_SOURCES
from orchestration.defs.ingest.landed_source import landed_sources_step

cbs_and_budgets = landed_sources_step("cbs_and_budgets", [*CBS_SOURCES, *BUDGET_SOURCES])
