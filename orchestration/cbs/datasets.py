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
from orchestration.cbs.periods import JEUGDWET_YEARS, Period, normalise_status, parse_period
from orchestration.cbs.snapshot import (
    MAX_METADATA_TEXT,
    Dimension,
    DuplicateNames,
    SnapshotError,
    StatTable,
    read_snapshot,
)
from orchestration.reasons import ReasonError
from orchestration.stored_text import TextError, shown, stored_text
from orchestration.warehouse.load import ParsedFile, Rejection

SCOPE_KEY = re.compile(r"^(GM[0-9]{4}|JZ[0-9]{2}|NL01)$")
MUNICIPALITY_KEY = re.compile(r"^GM[0-9]{4}$")
# A number as OData writes Edm.Decimal and Edm.Int64 (as a JSON string); Decimal() alone would also take '1_000',
# 'NaN' and digits of other scripts.
NUMBER_TEXT = re.compile(r"^\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$")
# No CBS youth-care figure or population count comes near a billion (the Netherlands has 18 million people; costs are
# in thousands of euros); above it a figure is a broken file, and x 100,000 cents would no longer fit a bigint.
MAX_FIGURE = 10**9
# An Iv3 amount above EUR 10 billion (x EUR 1,000) is more than the Dutch youth-care spending of a year, and keeps the
# cents of a 200 MB snapshot summed in the ledger inside a bigint.
IV3_MAX_THOUSANDS = 10**7
JZ_CODE = re.compile(r"^JZ[0-9]{2}$")
AGE_TITLE = re.compile(r"^([0-9]{1,3}) jaar$")
TAAKVELD_TITLE = re.compile(r"^([0-9]{1,2}\.[0-9]{1,3}[a-z]?)(?:\s|$)")
# CBS dataderden: "geen opgave", the municipality did not report. Never an amount (DESIGN.md section 5).
IV3_NO_DATA = -99998
IV3_CENTS_PER_UNIT = 100_000  # amounts are x EUR 1,000


class RecordError(ReasonError):
    """One CBS record the reader quarantines."""


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
    # The ID goes into audit.quarantine, so only a plain number is taken from the file; otherwise the position.
    record_id = row.get("ID")
    if isinstance(record_id, int) and not isinstance(record_id, bool) and 0 <= record_id < 10**12:
        return f"TypedDataSet ID {record_id}"
    return f"TypedDataSet record {index}"


def _key(row: dict[str, Any], dimension: Dimension) -> str:
    value = row.get(dimension.key)
    if not isinstance(value, str) or value.strip() not in dimension.entries:
        raise RecordError(
            "DIMENSION_KEY_UNKNOWN", f"{dimension.key} {shown(value)} is not in the {dimension.key} table"
        )
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


def _number(value: Any, what: str, limit: int = MAX_FIGURE) -> Decimal | None:
    """A figure of a record, exact; None where CBS publishes none. A figure beyond +-limit is VALUE_OUT_OF_RANGE
    (JSON's 1e400 arrives as infinity and is VALUE_INVALID, as are NaN and Infinity)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RecordError("VALUE_INVALID", f"{what} {shown(value)} is not a number")
    if isinstance(value, str) and not NUMBER_TEXT.match(value):
        raise RecordError("VALUE_INVALID", f"{what} {shown(value)} is not a number")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation as error:
        raise RecordError("VALUE_INVALID", f"{what} {shown(value)} is not a number") from error
    if not number.is_finite():
        raise RecordError("VALUE_INVALID", f"{what} {shown(value)} is not a finite number")
    if abs(number) > limit:
        raise RecordError("VALUE_OUT_OF_RANGE", f"{what} {shown(value)} is beyond +-{limit:,}")
    return number


def _not_negative(number: Decimal | None, what: str) -> Decimal | None:
    # The blocking suites on the CBS raw tables hold every count, share, duration and cost at zero or more.
    if number is not None and number < 0:
        raise RecordError("VALUE_NEGATIVE", f"{what} {number} is negative")
    return number


def _jeugdwet_year(period: Period) -> None:
    # marts.fct_budget and its suite hold the years of the Jeugdwet (2015) to 2099.
    if period.year not in JEUGDWET_YEARS:
        raise RecordError("PERIOD_INVALID", f"period {period.code} is outside the Jeugdwet years 2015-2099")


def _period_columns(period: Period, status: str | None) -> dict[str, Any]:
    return {
        "period_code": period.code,
        "period_type": period.period_type,
        "period": period.period,
        "year": period.year,
        "status": status,
    }


def _read_records(
    table: StatTable,
    parsed: ParsedFile,
    read_one: Callable[[dict[str, Any]], Iterable[dict]],
    unique_columns: tuple[str, ...],
) -> None:
    # The raw table's suite holds unique_columns unique per file: a second record giving a row the same values would
    # count the same youths or euros twice, so it is quarantined (the first one read stands).
    first_with_key: dict[tuple, str] = {}
    for index, row in enumerate(table.rows):
        record_ref = _record_ref(row, index)
        if isinstance(row, DuplicateNames):
            reason = f"record {index}: names {', '.join(row.names)} twice, so which value is meant is unknown"
            parsed.rejections.append(Rejection(record_ref, "JSON_NAME_DUPLICATE", reason))
            continue
        try:
            new_rows = list(read_one(row))
        except RecordError as error:
            parsed.rejections.append(Rejection(record_ref, error.reason_code, f"record {index}: {error}"))
            continue
        keys = [tuple(new_row[column] for column in unique_columns) for new_row in new_rows]
        earlier = next((first_with_key[key] for key in keys if key in first_with_key), None)
        if earlier is not None:
            reason = f"record {index}: same {', '.join(unique_columns)} as {earlier}"
            parsed.rejections.append(Rejection(record_ref, "DUPLICATE_KEY", reason))
            continue
        first_with_key.update(dict.fromkeys(keys, record_ref))
        for new_row in new_rows:
            new_row["table_id"] = table.table_id
            new_row["source_record"] = record_ref
        parsed.rows.extend(new_rows)


def read_observations(table: StatTable, parsed: ParsedFile) -> None:
    """Any statistics table in long form: one row per record and measure (Topic), other dimensions as category."""
    if not table.topics:
        raise SnapshotError("SNAPSHOT_MALFORMED", "DataProperties names no Topic (measure)")
    geo, time = table.dimension_of_kind("GeoDimension"), table.dimension_of_kind("TimeDimension")
    others = [dimension for dimension in table.dimensions.values() if dimension not in (geo, time)]

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        scope, (period, status) = _scope(row, table), _period(row, table)
        _jeugdwet_year(period)
        if status is None:
            raise RecordError("STATUS_MISSING", f"period {period.code} has no Status in the Perioden table")
        category = ";".join(f"{dimension.key}={_key(row, dimension)}" for dimension in others)
        values = [
            (topic, _not_negative(_number(row.get(topic["Key"]), topic["Key"]), topic["Key"])) for topic in table.topics
        ]
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

    _read_records(table, parsed, read_one, ("scope_code", "period_code", "category", "measure_key"))


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

    def trimmed(row: dict[str, Any], dimension: str) -> str | None:
        value = row.get(dimension)
        return value.strip() if isinstance(value, str) else None

    def in_dataset(row: dict[str, Any]) -> bool:
        if trimmed(row, "Leeftijd") not in ages:
            return False
        return all(trimmed(row, dimension) == key for dimension, key in totals.items())

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        scope, (period, status) = _scope(row, table), _period(row, table)
        if period.period_type != "year":
            raise RecordError("PERIOD_INVALID", f"population period {period.code} is not a year (1 January)")
        persons = _not_negative(_number(row.get(measure), measure), measure)
        if persons is not None and persons != persons.to_integral_value():
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

    in_scope = dataclasses.replace(table, rows=[row for row in table.rows if in_dataset(row)])
    _read_records(in_scope, parsed, read_one, ("scope_code", "period_code", "age_key"))
    _quarantine_youth_above_total(parsed)


def _quarantine_youth_above_total(parsed: ParsedFile) -> None:
    """marts.fct_population's blocking suite holds population_total >= youth_0_17 (the sum of the 18 ages, when all
    are known). fct_population reads one file per municipality and year, so the door checks it per file: a municipality
    and year whose ages sum above its total are quarantined together, as no one of their records is known to be the
    wrong one."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in parsed.rows:
        groups.setdefault((row["scope_code"], row["period_code"]), []).append(row)
    inconsistent: set[int] = set()
    for (scope, period_code), rows in groups.items():
        totals = [row["persons"] for row in rows if row["age_years"] is None]
        ages = [row["persons"] for row in rows if row["age_years"] is not None and row["persons"] is not None]
        if len(totals) != 1 or totals[0] is None or len(ages) != 18 or sum(ages) <= totals[0]:
            continue
        reason = f"{scope} {period_code}: the ages 0-17 sum to {sum(ages)}, more than the total {totals[0]}"
        for row in rows:
            inconsistent.add(id(row))
            parsed.rejections.append(Rejection(row["source_record"], "POPULATION_TOTAL_BELOW_YOUTH", reason))
    parsed.rows = [row for row in parsed.rows if id(row) not in inconsistent]


def read_costs(table: StatTable, parsed: ParsedFile) -> None:
    """83454NED: marts.fct_budget makes one begroting line of the measure whose title holds 'begro' and one
    realisatie line of the other, per municipality and year. Another shape (a third measure, a second dimension)
    would give fct_budget two rows for one key and stop the marts, so it is rejected here."""
    geo, time = table.dimension_of_kind("GeoDimension"), table.dimension_of_kind("TimeDimension")
    others = [dimension.key for dimension in table.dimensions.values() if dimension not in (geo, time)]
    budgeted = [topic["Key"] for topic in table.topics if "begro" in (topic.get("Title") or "").lower()]
    if others or len(table.topics) != 2 or len(budgeted) != 1:
        raise SnapshotError(
            "SNAPSHOT_MALFORMED",
            f"83454NED must be {geo.key} x {time.key} with one begrote and one gerealiseerde measure; found other "
            f"dimensions {others or 'none'}, measures {[topic['Key'] for topic in table.topics]}, begroot {budgeted}",
        )
    read_observations(table, parsed)


def _jz_columns(table: StatTable) -> tuple[str, str | None]:
    """The Topic holding JZ codes (found by its values: its position shifts between editions) and the Topic right
    after it, which holds the region's name. Most of its values suffice, so one bad record is quarantined alone
    rather than hiding the column and rejecting the file."""
    for position, topic in enumerate(table.topics):
        values = [row.get(topic["Key"]) for row in table.rows]
        present = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        if present and 2 * sum(1 for value in present if JZ_CODE.match(value)) > len(present):
            name = table.topics[position + 1]["Key"] if position + 1 < len(table.topics) else None
            return topic["Key"], name
    raise SnapshotError("JZ_COLUMN_NOT_FOUND", "no column holds jeugdzorgregio codes (JZnn)")


def read_regions(table: StatTable, parsed: ParsedFile) -> None:
    """Gebieden in Nederland: municipality -> jeugdzorgregio for the table's year."""
    code_column, name_column = _jz_columns(table)
    geo = table.dimension_of_kind("GeoDimension")

    def read_one(row: dict[str, Any]) -> Iterable[dict[str, Any]]:
        municipality, (period, status) = _key(row, geo), _period(row, table)
        if not MUNICIPALITY_KEY.match(municipality):
            raise RecordError("REGION_NOT_SUPPORTED", f"{municipality!r} is not a municipality (GM####) key")
        region = row.get(code_column)
        if not isinstance(region, str) or not JZ_CODE.match(region.strip()):
            raise RecordError("VALUE_INVALID", f"municipality {municipality} has no jeugdzorgregio code")
        region_name = row.get(name_column) if name_column else None
        # dim_region.region_name is not null, and the suite on raw.cbs_regions holds it so.
        if not isinstance(region_name, str) or not region_name.strip():
            raise RecordError("VALUE_INVALID", f"municipality {municipality}: region {region.strip()} has no name")
        try:
            region_name = stored_text(region_name.strip(), MAX_METADATA_TEXT)
        except TextError as error:
            raise RecordError(error.reason_code, f"region name {error}") from error
        return [
            {
                "municipality_code": municipality,
                "municipality_name": geo.entries[municipality].get("Title") or "",
                "region_code": region.strip(),
                "region_name": region_name,
                **_period_columns(period, status),
            }
        ]

    _read_records(table, parsed, read_one, ("municipality_code", "period_code"))


def _iv3_amount(value: Any, what: str) -> tuple[Decimal | None, bool]:
    number = _number(value, what, IV3_MAX_THOUSANDS)
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
        if not MUNICIPALITY_KEY.match(municipality):
            raise RecordError("REGION_NOT_SUPPORTED", f"Gemeenten {municipality!r} is not a GM code")
        period, status = _period(row, table)
        if period.period_type != "year":
            raise RecordError("PERIOD_INVALID", f"Iv3 period {period.code} is not a year")
        _jeugdwet_year(period)
        category = _key(row, categories)
        if category not in ("L", "B"):
            raise RecordError("VALUE_INVALID", f"Categorie {category!r} is not L (lasten) or B (baten)")
        taakveld_key = _key(row, taakvelden)
        taakveld_title = taakvelden.entries[taakveld_key].get("Title") or ""
        taakveld = TAAKVELD_TITLE.match(taakveld_title)
        report_key = _key(row, reports)
        report_title = reports.entries[report_key].get("Title") or report_key
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

    # Unique per report kind, not only per report key: fct_budget keeps one figure per kind (the newest file's), so
    # two keys of one kind in a file (two 'Jaarrekening' entries) would leave the choice to chance.
    iv3_key = ("municipality_code", "period_code", "taakveld_key", "category", "report_kind")
    _read_records(table, parsed, read_one, iv3_key)


def _as_cbs_spells_it(table_id: str, dataset: CbsDataset) -> str:
    # The suites on the raw tables know a table id as CBS spells it ('85099NED', '03759ned'); a file may write it in
    # another case, which is the same table.
    for known in dataset.table_ids:
        if known.upper() == table_id.upper():
            return known
    raise SnapshotError("TABLE_MISMATCH", f"holds table {table_id}, expected {'/'.join(dataset.table_ids)}")


def read_dataset_file(path: Path, dataset: CbsDataset, data: bytes | None = None) -> ParsedFile:
    """A snapshot file (data: its bytes, when the ingest already read them) read into raw rows for `dataset`, or
    rejected as a whole with a reason naming the file."""
    money = dataset.reader is read_iv3
    parsed = ParsedFile(path, f"CBS:{dataset.table_ids[0]}", cents_column="amount_cents" if money else None)
    try:
        table = read_snapshot(path, data)
        parsed.message_type = f"CBS:{table.table_id}"
        if not money:
            table = dataclasses.replace(table, table_id=_as_cbs_spells_it(table.table_id, dataset))
            parsed.message_type = f"CBS:{table.table_id}"
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
    read_costs,
    "Begrote en gerealiseerde kosten jeugdzorg per municipality, x EUR 1,000 (83454NED)",
)
POPULATION = CbsDataset(
    "population",
    ("03759ned",),
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
