"""A CBS StatLine OData v3 client on requests: raw keys (not cbsodata's labels), paging, timeouts and retries.

CBS serves at most 10,000 rows per request and answers a larger query with HTTP 500, so every data request carries
$top; a 500 on such a request halves the page and asks again. When CBS pages itself (odata.nextLink), the client
follows the link. Transient failures (timeouts, connection errors, 429, 502-504) are retried with backoff.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

DEFAULT_BASE_URL = "https://opendata.cbs.nl/ODataApi/odata"
MAX_ROWS_PER_REQUEST = 10_000
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
# Entities every snapshot carries besides the dimension tables named in DataProperties.
METADATA_ENTITIES = ("TableInfos", "DataProperties")
DATA_ENTITY = "TypedDataSet"


class CbsError(RuntimeError):
    """CBS could not be read: the message names the URL and what went wrong."""


# For a dimension: its entries (Key/Title/...) -> the keys to fetch, or None for all of them.
DimensionFilter = Callable[[str, list[dict[str, Any]]], Iterable[str] | None]


@dataclass
class StatLineClient:
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    retries: int = 3
    backoff_seconds: float = 1.0
    page_size: int = MAX_ROWS_PER_REQUEST
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_ROWS_PER_REQUEST:
            raise ValueError(f"page_size must be 1..{MAX_ROWS_PER_REQUEST}, got {self.page_size}")
        self.base_url = self.base_url.rstrip("/")

    def entity(self, table_id: str, entity: str, odata_filter: str | None = None) -> dict[str, Any]:
        """One entity of a table (TypedDataSet, DataProperties, a dimension) with all pages merged into "value"."""
        url = f"{self.base_url}/{table_id}/{entity}"
        top, skip = self.page_size, 0
        rows: list[dict[str, Any]] = []
        metadata: str | None = None
        while True:
            params: dict[str, str | int] = {"$format": "json", "$top": top, "$skip": skip}
            if odata_filter:
                params["$filter"] = odata_filter
            response = self._get(url, params)
            if response.status_code == 500:
                if top == 1:
                    raise CbsError(f"{response.url}: HTTP 500 even for a single row")
                top = max(1, top // 2)
                continue
            page = self._json(response)
            metadata = metadata or page.get("odata.metadata")
            rows.extend(page.get("value", []))
            next_link = page.get("odata.nextLink")
            while next_link:
                linked = self._json(self._get(next_link, None))
                rows.extend(linked.get("value", []))
                next_link = linked.get("odata.nextLink")
            if page.get("odata.nextLink") or len(page.get("value", [])) < top:
                break
            skip += top
        return {"odata.metadata": metadata, "value": rows}

    def snapshot(self, table_id: str, dimension_filter: DimensionFilter | None = None) -> dict[str, Any]:
        """TableInfos, DataProperties, every dimension table and the (filtered) TypedDataSet, each in the API's
        JSON shape, keyed by entity name: the content of one snapshot file."""
        bundle = {name: self.entity(table_id, name) for name in METADATA_ENTITIES}
        dimensions = [
            prop["Key"]
            for prop in bundle["DataProperties"]["value"]
            if prop.get("Type") in ("Dimension", "GeoDimension", "TimeDimension")
        ]
        clauses = []
        for dimension in dimensions:
            bundle[dimension] = self.entity(table_id, dimension)
            keys = dimension_filter(dimension, bundle[dimension]["value"]) if dimension_filter else None
            if keys is not None:
                # Keys keep their padding here: CBS compares them as stored ('GM0392  ').
                clauses.append("(" + " or ".join(f"{dimension} eq '{key}'" for key in keys) + ")")
        bundle[DATA_ENTITY] = self.entity(table_id, DATA_ENTITY, " and ".join(clauses) or None)
        return bundle

    def _get(self, url: str, params: dict[str, str | int] | None) -> requests.Response:
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as error:
                last_error = f"{type(error).__name__}: {error}"
                continue
            if response.status_code in TRANSIENT_STATUS:
                last_error = f"HTTP {response.status_code}"
                continue
            if response.status_code not in (200, 500):
                raise CbsError(f"{response.url}: HTTP {response.status_code}")
            return response
        raise CbsError(f"{url}: no answer after {self.retries + 1} attempts ({last_error})")

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise CbsError(f"{response.url}: HTTP {response.status_code}")
        try:
            page = response.json()
        except ValueError as error:
            raise CbsError(f"{response.url}: not JSON ({error})") from error
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise CbsError(f"{response.url}: no 'value' array in the answer")
        return page


def write_snapshot(bundle: dict[str, Any], directory: Path, name: str) -> Path:
    """Write a snapshot bundle as <directory>/<name>.json, atomically, so an ingest never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.json"
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(target)
    return target
