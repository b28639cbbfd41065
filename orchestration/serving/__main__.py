"""`make serve` / `make serve-stop`: the serving cluster under WAREHOUSE_DIR/postgres, started on
SERVING_POSTGRES_PORT, with the tiers of the last run loaded (docs/bi.md).

    python -m orchestration.serving serve   # init (once), start, load the tiers of WAREHOUSE_DIR/warehouse.duckdb
    python -m orchestration.serving stop
"""

import argparse
import sys

from orchestration.serving.cluster import Cluster, ClusterError
from orchestration.serving.load import ServingLoadError, publish_tiers
from orchestration.settings import DBT_PROJECT_DIR, Settings, SettingsError

DATABASE = "warehouse"


def serve(settings: Settings, cluster: Cluster) -> None:
    cluster.init()
    cluster.start()
    cluster.create_database(DATABASE)
    loader = cluster.conninfo(dbname=DATABASE)
    if settings.duckdb_path.exists():
        tables = publish_tiers(
            settings.duckdb_path,
            loader,
            manifest_path=DBT_PROJECT_DIR / "target" / "manifest.json",
            provider_region_rows=settings.serving_provider_region_rows == "shown",
        )
        print(f"served {len(tables)} tables ({sum(table.rows for table in tables)} rows) from {settings.duckdb_path}")
    else:
        print(f"no warehouse at {settings.duckdb_path} yet: run `make run`, then `make serve` again")
    print(f"PostgreSQL on 127.0.0.1:{cluster.port} and socket {cluster.socket_dir}, database {DATABASE}")
    print(f'  as bi_reader:  psql "{cluster.conninfo(user="bi_reader", dbname=DATABASE)}"')
    print(f"  refresh with every run (make run): export SERVING_POSTGRES_DSN='{loader}'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serving", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("serve", "stop"))
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        cluster = Cluster(directory=settings.serving_cluster_dir, port=settings.serving_port)
        if args.command == "serve":
            serve(settings, cluster)
        else:
            cluster.stop()
    except (SettingsError, ClusterError, ServingLoadError) as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
