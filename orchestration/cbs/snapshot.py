"""Reading a CBS snapshot file: one JSON object keyed by entity name (TableInfos, DataProperties, each dimension,
TypedDataSet), each value exactly the OData v3 answer for that entity with its pages merged (docs/cbs.md).

The file is untrusted input: a parser limit (nesting, integer length, encoding) rejects it with a reason code instead
of raising, and the metadata every raw row repeats (table id, dimension and measure keys, titles, units, statuses)
is checked here once, so a record can only carry what passed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestration.cbs.client import DATA_ENTITY, METADATA_ENTITIES
from orchestration.reasons import ReasonError
from orchestration.stored_text import TextError, shown, stored_text

MAX_SNAPSHOT_BYTES = 200 * 1024 * 1024
DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")
# CBS keys, titles and units are short (the longest title in the sample has 49 characters); the cap keeps a title
# repeated on every raw row from multiplying a hostile megabyte by the row count.
MAX_METADATA_TEXT = 500
# Longer integers stay Decimal: Python refuses to convert one of over 4,300 digits, which would reject the whole file
# for one record; as a Decimal the record alone is quarantined as out of range.
MAX_INT_DIGITS = 18


class SnapshotError(ReasonError):
    """A CBS snapshot file the reader rejects as a whole."""


@dataclass(frozen=True)
class Dimension:
    key: str
    """The column name in TypedDataSet, e.g. RegioS."""
    kind: str
    """Dimension, GeoDimension or TimeDimension."""
    entries: dict[str, dict[str, Any]]
    """Trimmed key -> the dimension table's entry: Key, Title and (for periods) Status, trimmed and checked."""


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


class DuplicateNames(dict):
    """A JSON object naming a member twice. json keeps the last value, so which one CBS meant is unknown: a record
    like this is quarantined, a metadata entry rejects the file."""

    names: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) == len(pairs):
        return members
    duplicate = DuplicateNames(members)
    # Names for a reason: a few, each cut short, however many the object repeats.
    duplicate.names = [shown(name) for name, count in Counter(name for name, _ in pairs).items() if count > 1][:5]
    return duplicate


def _json_integer(digits: str) -> int | Decimal:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else Decimal(digits)


def _metadata_text(entry: dict[str, Any], field: str, where: str, required: bool = False) -> str | None:
    """A text field of a metadata entry (TableInfos, DataProperties, a dimension table): trimmed and checked, so no
    record can store a control character or a huge title through it."""
    value = entry.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise SnapshotError("SNAPSHOT_MALFORMED", f"{where}: {field} {shown(value)} is not a non-empty text")
    try:
        return stored_text(value.strip(), MAX_METADATA_TEXT)
    except TextError as error:
        raise SnapshotError(error.reason_code, f"{where}: {field} {error}") from error


def _dimension_entries(bundle: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for position, entry in enumerate(_value_array(bundle, key)):
        where = f"{key} entry {position}"
        trimmed = _metadata_text(entry, "Key", where, required=True)
        if trimmed in entries:
            raise SnapshotError("SNAPSHOT_MALFORMED", f"{where}: key {trimmed!r} appears twice in the {key} table")
        entries[trimmed] = {field: _metadata_text(entry, field, where) for field in ("Title", "Status")}
        entries[trimmed]["Key"] = trimmed
    return entries


def _properties(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The dimensions and topics of DataProperties, their texts checked; other entries (TopicGroup) are not read."""
    properties, keys = [], set()
    for position, prop in enumerate(bundle["DataProperties"]["value"]):
        if prop.get("Type") not in (*DIMENSION_TYPES, "Topic"):
            continue
        where = f"DataProperties entry {position}"
        key = _metadata_text(prop, "Key", where, required=True)
        if key in keys or key == "ID":
            raise SnapshotError("SNAPSHOT_MALFORMED", f"{where}: key {key!r} names a second column of TypedDataSet")
        keys.add(key)
        properties.append(
            {
                "Key": key,
                "Type": prop["Type"],
                **{field: _metadata_text(prop, field, where) for field in ("Title", "Unit")},
            }
        )
    return properties


def _value_array(bundle: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    answer = bundle.get(entity)
    if not isinstance(answer, dict) or not isinstance(answer.get("value"), list):
        raise SnapshotError("SNAPSHOT_INCOMPLETE", f"entity {entity} missing or without a 'value' array")
    if not all(isinstance(item, dict) for item in answer["value"]):
        raise SnapshotError("SNAPSHOT_MALFORMED", f"{entity} 'value' holds something other than records")
    metadata = [answer] if entity == DATA_ENTITY else [answer, *answer["value"]]
    for item in metadata:
        if isinstance(item, DuplicateNames):
            raise SnapshotError("JSON_NAME_DUPLICATE", f"{entity}: an object names {', '.join(item.names)} twice")
    return answer["value"]


def read_snapshot(path: Path, data: bytes | None = None) -> StatTable:
    """Parse and structurally check a snapshot file (data: its bytes, when already read); SnapshotError (with a
    reason code) names what is wrong."""
    if (path.stat().st_size if data is None else len(data)) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError("FILE_TOO_LARGE", f"larger than {MAX_SNAPSHOT_BYTES} bytes")
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SnapshotError("ENCODING_INVALID", f"not UTF-8 (JSON is UTF-8, RFC 8259): {error}") from error
    try:
        bundle = json.loads(text, parse_int=_json_integer, object_pairs_hook=_json_object)
    except ValueError as error:
        raise SnapshotError("SNAPSHOT_NOT_JSON", f"not JSON ({error})") from error
    except RecursionError as error:
        raise SnapshotError("SNAPSHOT_NOT_JSON", "JSON nested deeper than the parser's recursion limit") from error
    if not isinstance(bundle, dict) or isinstance(bundle, DuplicateNames):
        raise SnapshotError("SNAPSHOT_MALFORMED", "expected a JSON object naming each entity once")
    for entity in (*METADATA_ENTITIES, DATA_ENTITY):
        _value_array(bundle, entity)
    infos = bundle["TableInfos"]["value"]
    if len(infos) != 1:
        raise SnapshotError("SNAPSHOT_MALFORMED", "TableInfos must hold one entry with an Identifier")
    table_id = _metadata_text(infos[0], "Identifier", "TableInfos", required=True)
    properties = _properties(bundle)
    dimensions = {
        prop["Key"]: Dimension(key=prop["Key"], kind=prop["Type"], entries=_dimension_entries(bundle, prop["Key"]))
        for prop in properties
        if prop["Type"] in DIMENSION_TYPES
    }
    return StatTable(
        path=path,
        table_id=table_id,
        title=_metadata_text(infos[0], "Title", "TableInfos") or "",
        dimensions=dimensions,
        topics=[prop for prop in properties if prop["Type"] == "Topic"],
        rows=bundle[DATA_ENTITY]["value"],
    )
