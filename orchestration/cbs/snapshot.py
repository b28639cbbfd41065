"""Reading a CBS snapshot file: one JSON object keyed by entity name (TableInfos, DataProperties, each dimension,
TypedDataSet), each value exactly the OData v3 answer for that entity with its pages merged (docs/cbs.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.cbs.client import DATA_ENTITY, METADATA_ENTITIES

MAX_SNAPSHOT_BYTES = 200 * 1024 * 1024
DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")


class SnapshotError(ValueError):
    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code


@dataclass(frozen=True)
class Dimension:
    key: str
    """The column name in TypedDataSet, e.g. RegioS."""
    kind: str
    """Dimension, GeoDimension or TimeDimension."""
    entries: dict[str, dict[str, Any]]
    """Trimmed key -> the dimension table's entry (Key, Title, Description, Status for periods)."""


@dataclass(frozen=True)
class StatTable:
    path: Path
    table_id: str
    title: str
    dimensions: dict[str, Dimension]
    topics: list[dict[str, Any]]
    """DataProperties entries of Type Topic (the measures), in table order."""
    rows: list[dict[str, Any]]

    def dimension_of_kind(self, kind: str) -> Dimension:
        matches = [dimension for dimension in self.dimensions.values() if dimension.kind == kind]
        if len(matches) != 1:
            raise SnapshotError("SNAPSHOT_INCOMPLETE", f"{self.table_id}: expected one {kind}, found {len(matches)}")
        return matches[0]


def _value_array(bundle: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    answer = bundle.get(entity)
    if not isinstance(answer, dict) or not isinstance(answer.get("value"), list):
        raise SnapshotError("SNAPSHOT_INCOMPLETE", f"entity {entity} missing or without a 'value' array")
    if not all(isinstance(item, dict) for item in answer["value"]):
        raise SnapshotError("SNAPSHOT_MALFORMED", f"{entity} 'value' holds something other than records")
    return answer["value"]


def read_snapshot(path: Path, data: bytes | None = None) -> StatTable:
    """Parse and structurally check a snapshot file (data: its bytes, when already read); SnapshotError (with a
    reason code) names what is wrong."""
    if (path.stat().st_size if data is None else len(data)) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError("FILE_TOO_LARGE", f"larger than {MAX_SNAPSHOT_BYTES} bytes")
    try:
        bundle = json.loads((path.read_bytes() if data is None else data).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError("SNAPSHOT_NOT_JSON", f"not UTF-8 JSON ({error})") from error
    if not isinstance(bundle, dict):
        raise SnapshotError("SNAPSHOT_MALFORMED", "expected a JSON object keyed by entity name")
    for entity in (*METADATA_ENTITIES, DATA_ENTITY):
        _value_array(bundle, entity)
    infos = bundle["TableInfos"]["value"]
    if len(infos) != 1 or not str(infos[0].get("Identifier") or "").strip():
        raise SnapshotError("SNAPSHOT_MALFORMED", "TableInfos must hold one entry with an Identifier")
    properties = bundle["DataProperties"]["value"]
    dimensions: dict[str, Dimension] = {}
    for prop in properties:
        if prop.get("Type") not in DIMENSION_TYPES:
            continue
        key = str(prop.get("Key") or "")
        entries = {str(entry.get("Key", "")).strip(): entry for entry in _value_array(bundle, key)}
        dimensions[key] = Dimension(key=key, kind=prop["Type"], entries=entries)
    topics = [prop for prop in properties if prop.get("Type") == "Topic"]
    return StatTable(
        path=path,
        table_id=str(infos[0]["Identifier"]).strip(),
        title=str(infos[0].get("Title") or ""),
        dimensions=dimensions,
        topics=topics,
        rows=bundle[DATA_ENTITY]["value"],
    )
