"""The CBS datasets the warehouse reads, and how a snapshot of each becomes raw rows (docs/cbs.md).

Every reader trims keys (CBS pads them: 'GM0392  '), parses the period key, keeps the period's status and turns a bad
TypedDataSet record into a quarantine row that names it, so one bad record never stops the rest of the file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from orchestration.cbs.client import DimensionFilter
from orchestration.cbs.periods import Period, normalise_status, parse_period
from orchestration.cbs.snapshot import Dimension, SnapshotError, StatTable, read_snapshot
from orchestration.warehouse.load import ParsedFile, Rejection

SCOPE_KEY = re.compile(r"^(GM[0-9]{4}|JZ[0-9]{2}|NL01)$")
JZ_CODE = re.compile(r"^JZ[0-9]{2}$")
AGE_TITLE = re.compile(r"^([0-9]{1,3}) jaar$")
TAAKVELD_TITLE = re.compile(r"^([0-9]{1,2}\.[0-9]{1,3}[a-z]?)(?:\s|$)")
# CBS dataderden: "geen opgave", the municipality did not report. Never an amount (DESIGN.md section 5).
IV3_NO_DATA = -99998
IV3_CENTS_PER_UNIT = 100_000  # amounts are x EUR 1,000


class RecordError(ValueError):
    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code


@dataclass(frozen=True)
class CbsDataset:
    name: str
    """Asset name and raw table suffix: raw.cbs_<name>."""
    table_ids: tuple[str, ...]
    """Table identifiers this dataset reads; a snapshot file's name starts with one of them."""
    reader: Callable[[StatTable, ParsedFile], None]
    description: str

    @property
    def raw_table(self) -> str:
        return f"raw.cbs_{self.name}"

    def claims(self, path: Path) -> bool:
        return any(path.name.upper().startswith(table_id.upper()) for table_id in self.table_ids)


def _record_ref(row: dict[str, Any], index: int) -> str:
    return f"TypedDataSet ID {row.get('ID', index)}"


def _key(row: dict[str, Any], dimension: Dimension) -> str:
    value = row.get(dimension.key)
    if not isinstance(value, str) or value.strip() not in dimension.entries:
        raise RecordError("DIMENSION_KEY_UNKNOWN", f"{dimension.key} {value!r} is not in the {dimension.key} table")
    return value.strip()


def _scope(row: dict[str, Any], table: StatTable) -> str:
    key = _key(row, table.dimension_of_kind("GeoDimension"))
    if not SCOPE_KEY.match(key):
        raise RecordError("REGION_NOT_SUPPORTED", f"region {key!r} is not a municipality (GM), JZ region or NL01")
    return key


def _period(row: dict[str, Any], table: StatTable) -> tuple[Period, str | None]:
    dimension = table.dimension_of_kind("TimeDimension")
    key = _key(row, dimension)
    try:
        return parse_period(key), normalise_status(dimension.entries[key].get("Status"))
    except ValueError as error:
        raise RecordError("PERIOD_INVALID", str(error)) from error


def _number(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError("VALUE_INVALID", f"{what} {value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RecordError("VALUE_INVALID", f"{what} {value!r} is not a number") from error
    if not number.is_finite():
        raise RecordError("VALUE_INVALID", f"{what} {value!r} is not a finite number")
    return number


def _period_columns(period: Period, status: str | None) -> dict[str, Any]:
    return {
        "period_code": period.code,
        "period_type": period.period_type,
        "period": period.period,
        "year": period.year,
        "status": status,
    }


def _read_records(table: StatTable, parsed: ParsedFile, read_one: Callable[[dict[str, Any]], Iterable[dict]]) -> None:
    # A cell of a CBS table is identified by its dimension keys: a second record with the same keys would count the
    # same youths or euros twice, so it is quarantined (the first one read stands).
    first_with_keys: dict[tuple[str, ...], str] = {}
    for index, row in enumerate(table.rows):
        cell = tuple(str(row.get(dimension.key, "")).strip() for dimension in table.dimensions.values())
        if cell in first_with_keys:
            reason = f"record {index}: same dimension keys {'/'.join(cell)} as {first_with_keys[cell]}"
            parsed.rejections.append(Rejection(_record_ref(row, index), "DUPLICATE_KEY", reason))
            continue
        first_with_keys[cell] = _record_ref(row, index)
        try:
            new_rows = list(read_one(row))
        except RecordError as error:
            parsed.rejections.append(Rejection(_record_ref(row, index), error.reason_code, f"record {index}: {error}"))
            continue
        for new_row in new_rows:
            new_row["table_id"] = table.table_id
            new_row["source_record"] = _record_ref(row, index)
        parsed.rows.extend(new_rows)


def read_observations(table: StatTable, parsed: ParsedFile) -> None:
    """Any statistics table in long form: one row per record and measure (Topic), other dimensions as category."""
    geo, time = table.dimension_of_kind("GeoDimension"), table.dimension_of_kind("TimeDimension")
    others = [dimension for dimension in table.dimensions.values() if dimension not in (geo, time)]

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        scope, (period, status) = _scope(row, table), _period(row, table)
        category = ";".join(f"{dimension.key}={_key(row, dimension)}" for dimension in others)
        values = [(topic, _number(row.get(topic["Key"]), topic["Key"])) for topic in table.topics]
        return [
            {
                "scope_code": scope,
                **_period_columns(period, status),
                "category": category,
                "measure_key": topic["Key"],
                "measure_title": topic.get("Title"),
                "unit": topic.get("Unit"),
                "value": float(value) if value is not None else None,
            }
            for topic, value in values
        ]

    _read_records(table, parsed, read_one)


def _total_key(dimension: Dimension) -> str:
    totals = [key for key, entry in dimension.entries.items() if str(entry.get("Title", "")).startswith("Totaal")]
    if len(totals) != 1:
        raise SnapshotError("SNAPSHOT_INCOMPLETE", f"dimension {dimension.key}: no single 'Totaal' entry")
    return totals[0]


def youth_age_keys(leeftijd: Dimension) -> dict[str, int | None]:
    """Age key -> age in years for the single years 0-17, and the total key -> None, read from the Leeftijd table
    (CBS age keys are opaque codes, so the titles '0 jaar' .. '17 jaar' identify them)."""
    ages: dict[str, int | None] = {_total_key(leeftijd): None}
    for key, entry in leeftijd.entries.items():
        match = AGE_TITLE.match(str(entry.get("Title", "")).strip())
        if match and int(match[1]) <= 17:
            ages[key] = int(match[1])
    missing = sorted(set(range(18)) - {age for age in ages.values() if age is not None})
    if missing:
        raise SnapshotError("SNAPSHOT_INCOMPLETE", f"Leeftijd table lacks single-year ages {missing}")
    return ages


def read_population(table: StatTable, parsed: ParsedFile) -> None:
    """03759ned, population on 1 January: the single-year ages 0-17 and the total, for all sexes and marital
    states. Records of other ages or sub-totals are outside this dataset and not read as records."""
    if "Leeftijd" not in table.dimensions or len(table.topics) != 1:
        raise SnapshotError("SNAPSHOT_MALFORMED", "population table needs a Leeftijd dimension and one measure")
    ages = youth_age_keys(table.dimensions["Leeftijd"])
    geo, time = table.dimension_of_kind("GeoDimension"), table.dimension_of_kind("TimeDimension")
    totals = {
        dimension.key: _total_key(dimension)
        for dimension in table.dimensions.values()
        if dimension not in (geo, time) and dimension.key != "Leeftijd"
    }
    measure = table.topics[0]["Key"]

    def in_dataset(row: dict[str, Any]) -> bool:
        if str(row.get("Leeftijd", "")).strip() not in ages:
            return False
        return all(str(row.get(dimension, "")).strip() == key for dimension, key in totals.items())

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        scope, (period, status) = _scope(row, table), _period(row, table)
        persons = _number(row.get(measure), measure)
        if persons is not None and (persons < 0 or persons != persons.to_integral_value()):
            raise RecordError("VALUE_INVALID", f"{measure} {persons} is not a count of persons")
        age_key = str(row["Leeftijd"]).strip()
        return [
            {
                "scope_code": scope,
                **_period_columns(period, status),
                "age_key": age_key,
                "age_years": ages[age_key],
                "persons": int(persons) if persons is not None else None,
            }
        ]

    _read_records(dataclasses.replace(table, rows=[row for row in table.rows if in_dataset(row)]), parsed, read_one)


def _jz_columns(table: StatTable) -> tuple[str, str | None]:
    """The Topic holding JZ codes (found by its values: its position shifts between editions) and the Topic right
    after it, which holds the region's name."""
    for position, topic in enumerate(table.topics):
        values = [str(row.get(topic["Key"]) or "").strip() for row in table.rows]
        present = [value for value in values if value]
        if present and all(JZ_CODE.match(value) for value in present):
            name = table.topics[position + 1]["Key"] if position + 1 < len(table.topics) else None
            return topic["Key"], name
    raise SnapshotError("JZ_COLUMN_NOT_FOUND", "no column holds jeugdzorgregio codes (JZnn)")


def read_regions(table: StatTable, parsed: ParsedFile) -> None:
    """Gebieden in Nederland: municipality -> jeugdzorgregio for the table's year."""
    code_column, name_column = _jz_columns(table)
    geo = table.dimension_of_kind("GeoDimension")

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        municipality, (period, status) = _key(row, geo), _period(row, table)
        if not municipality.startswith("GM"):
            raise RecordError("REGION_NOT_SUPPORTED", f"{municipality!r} is not a municipality (GM) key")
        region = str(row.get(code_column) or "").strip()
        if not JZ_CODE.match(region):
            raise RecordError("VALUE_INVALID", f"municipality {municipality} has no jeugdzorgregio code")
        return [
            {
                "municipality_code": municipality,
                "municipality_name": str(geo.entries[municipality].get("Title") or "").strip(),
                "region_code": region,
                "region_name": str(row.get(name_column) or "").strip() if name_column else None,
                **_period_columns(period, status),
            }
        ]

    _read_records(table, parsed, read_one)


def _iv3_amount(value: Any, what: str) -> tuple[Decimal | None, bool]:
    number = _number(value, what)
    if number is not None and number == IV3_NO_DATA:
        return None, True
    return number, False


def _report_kind(title: str) -> str:
    lowered = title.lower()
    if "begroting" in lowered:
        return "begroting"
    if "jaarrekening" in lowered:
        return "jaarrekening"
    match = re.search(r"([1-4])e?\s*kwartaal|kwartaal\s*([1-4])", lowered)
    if match:
        return f"kwartaal_{match[1] or match[2]}"
    raise RecordError("REPORT_KIND_UNKNOWN", f"Verslagsoort {title!r} is not a begroting, jaarrekening or quarter")


IV3_DIMENSIONS = ("TaakveldBalanspost", "Categorie", "Gemeenten", "Verslagsoort", "Perioden")
IV3_MEASURES = ("k_1ePlaatsing_1", "k_2ePlaatsing_2")


def read_iv3(table: StatTable, parsed: ParsedFile) -> None:
    """Iv3 (CBS dataderden): amounts x EUR 1,000 per municipality, taakveld, lasten/baten and report kind. The
    revised second placement (2ePlaatsing) is preferred when present; -99998 (geen opgave) is null, never money."""
    missing = [key for key in IV3_DIMENSIONS if key not in table.dimensions]
    missing += [key for key in IV3_MEASURES if key not in {topic["Key"] for topic in table.topics}]
    if missing:
        raise SnapshotError("SNAPSHOT_MALFORMED", f"not an Iv3 table: missing {', '.join(missing)}")
    taakvelden, categories = table.dimensions["TaakveldBalanspost"], table.dimensions["Categorie"]
    municipalities, reports = table.dimensions["Gemeenten"], table.dimensions["Verslagsoort"]

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        municipality = _key(row, municipalities)
        if not re.match(r"^GM[0-9]{4}$", municipality):
            raise RecordError("REGION_NOT_SUPPORTED", f"Gemeenten {municipality!r} is not a GM code")
        period, status = _period(row, table)
        if period.period_type != "year":
            raise RecordError("PERIOD_INVALID", f"Iv3 period {period.code} is not a year")
        category = _key(row, categories)
        if category not in ("L", "B"):
            raise RecordError("VALUE_INVALID", f"Categorie {category!r} is not L (lasten) or B (baten)")
        taakveld_key = _key(row, taakvelden)
        taakveld_title = str(taakvelden.entries[taakveld_key].get("Title") or "").strip()
        taakveld = TAAKVELD_TITLE.match(taakveld_title)
        report_key = _key(row, reports)
        report_title = str(reports.entries[report_key].get("Title") or report_key).strip()
        first, first_no_data = _iv3_amount(row.get("k_1ePlaatsing_1"), "k_1ePlaatsing_1")
        second, second_no_data = _iv3_amount(row.get("k_2ePlaatsing_2"), "k_2ePlaatsing_2")
        chosen = second if second is not None else first
        return [
            {
                "municipality_code": municipality,
                **_period_columns(period, status),
                "taakveld_key": taakveld_key,
                "taakveld_code": taakveld[1] if taakveld else None,
                "taakveld_title": taakveld_title,
                "category": category,
                "report_key": report_key,
                "report_kind": _report_kind(report_title),
                "amount_1e_thousands": float(first) if first is not None else None,
                "amount_1e_no_data": first_no_data,
                "amount_2e_thousands": float(second) if second is not None else None,
                "amount_2e_no_data": second_no_data,
                "placement": None if chosen is None else ("2e" if second is not None else "1e"),
                "amount_cents": int((chosen * IV3_CENTS_PER_UNIT).to_integral_value()) if chosen is not None else None,
            }
        ]

    _read_records(table, parsed, read_one)


def read_dataset_file(path: Path, dataset: CbsDataset, data: bytes | None = None) -> ParsedFile:
    """A snapshot file (data: its bytes, when the ingest already read them) read into raw rows for `dataset`, or
    rejected as a whole with a reason naming the file."""
    money = dataset.reader is read_iv3
    parsed = ParsedFile(path, f"CBS:{dataset.table_ids[0]}", cents_column="amount_cents" if money else None)
    try:
        table = read_snapshot(path, data)
        parsed.message_type = f"CBS:{table.table_id}"
        if not money and table.table_id.upper() not in {table_id.upper() for table_id in dataset.table_ids}:
            expected = "/".join(dataset.table_ids)
            raise SnapshotError("TABLE_MISMATCH", f"holds table {table.table_id}, expected {expected}")
        dataset.reader(table, parsed)
    except SnapshotError as error:
        return parsed.reject_file(error.reason_code, str(error))
    return parsed


KERNCIJFERS = CbsDataset(
    "jeugdzorg_kerncijfers",
    ("85099NED", "84134NED"),
    read_observations,
    "Jeugdzorg kerncijfers: youths with jeugdhulp, jeugdbescherming, jeugdreclassering (85099NED from 2021, 84134NED "
    "for 2015-2020)",
)
TRAJECTEN = CbsDataset(
    "jeugdzorg_trajecten",
    ("85097NED",),
    read_observations,
    "Jeugdhulptrajecten in natura by referrer, duration and end reason (85097NED)",
)
GEMEENTEN = CbsDataset(
    "jeugdzorg_gemeenten",
    ("85098NED",),
    read_observations,
    "Jeugdzorg indicators per municipality (85098NED)",
)
KOSTEN = CbsDataset(
    "jeugdzorg_kosten",
    ("83454NED",),
    read_observations,
    "Begrote en gerealiseerde kosten jeugdzorg per municipality, x EUR 1,000 (83454NED)",
)
POPULATION = CbsDataset(
    "population",
    ("03759NED",),
    read_population,
    "Population on 1 January by single year of age 0-17 and in total (03759ned)",
)
REGIONS = CbsDataset(
    "regions",
    ("86059NED", "85755NED", "83287NED"),
    read_regions,
    "Gebieden in Nederland: municipality -> jeugdzorgregio per year",
)
IV3 = CbsDataset(
    "iv3",
    ("IV3",),
    read_iv3,
    "Iv3 begroting, jaarrekening and quarterly figures per municipality and taakveld (CBS dataderden), x EUR 1,000",
)
STATISTICS_DATASETS = (KERNCIJFERS, TRAJECTEN, GEMEENTEN, KOSTEN, POPULATION, REGIONS)


def online_filter(scope_codes: set[str]) -> DimensionFilter:
    """For an online pull: only the warehouse's municipalities, regions and NL01, and for the population table only
    the totals of the other dimensions and the ages 0-17 (03759ned has millions of rows otherwise)."""

    def select(dimension: str, entries: list[dict[str, Any]]) -> Iterable[str] | None:
        keys = {str(entry.get("Key", "")).strip(): str(entry.get("Key", "")) for entry in entries}
        if dimension in ("RegioS", "Gemeenten"):
            return [padded for key, padded in keys.items() if key in scope_codes]
        if dimension == "Leeftijd":
            trimmed = {str(entry.get("Key", "")).strip(): entry for entry in entries}
            wanted = youth_age_keys(Dimension(dimension, "Dimension", trimmed))
            return [padded for key, padded in keys.items() if key in wanted]
        if dimension in ("Geslacht", "BurgerlijkeStaat"):
            return [entry["Key"] for entry in entries if str(entry.get("Title", "")).startswith("Totaal")]
        return None

    return select
