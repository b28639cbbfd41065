"""The BI read path under load (issue 21; not part of `make test`): concurrent bi_reader sessions run the three typical
dashboard queries against the PostgreSQL serving database while refreshes publish.

1. A public tier of national shape, written by this script into a DuckDB file (not a generated world run through the
   pipeline): 342 municipalities in 42 regions, --providers providers, 10 care forms, the 37 catalogue KPIs over
   2022-2024 (12 quarters, 6 half-years, 3 years) in kpi_values, quarterly steering_signals, the dimensions; an
   analyst tier with --trajectories trajectories and a small audit tier, so a refresh moves what a national one does.
   Two versions differ in their values and in which signals are red, so a partial read shows as a wrong row count.
2. A throw-away cluster (orchestration/serving/cluster.py), the tier loaded once.
3. --sessions processes connect as bi_reader and loop over the three queries for the region they pick, each query
   timed; the main process publishes --refreshes refreshes (the versions alternating) meanwhile.
4. Reported: p50/p95/max per query and overall, errors, partial reads (a row count neither version gives for that
   query and region, computed in DuckDB from the tier file), refresh wall times, data size, machine.

Usage: uv run python bench/serving_bench.py [--sessions 20] [--refreshes 3] [--providers 1500] [--trajectories 2000000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg

from orchestration.serving.cluster import Cluster, free_port
from orchestration.serving.load import publish_tiers
from orchestration.settings import REPO_ROOT

KPI_CATALOGUE = REPO_ROOT / "seeds" / "reference" / "kpi_catalogue.csv"
QUERIES = {
    "youths per municipality per quarter": """
        select k.scope_code, m.municipality_name, k.period, k.value
        from public_marts.kpi_values k
        join public_marts.dim_municipality m on m.municipality_code = k.scope_code
        where k.kpi_id = 'clients_in_care' and k.scope_type = 'municipality' and k.period_type = 'quarter'
          and m.region_code = %(region)s
        order by k.scope_code, k.period
    """,
    "cost per youth per region per year": """
        select k.scope_code, r.region_name, k.period, k.value
        from public_marts.kpi_values k
        join public_marts.dim_region r on r.region_code = k.scope_code
        where k.kpi_id = 'cost_per_client' and k.scope_type = 'region' and k.period_type = 'year'
        order by k.scope_code, k.period
    """,
    "this quarter's red signals": """
        select s.kpi_id, s.scope_type, s.scope_code, s.value, s.target
        from public_marts.steering_signals s
        where s.region_code = %(region)s and s.status = 'red'
          and s.period = (select max(period) from public_marts.steering_signals)
        order by s.kpi_id, s.scope_type, s.scope_code
    """,
}
PERIODS_SQL = """
    select y || '-Q' || q, 'quarter' from range(2022, 2025) a(y), range(1, 5) b(q)
    union all select y || '-H' || h, 'half_year' from range(2022, 2025) a(y), range(1, 3) b(h)
    union all select y::varchar, 'year' from range(2022, 2025) a(y)
"""


def write_tier(path: Path, version: int, providers: int, trajectories: int) -> None:
    """The synthetic tiers (see the module docstring); `version` shifts values and red signals."""
    con = duckdb.connect(str(path))
    con.execute(f"""
        create schema public_marts; create schema analyst; create schema audit_tier;
        create table public_marts.dim_region as
            select 'JZ' || lpad(r::varchar, 2, '0') as region_code, 'Regio ' || r as region_name from range(1, 43) t(r);
        create table public_marts.dim_municipality as
            select 'GM' || lpad(m::varchar, 4, '0') as municipality_code, 'Gemeente ' || m as municipality_name,
                   'JZ' || lpad((m % 42 + 1)::varchar, 2, '0') as region_code
            from range(1, 343) t(m);
        create table public_marts.dim_provider as
            select (10000000 + p)::varchar as provider_agb, 'Aanbieder ' || p as provider_name
            from range({providers}) t(p);
        create table public_marts.dim_date as
            select d::date as date_day, year(d) as year, month(d) as month,
                   year(d) || '-Q' || quarter(d) as quarter, year(d) || '-H' || (month(d) > 6)::int + 1 as half_year
            from range(date '2015-01-01', date '2032-01-01', interval 1 day) t(d);
        create table periods as {PERIODS_SQL};
        create table kpis as select kpi_id from read_csv('{KPI_CATALOGUE}', header = true);
        create table scopes as
            select 'municipality' as scope_type, municipality_code as scope_code, region_code
            from public_marts.dim_municipality
            union all select 'region', region_code, region_code from public_marts.dim_region
            union all select 'provider', provider_agb, null from public_marts.dim_provider
            union all select 'care_form', 'cf' || c, null from range(10) t(c)
            union all select 'nl', 'NL01', null;
        create table public_marts.kpi_values as
            select kpi_id, scope_type, scope_code, period_type, period,
                   (hash(kpi_id, scope_code, period, {version}) % 100000) / 100.0 as value,
                   hash(kpi_id, scope_code, period) % 5000 as numerator, 5000 as denominator, 'aantal' as unit,
                   false as is_withheld
            from kpis, scopes, periods t(period, period_type)
            where scope_type <> 'provider' or hash(kpi_id) % 5 < 2;
        create table public_marts.steering_signals as
            select kpi_id, scope_type, scope_code, region_code, period, value, 50.0 as target,
                   case hash(kpi_id, scope_code, period, {version}) % 4
                       when 0 then 'red' when 1 then 'amber' else 'green' end as status
            from public_marts.kpi_values join scopes using (scope_type, scope_code)
            where period_type = 'quarter' and scope_type in ('municipality', 'region');
        create table public_marts.fct_population as
            select municipality_code, y as year, 4000 + hash(municipality_code, y) % 20000 as youth_0_17
            from public_marts.dim_municipality, range(2022, 2025) t(y);
        create table analyst.fct_trajectory as
            select 'c' || (t % {max(trajectories // 2, 1)}) as client_key, (10000000 + t % {providers})::varchar
                   as provider_agb, 'GM' || lpad((t % 342 + 1)::varchar, 4, '0') as municipality_code,
                   date '2022-01-01' + (t % 1000)::int as start_date, (t * 37 + {version}) % 900000 as amount_cents
            from range({trajectories}) r(t);
        create table audit_tier.ingest_ledger as
            select 'ijw/' || f || '.xml' as file_path, 'JW323' as message_type, f % 500 as records_read,
                   'loaded' as status
            from range(10000) t(f);
        drop table periods; drop table kpis; drop table scopes;
    """)
    con.close()


def write_manifest(path: Path) -> Path:
    """The grain tests the loader indexes (orchestration/serving/load.py), as the tier models declare them."""
    grains = {
        "kpi_values": ["kpi_id", "scope_type", "scope_code", "period_type", "period"],
        "steering_signals": ["kpi_id", "scope_type", "scope_code", "period"],
    }
    nodes = {}
    for table, columns in grains.items():
        model = f"model.bench.public_{table}"
        nodes[model] = {"resource_type": "model", "name": f"public_{table}", "alias": table, "schema": "public_marts"}
        nodes[model] |= {"description": "", "columns": {}}
        nodes[f"test.bench.unique_combination_{table}"] = {
            "resource_type": "test",
            "attached_node": model,
            "test_metadata": {"name": "unique_combination", "kwargs": {"columns": columns}},
        }
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def expected_counts(path: Path, regions: list[str]) -> dict[tuple[str, str], int]:
    """Each query's row count per region in the tier file, computed by DuckDB (the queries are plain SQL)."""
    con = duckdb.connect(str(path), read_only=True)
    counts = {}
    for name, query in QUERIES.items():
        for region in regions:
            duck_query = query.replace("%(region)s", "$region")
            parameters = {"region": region} if "$region" in duck_query else {}
            counts[(name, region)] = len(con.execute(duck_query, parameters).fetchall())
    con.close()
    return counts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    return f"{model}, {os.cpu_count()} cores, {memory_kib / 1024 / 1024:.1f} GiB, load average {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--providers", type=int, default=1500)
    parser.add_argument("--trajectories", type=int, default=2_000_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="serving-bench-"))
    work.chmod(0o755)  # the server runs as postgres when this runs as root
    versions = [work / "tier_a.duckdb", work / "tier_b.duckdb"]
    for version, path in enumerate(versions):
        write_tier(path, version, args.providers, args.trajectories)
    con = duckdb.connect(str(versions[0]), read_only=True)
    regions = [region for (region,) in con.execute("select region_code from public_marts.dim_region").fetchall()]
    tables = con.execute("select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()
    sizes = [(table, con.execute(f"select count(*) from {table}").fetchone()[0]) for (table,) in tables]
    con.close()
    allowed: dict[tuple[str, str], set[int]] = {}
    for path in versions:
        for key, count in expected_counts(path, regions).items():
            allowed.setdefault(key, set()).add(count)

    manifest = write_manifest(work / "manifest.json")
    cluster = Cluster(directory=work / "postgres", port=free_port())
    cluster.init()
    cluster.start()
    try:
        cluster.create_database("warehouse")
        loader = cluster.conninfo(dbname="warehouse")
        started = time.perf_counter()
        publish_tiers(versions[0], loader, manifest)
        first_load = time.perf_counter() - started

        results = multiprocessing.Queue()
        reader = cluster.conninfo(user="bi_reader", dbname="warehouse")
        stop = multiprocessing.Value("d", time.time() + 3600)
        processes = [
            multiprocessing.Process(target=_session_until, args=(reader, regions, stop, seed, results))
            for seed in range(args.sessions)
        ]
        for process in processes:
            process.start()
        time.sleep(5)  # every session connected and past its first queries before the first refresh
        refresh_seconds = []
        for refresh in range(args.refreshes):
            started = time.perf_counter()
            publish_tiers(versions[(refresh + 1) % 2], loader, manifest)
            refresh_seconds.append(time.perf_counter() - started)
        time.sleep(2)
        stop.value = time.time()
        timings = [timing for _ in processes for timing in results.get()]
        for process in processes:
            process.join()
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)

    errors = [timing for timing in timings if timing[4] is not None]
    partial = [timing for timing in timings if timing[4] is None and timing[3] not in allowed[(timing[0], timing[1])]]
    print(f"machine: {machine()}; PostgreSQL binaries {cluster.binaries}")
    print("data: " + ", ".join(f"{table} {rows:,} rows" for table, rows in sizes))
    print(f"first load {first_load:.1f} s; refreshes under load: " + ", ".join(f"{s:.1f} s" for s in refresh_seconds))
    print(f"{args.sessions} sessions, {len(timings)} queries, {len(errors)} errors, {len(partial)} partial reads")
    print("| query | n | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for name in [*QUERIES, None]:
        latencies = [timing[2] * 1000 for timing in timings if name is None or timing[0] == name]
        print(
            f"| {name or 'all'} | {len(latencies)} | {statistics.median(latencies):.1f} | "
            f"{percentile(latencies, 0.95):.1f} | {max(latencies):.1f} |"
        )
    for error in errors[:5]:
        print("error:", error)


def _session_until(conninfo, regions, stop, seed, results) -> None:
    # The stop time is shared memory: the main process ends every session once its refreshes are done.
    rng = random.Random(seed)
    timings = []
    with psycopg.connect(conninfo, autocommit=True) as pg:
        while time.time() < stop.value:
            region = rng.choice(regions)
            for name, query in QUERIES.items():
                started = time.perf_counter()
                try:
                    rows = len(pg.execute(query, {"region": region}).fetchall())
                    timings.append((name, region, time.perf_counter() - started, rows, None))
                except psycopg.Error as error:
                    timings.append((name, region, time.perf_counter() - started, -1, str(error)))
    results.put(timings)


if __name__ == "__main__":
    main()
