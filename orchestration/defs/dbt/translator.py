"""Maps dbt nodes onto asset keys that read like the warehouse (raw/<table>, staging/<model>, marts/<model>), onto
groups by folder, and onto owners: `meta.dagster.owners` where dbt_project.yml sets it, else the data engineers. Each
asset links its page in the dbt docs site, served over http by the documentation server (orchestration/docs_server.py).
"""

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.docs_server import dbt_docs_url
from orchestration.settings import Settings


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # A dbt source is the table a Python ingest asset writes: same key, so the graph is one piece.
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        # fqn is [project, folder, ..., name]: the first folder is the layer (staging, marts).
        fqn = dbt_resource_props["fqn"]
        for group in ("kpi", "steering", "forecast"):
            if group in fqn[1:-1]:
                return group
        return fqn[1]

    @cached_property
    def warehouse_settings(self) -> Settings:
        """Read once, when the definitions are built, not again for each of the manifest's nodes."""
        return Settings.from_env()

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        page = dbt_docs_url(
            self.warehouse_settings, dbt_resource_props["resource_type"], dbt_resource_props["unique_id"]
        )
        return {**super().get_metadata(dbt_resource_props), "dbt_docs": dg.MetadataValue.url(page)}

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return list(super().get_owners(dbt_resource_props) or [DATA_ENGINEERING])


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
