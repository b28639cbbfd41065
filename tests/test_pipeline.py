"""The whole pipeline on the shipped sample, checked against totals computed straight from the XML files."""

import json
import re
import urllib.parse
from collections import defaultdict
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw.bsn import is_valid_bsn
from orchestration.settings import EXPECTATIONS_DIR, Settings
from orchestration.warehouse.publish import PUBLISHED_FILENAME
from tests.conftest import REPO_ROOT
from tests.sample_world import fault_manifest, relative

NS = {
    "m": "http://www.istandaarden.nl/ijw/3_2/jw323/schema",
    "b": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
}


def expected_net_cents(landing: Path) -> dict[tuple[str, str], int]:
    """Net declared cents per (GM code, quarter of the product period), by XPath over the landed JW323 messages,
    leaving out the files and lines the generator's fault manifest lists (independently of the reader)."""
    faulty_files, faulty_lines = fault_manifest()
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for path in sorted((landing / "ijw").rglob("JW323_*.xml")):
        name = relative(path, landing)
        if name in faulty_files:
            continue
        tree = etree.parse(str(path))
        municipality = "GM" + tree.findtext("m:Header/m:Ontvanger", namespaces=NS)
        for line in tree.xpath("//m:Client/m:Prestaties/m:Prestatie", namespaces=NS):
            if (name, line.xpath("string(m:ProductReferentie/b:ReferentieNummer)", namespaces=NS)) in faulty_lines:
                continue
            cents = int(line.xpath("string(m:IngediendBedrag/b:Bedrag)", namespaces=NS))
            sign = -1 if line.xpath("string(m:IngediendBedrag/b:DebetCredit)", namespaces=NS) == "C" else 1
            begin = line.xpath("string(m:ProductPeriode/b:Begindatum)", namespaces=NS)
            totals[(municipality, f"{begin[:4]}-Q{(int(begin[5:7]) - 1) // 3 + 1}")] += sign * cents
    return dict(totals)


def region_of() -> dict[str, str]:
    rows = (REPO_ROOT / "seeds" / "reference" / "municipalities.csv").read_text().splitlines()[1:]
    return {row.split(",")[0]: row.split(",")[2] for row in rows}


def query(sample_run, sql: str):
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_both_runs_succeed_with_every_blocking_check_passing(sample_run):
    for result in (sample_run["first"], sample_run["second"]):
        assert result.success
        evaluations = result.get_asset_check_evaluations()
        assert evaluations and all(evaluation.passed for evaluation in evaluations if evaluation.blocking)
    # The sample's Iv3 snapshot holds a 'geen opgave' (-99998) on purpose: the one warning, raised by the run that
    # loads it (the second run reads no file).
    failed = {
        run: {
            evaluation.check_name
            for evaluation in sample_run[run].get_asset_check_evaluations()
            if not evaluation.passed
        }
        for run in ("first", "second")
    }
    assert failed == {"first": {"iv3_geen_opgave"}, "second": set()}
    # The first run loads in two lanes; the second has no file to read, so it starts none (issue 24).
    for run, lanes in (("first", 2), ("second", 1)):
        raw_tables = [
            materialization
            for materialization in sample_run[run].get_asset_materialization_events()
            if materialization.asset_key.to_user_string().startswith("raw/ijw_")
        ]
        processes = {event.materialization.metadata["ingest_processes"].value for event in raw_tables}
        assert len(raw_tables) == 5 and processes == {lanes}, (
            "the sample's first run loads the iJw messages in two lanes"
        )


def test_dbt_parses_the_project_once_per_warehouse(sample_run):
    """Each run builds the star schema, then the KPI marts: the first run's KPI build already reuses the parse of its
    star schema build, in the warehouse's own dbt target folder (dbt's log keeps the last invocation whole)."""
    for log in sample_run["dbt_logs"]:
        events = [json.loads(line) for line in log.splitlines()]
        *_, (invocation, arguments) = [
            (event["info"]["invocation_id"], event["data"]["args"])
            for event in events
            if event["info"]["name"] == "MainReportArgs"
        ]
        events = [event for event in events if event["info"]["invocation_id"] == invocation]
        command = arguments["invocation_command"].split()
        assert command[0] == "dbt" and "build" in command and "tag:kpi" in command
        assert not [event["data"] for event in events if event["info"]["name"] == "UnableToPartialParse"]
        assert [event for event in events if event["info"]["name"] == "CommandCompleted"]


def test_ledger_balances_records_and_cents_per_file(sample_run):
    rows = query(
        sample_run,
        """
        select file_path, records_read, records_accepted, records_quarantined,
               amount_cents_read, amount_cents_accepted, amount_cents_quarantined
        from audit.ingest_ledger
        """,
    )
    ((files,),) = query(sample_run, "select count(*) from audit.ingest_ledger where status <> 'duplicate'")
    assert files == len(sample_run["files"])
    for _, read, accepted, quarantined, cents_read, cents_accepted, cents_quarantined in rows:
        assert read == accepted + quarantined
        assert cents_read == cents_accepted + cents_quarantined
    # The ledger agrees with what the tables hold.
    ((raw_lines, raw_cents),) = query(sample_run, "select count(*), sum(amount_cents) from raw.ijw_declaration_lines")
    ((ledger_lines, ledger_cents),) = query(
        sample_run,
        "select sum(records_accepted), sum(amount_cents_accepted) from audit.ingest_ledger "
        "where message_type = 'JW323'",
    )
    assert (raw_lines, raw_cents) == (ledger_lines, ledger_cents)
    ((quarantined_cents,),) = query(sample_run, "select sum(amount_cents) from audit.quarantine")
    ((ledger_quarantined,),) = query(sample_run, "select sum(amount_cents_quarantined) from audit.ingest_ledger")
    assert quarantined_cents == ledger_quarantined


def test_net_cents_per_municipality_and_quarter_equal_the_xml(sample_run):
    expected = expected_net_cents(sample_run["landing"])
    actual = query(
        sample_run,
        """
        select municipality_code,
               extract(year from period_start) || '-Q' || extract(quarter from period_start),
               sum(amount_cents)
        from marts.fct_declaration_line group by 1, 2
        """,
    )
    assert {(municipality, quarter): cents for municipality, quarter, cents in actual} == expected


def test_kpi_values_match_the_xml_per_municipality_and_region(sample_run):
    expected = expected_net_cents(sample_run["landing"])
    regions = region_of()
    expected_regions: dict[tuple[str, str], int] = defaultdict(int)
    for (municipality, quarter), cents in expected.items():
        expected_regions[(regions[municipality], quarter)] += cents
    rows = query(
        sample_run,
        "select scope_type, scope_code, period, numerator, value from marts.kpi_values "
        "where kpi_id = 'net_declared_cost' and period_type = 'quarter'",
    )
    municipal = {
        (code, period): int(numerator) for scope, code, period, numerator, _ in rows if scope == "municipality"
    }
    regional = {(code, period): int(numerator) for scope, code, period, numerator, _ in rows if scope == "region"}
    assert municipal == expected
    assert regional == dict(expected_regions)
    assert all(round(float(value) * 100) == int(numerator) for _, _, _, numerator, value in rows)


def test_region_coverage_follows_the_quarters_each_municipality_delivered(sample_run):
    """kpi_coverage per region and quarter against the quarters in which each municipality of the seed's region has
    fault-free declaration lines in the XML: covered where it delivered, a warning where one of the region's
    municipalities did not. The shipped sample has a whole region (Rijk van Nijmegen: all seven deliver every quarter)
    and a partial one (IJmond: Velsen alone), so both outcomes are checked."""
    delivered = set(expected_net_cents(sample_run["landing"]))
    members: dict[str, set[str]] = defaultdict(set)
    for municipality, region in region_of().items():
        members[region].add(municipality)
    regions = {region for region, codes in members.items() if any(code in codes for code, _ in delivered)}
    quarters = {quarter for _, quarter in delivered}
    expected = {}
    for region in regions:
        for quarter in quarters:
            covered = sum((code, quarter) in delivered for code in members[region])
            expected[(region, quarter)] = (len(members[region]), covered, covered < len(members[region]))
    rows = query(
        sample_run,
        "select distinct region_code, period, municipalities_in_region, municipalities_covered, coverage_warning "
        "from marts.kpi_coverage where period_type = 'quarter'",
    )
    actual = {(region, period): tuple(figures) for region, period, *figures in rows if period in quarters}
    assert {key: actual.get(key) for key in expected} == expected
    warned = {region for (region, _), (_, _, warning) in expected.items() if warning}
    assert warned and regions - warned, "the sample needs a whole region and a partly covered one"


def test_the_injected_faults_are_quarantined_and_no_bsn_is_stored(sample_run):
    faulty_files, faulty_lines = fault_manifest()
    (file_rows,) = query(sample_run, "select count(*) from audit.quarantine where record_ref is null")[0]
    (line_rows,) = query(
        sample_run,
        "select count(*) from audit.quarantine q join audit.ingest_ledger l using (file_sha256) "
        "where q.record_ref is not null and l.status = 'loaded'",
    )[0]
    assert (file_rows, line_rows) == (len(faulty_files), len(faulty_lines))
    bsns = landed_bsns(sample_run)
    assert len(bsns) > 10
    look_alikes = identifiers_that_pass_the_elfproef(sample_run)
    assert look_alikes
    # Every column of every table and view, in every schema: no BSN anywhere in a value, no look-alike as a value.
    tables = query(sample_run, "select table_schema || '.' || table_name from information_schema.tables")
    for (table,) in tables:
        rows = query(sample_run, f"select * from {table}")
        dump = repr(rows)
        assert not any(bsn in dump for bsn in bsns), f"a BSN appears in {table}"
        assert not look_alikes & {str(value) for row in rows for value in row}, f"a BSN-like identifier in {table}"


def test_relanding_the_same_files_changes_nothing(sample_run):
    """The second run over the same landing reads no file and writes no ledger row (issue 24)."""
    statuses = dict(query(sample_run, "select status, count(*) from audit.ingest_ledger group by 1"))
    assert statuses["loaded"] + statuses["rejected"] == len(sample_run["files"]) and "duplicate" not in statuses
    second = sample_run["second"].run_id
    assert query(sample_run, f"select count(*) from audit.ingest_ledger where run_id = '{second}'") == [(0,)]
    assert query(sample_run, "select * from marts.fct_declaration_line order by all") == sample_run["facts_after_first"]


SMALL_NUMBER = """
    select count(*)
    from {kpis} as kpi
    inner join {catalogue} as catalogue
        on kpi.kpi_id = catalogue.kpi_id
    where (catalogue.unit = 'count' and kpi.value > 0 and kpi.value < {threshold})
       or (catalogue.numerator_kind = 'count' and kpi.numerator > 0 and kpi.numerator < {threshold})
       or (catalogue.denominator_kind = 'count' and kpi.denominator > 0 and kpi.denominator < {threshold})
"""


def test_no_published_count_lies_between_zero_and_the_threshold(sample_run):
    threshold = Settings.from_env().suppression_threshold
    published = sample_run["db"].parent / "published" / PUBLISHED_FILENAME
    with duckdb.connect(str(published), read_only=True) as con:
        leaked = con.execute(SMALL_NUMBER.format(kpis="kpi_values", catalogue="dim_kpi", threshold=threshold))
        assert leaked.fetchone() == (0,)
        withheld = set(
            con.execute(
                "select kpi_id, scope_type, scope_code, period from kpi_values where suppressed and value is null"
            ).fetchall()
        )
    # The sample has small numbers, which the warehouse keeps exactly: the published copy withheld every one of them,
    # and more (their complements, tested below).
    small = SMALL_NUMBER.format(kpis="marts.kpi_values", catalogue="marts.dim_kpi", threshold=threshold)
    internal = set(
        query(sample_run, small.replace("select count(*)", "select kpi.kpi_id, scope_type, scope_code, period"))
    )
    assert internal and internal < withheld


def landed_bsns(sample_run) -> set[str]:
    """Every BSN in the landed messages, valid or not (the injected BSN_INVALID faults included)."""
    found, references = set(), set()
    for path in sample_run["files"]:
        content = path.read_bytes()
        found.update(bsn.decode() for bsn in re.findall(rb"<[a-z0-9]+:Bsn>([0-9]{9})<", content))
        references.update(value.decode() for value in re.findall(rb"<[a-z0-9]+:ReferentieNummer>([^<]*)<", content))
    # The sample has providers that write a client's BSN as their ReferentieNummer (orchestration/generator).
    assert references & found
    return found


def identifiers_that_pass_the_elfproef(sample_run) -> set[str]:
    """Every landed element text other than a Bsn that is nine digits passing the elfproef: a client's BSN used as a
    reference, or an identifier that cannot be told from one (a ToewijzingNummer that passes). The door replaces each;
    as part of a longer identifier (ReferentieAanbieder 98110006-156800020) it is no BSN and stays."""
    found = set()
    for path in sample_run["files"]:
        for value in re.findall(rb"<[a-z0-9]+:(?!Bsn>)[A-Za-z]+>([0-9]{9})<", path.read_bytes()):
            if is_valid_bsn(value.decode()):
                found.add(value.decode())
    return found


def test_no_bsn_in_the_published_file_nor_any_file_under_the_warehouse_dir(sample_run):
    bsns = landed_bsns(sample_run)
    warehouse_dir = sample_run["db"].parent
    published = warehouse_dir / "published" / "marts.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        for (table,) in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall():
            dump = repr(con.execute(f"select * from {table}").fetchall())  # noqa: S608 - names from the catalog
            assert not any(bsn in dump for bsn in bsns), f"a BSN appears in published {table}"
    files = [path for path in warehouse_dir.rglob("*") if path.is_file()]
    # The Data Docs site is among them (one page per validated suite), so the scan covers what auditors read.
    assert any(path.name == "index.html" and path.parent.name == "data_docs" for path in files)
    for path in files:
        content = path.read_bytes()
        leaked = [bsn for bsn in bsns if bsn.encode() in content or bsn.encode("utf-16-le") in content]
        assert not leaked, f"a landed BSN appears in {path}"


def test_every_suite_ran_blocking_and_links_its_data_docs(sample_run):
    evaluations = {
        (evaluation.asset_key.to_user_string(), evaluation.check_name): evaluation
        for evaluation in sample_run["first"].get_asset_check_evaluations()
    }
    for table in ("ijw_allocations", "ijw_start_events", "ijw_stop_events", "ijw_referral_requests"):
        assert evaluations[(f"raw/{table}", f"great_expectations_{table}")].passed
        assert evaluations[(f"raw/{table}", "reconciliation")].passed
    docs_dir = (sample_run["db"].parent / "data_docs").resolve()
    index = (docs_dir / "index.html").read_text(encoding="utf-8")
    marts = ("fct_declaration_line", "fct_trajectory", "fct_referral", "dim_client", "kpi_values")
    for schema, table in [("raw", "ijw_stop_events"), *(("marts", table) for table in marts)]:
        evaluation = evaluations[(f"{schema}/{table}", f"great_expectations_{table}")]
        # Served over http by the documentation server (a browser follows no file:// link from the UI's page).
        url = urllib.parse.urlparse(evaluation.metadata["data_docs"].value)
        assert url.scheme == "http" and url.path.startswith("/data-docs/")
        page = docs_dir / urllib.parse.unquote(url.path.removeprefix("/data-docs/"))
        assert evaluation.passed
        # The check links its own validation's page, which the index lists.
        assert page.is_file() and page.is_relative_to(docs_dir / "validations" / schema / table)
        assert f'href="{page.relative_to(docs_dir).as_posix()}"' in index


def test_every_raw_table_and_mart_has_a_suite_that_ran_and_passed(sample_run):
    suites = {path.stem for path in EXPECTATIONS_DIR.glob("*.json")}
    tables = {
        table
        for (table,) in query(
            sample_run,
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts')",
        )
    }
    assert tables - suites == set(), "tables without a Great Expectations suite"
    passed = {
        f"{evaluation.asset_key.path[0]}.{evaluation.check_name.removeprefix('great_expectations_')}"
        for evaluation in sample_run["first"].get_asset_check_evaluations()
        if evaluation.check_name.startswith("great_expectations_") and evaluation.passed
    }
    assert suites - passed == set(), "suites that did not run and pass on the sample"


COUNTED_ROWS = """
    select kpi.*, coalesce(municipality.region_code, kpi.scope_code) as region_code
    from kpi_values as kpi
    inner join dim_kpi as catalogue
        on kpi.kpi_id = catalogue.kpi_id
    left join dim_municipality as municipality
        on kpi.scope_type = 'municipality' and kpi.scope_code = municipality.municipality_code
    where 'count' in (catalogue.unit, catalogue.numerator_kind, catalogue.denominator_kind)
"""
WHOLE_WITH_ONE_PART_WITHHELD = {
    "a region and its municipalities": """
        select kpi_id, region_code, period from counted where scope_type in ('region', 'municipality')
        group by all
        having count(*) > 1 and count(*) filter (where suppressed) = 1
           and count(*) filter (where scope_type = 'region') = 1""",
    "a year and its quarters": """
        select kpi_id, scope_type, scope_code, left(period, 4) from counted
        where period_type in ('year', 'quarter') and scope_type <> 'nl'
        group by all
        having count(*) > 1 and count(*) filter (where suppressed) = 1
           and count(*) filter (where period_type = 'year') = 1""",
    "a half-year and its quarters": """
        select kpi_id, scope_type, scope_code,
               case when period_type = 'half_year' then period
                    else left(period, 4) || '-H' || (case when right(period, 1) in ('1', '2') then '1' else '2' end)
               end as half
        from counted
        where period_type in ('half_year', 'quarter') and scope_type <> 'nl'
        group by all
        having count(*) > 1 and count(*) filter (where suppressed) = 1
           and count(*) filter (where period_type = 'half_year') = 1""",
    "the regions and the care forms together": """
        select kpi_id, period from counted where scope_type in ('region', 'care_form')
        group by all
        having count(*) filter (where suppressed) = 1
           and count(*) filter (where scope_type = 'region') > 0
           and count(*) filter (where scope_type = 'care_form') > 0""",
}


def test_no_published_sum_gives_a_single_withheld_row_away(sample_run):
    """Complementary suppression: in no published sum is exactly one row withheld (the rest would reveal it)."""
    published = sample_run["db"].parent / "published" / PUBLISHED_FILENAME
    with duckdb.connect(str(published), read_only=True) as con:
        con.execute(f"create temporary view counted as {COUNTED_ROWS}")
        assert con.execute("select count(*) from counted where suppressed").fetchone()[0] > 0
        for relation, sql in WHOLE_WITH_ONE_PART_WITHHELD.items():
            assert con.execute(sql).fetchall() == [], relation
