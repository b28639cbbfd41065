# Entry points (DESIGN.md section 4). Every target installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
WAREHOUSE_DIR_ABS := $(abspath $(or $(WAREHOUSE_DIR),data))
export DAGSTER_HOME ?= $(WAREHOUSE_DIR_ABS)/dagster_home
# Step-level INFO on the console; the full DEBUG event log stays in the run history (make ui). `make run` launches
# refresh_job: every asset but the quarterly close, which is partitioned by quarter x region and runs in
# quarterly_close_job (docs/operations.md). A job, not an `--assets` selection string, which prints a BetaWarning.
RUN_CONFIG := {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

.PHONY: help setup browser postgres strace manifest run serve serve-stop test test-fast test-slow ui ui-docs lint sql-fix bench sample \
	shipped-sample sample-ground-truth sample-cbs-budgets kpi-docs report-screenshot docs trace

help:
	@echo "make run   - set up and run the whole pipeline on the landing directory (sample data when empty)"
	@echo "make test  - set up and run the test suite"
	@echo "make serve - serve the publication tiers from PostgreSQL on port SERVING_POSTGRES_PORT (docs/bi.md)"
	@echo "make ui    - the Dagster UI on http://127.0.0.1:3000 with the daemon that runs schedules and sensors"
	@echo "             (Data Docs and dbt docs on http://127.0.0.1:3001)"
	@echo "make test-fast - the tests that need no pipeline run and no dbt build (seconds to a few minutes)"
	@echo "make lint  - ruff on the Python code, sqlfluff on the dbt SQL"
	@echo "make sql-fix - sqlfluff fix on the dbt SQL (review the diff)"
	@echo "make bench - generator, ingest, end-to-end and BI read-path benchmarks (docs/benchmarks.md)"
	@echo "make kpi-docs - render docs/kpis.md from the KPI catalogue"
	@echo "make trace KPI=net_declared_cost SCOPE_TYPE=municipality SCOPE=GM0268 PERIOD=2024-Q3 [CSV=out.csv] - a KPI value's source lines"
	@echo "make docs  - the dbt docs site (every model and column, lineage) on http://127.0.0.1:$(DOCS_PORT)"
	@echo "make report-screenshot - docs/img/quarterly-report.png from the sample's quarterly report (after make run)"
	@echo "make sample - write a synthetic world with ground_truth.json into the landing directory (SAMPLE_ARGS=...)"

setup: .venv/.synced

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on CI images) every process would compile
# pandas and Dagster again on import, each ingest lane and Dagster step included (a lane's imports: 2.8 s -> 0.9 s).
.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --compile-bytecode
	@touch $@

# The report's browser test drives Debian's chromium through Playwright; Playwright's own browser download is never
# used (CI and municipal networks reach only package registries). CI runs as root; elsewhere apt-get needs sudo.
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)

$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# The serving database (docs/bi.md) and the tests' throw-away cluster use Debian's PostgreSQL server binaries, run from
# /usr/lib/postgresql/<version>/bin (orchestration/serving/cluster.py); installed like chromium above.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))
postgres:
ifeq ($(POSTGRES_INITDB),)
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
endif

# tests/test_warehouse_file.py kills a process at a chosen write with Debian's strace; installed like chromium above.
STRACE := /usr/bin/strace
strace: $(STRACE)

$(STRACE):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends strace

# dagster-dbt loads dbt assets from the manifest; outside `dg dev` it must be built before Definitions load. Parsed
# with the warehouse's path in the profile, as the run's dbt steps see it: dbt keeps a parse only for the same profile,
# so the first run's dbt step reuses this one instead of parsing again.
manifest: setup
	@WAREHOUSE_DUCKDB_PATH="$(WAREHOUSE_DIR_ABS)/warehouse.duckdb" $(UV) run python -m orchestration.dbt_manifest

run: manifest
	@mkdir -p "$(DAGSTER_HOME)" && cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	@$(UV) run python -m orchestration.landing
	$(UV) run dg launch --job refresh_job --config-json '$(RUN_CONFIG)'
	@$(UV) run python -m orchestration.summary

# --durations: the slowest tests and fixtures in every run's log, where the suite's time goal is watched from.
# TEST_WORKERS pytest-xdist processes, one per core of the CI machine; tests/conftest.py groups the tests so the
# shared sample run and each module's fixtures are built once (docs/benchmarks.md, The test suite).
TEST_WORKERS ?= 2
test: manifest browser postgres strace
	$(UV) run pytest --numprocesses $(TEST_WORKERS) --dist loadgroup --durations=30

# Tests that use no pipeline run, dbt build or Dagster definitions (tests/conftest.py marks the others `pipeline`).
test-fast: manifest
	$(UV) run pytest -m 'not slow and not pipeline'

test-slow: manifest browser postgres
	$(UV) run pytest -m slow

# A PostgreSQL cluster under WAREHOUSE_DIR/postgres on SERVING_POSTGRES_PORT (default 5433), its roles, and the
# publication tiers of the last run loaded into it (docs/bi.md); `make serve-stop` stops it.
serve: setup postgres
	$(UV) run python -m orchestration.serving serve

serve-stop: setup
	$(UV) run python -m orchestration.serving stop

# dg dev runs the webserver and the daemon (schedules, sensors, the run queue) together; Ctrl-C stops both
# (docs/operations.md: both as services, and their storage on PostgreSQL).
ui: manifest ui-docs
	@mkdir -p "$(DAGSTER_HOME)" && cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	$(UV) run dg dev --host 127.0.0.1 --port 3000

# sqlfluff's jinja templater renders the models without dbt (.sqlfluff), one process per core.
SQLFLUFF := $(UV) run sqlfluff
SQLFLUFF_ARGS := dbt_project --processes $(shell nproc 2>/dev/null || echo 2)

lint: setup
	$(UV) run ruff check orchestration tests scripts bench dbt_project/sqlfluff_dbt
	$(UV) run ruff format --check orchestration tests scripts bench dbt_project/sqlfluff_dbt
	$(SQLFLUFF) lint $(SQLFLUFF_ARGS)

sql-fix: setup
	$(SQLFLUFF) fix $(SQLFLUFF_ARGS)

# Speed and memory on generated worlds (docs/benchmarks.md); never part of make test.
bench: manifest postgres
	$(UV) run python bench/generator_bench.py
	$(UV) run python bench/ingest_bench.py
	$(UV) run python bench/ingest_bench.py --scale 1.0 --municipalities default --end-to-end
	$(UV) run python bench/incremental_bench.py
	$(UV) run python bench/serving_bench.py

# The small world shipped in seeds/sample for `make run` (docs/generator.md, The shipped sample): the seven
# municipalities of Rijk van Nijmegen (JZ32), each delivering in every quarter of 2024, so its report is a region's;
# and Velsen alone of IJmond (JZ10), a second region that compares with the first and covers one municipality of
# three, so the coverage warning shows. Its omzetplafonds are a seed (a lookup the region maintains), so they move to
# seeds/reference. Its CBS figures are the script-made snapshots of seeds/sample/cbs (make sample-cbs-budgets), so the
# world's own population and Gebieden snapshots are not shipped: two snapshots of one table would contradict each other.
SHIPPED_SAMPLE_ARGS := --municipalities GM0268,GM0296,GM1945,GM0209,GM0225,GM0252,GM0944,GM0453 --from 2024-Q1 \
	--to 2024-Q4 --scale 0.025 --faults 0.01 --seed 3 --quiet --overwrite
shipped-sample: setup
	$(UV) run python -m orchestration.generator --out seeds/sample $(SHIPPED_SAMPLE_ARGS)
	mv seeds/sample/provider_revenue_caps.csv seeds/reference/provider_revenue_caps.csv
	mv seeds/sample/provider_names.csv seeds/reference/provider_names.csv
	rm -f seeds/sample/cbs/03759ned_generated.json seeds/sample/cbs/85755NED_generated.json

# seeds/sample/ground_truth.json alone, after a change to the ground truth's definitions: the shipped world is written
# again into a scratch folder, its landing data must equal the shipped files byte for byte, and only then is the
# truth copied over, so the shipped landing data never changes here.
sample-ground-truth: setup
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
		$(UV) run python -m orchestration.generator --out "$$scratch" $(SHIPPED_SAMPLE_ARGS) && \
		diff -r "$$scratch/ijw" seeds/sample/ijw && cmp "$$scratch/faults.json" seeds/sample/faults.json && \
		cmp "$$scratch/budgets/regiobudget_world.csv" seeds/sample/budgets/regiobudget_world.csv && \
		cmp "$$scratch/provider_revenue_caps.csv" seeds/reference/provider_revenue_caps.csv && \
		cmp "$$scratch/provider_names.csv" seeds/reference/provider_names.csv && \
		cp "$$scratch/ground_truth.json" seeds/sample/ground_truth.json && echo "wrote seeds/sample/ground_truth.json"

# A synthetic, calibrated world (docs/generator.md) into WAREHOUSE_LANDING_DIR; e.g. SAMPLE_ARGS="--overwrite --scale 0.1".
sample: setup
	$(UV) run python -m orchestration.generator $(SAMPLE_ARGS)

# The CBS snapshots and budgets shipped in seeds/sample (docs/cbs.md, docs/budgets.md).
sample-cbs-budgets: setup
	$(UV) run python scripts/write_sample_cbs_budgets.py

# docs/img/quarterly-report.png from the reports `make run` wrote into WAREHOUSE_DIR, as Chromium shows them; by
# default the shipped sample's JZ32 report of 2024-Q4: red signals on the agenda, and the budget forecast (made as of
# the latest quarter only).
REPORT_SCREENSHOT_ARGS ?= --region JZ32 --quarter 2024-Q4
report-screenshot: setup browser
	$(UV) run python scripts/report_screenshot.py $(REPORT_SCREENSHOT_ARGS)

# docs/kpis.md from seeds/reference/kpi_catalogue.csv (tests/test_kpi_docs.py fails when they differ).
kpi-docs: setup
	$(UV) run python scripts/render_kpi_docs.py

# One KPI value back to the fact rows and message lines behind it (docs/auditor-guide.md), from the last run's warehouse.
trace: setup
	$(UV) run python -m orchestration.trace $(KPI) --scope-type $(SCOPE_TYPE) --scope $(SCOPE) --period $(PERIOD) \
		$(if $(CSV),--csv $(CSV))

# The dbt docs site over the warehouse `make run` built (column types come from it; without one the catalogue is
# empty and the site shows the YAML alone). Served on 127.0.0.1 only: the docs describe the internal marts.
DOCS_PORT ?= 8080
DOCS_TARGET := target/docs
DBT_DOCS_GENERATE := cd dbt_project && WAREHOUSE_DUCKDB_PATH="$(WAREHOUSE_DIR_ABS)/warehouse.duckdb" $(UV) run dbt docs \
	generate --target-path $(DOCS_TARGET) $(if $(wildcard $(WAREHOUSE_DIR_ABS)/warehouse.duckdb),,--empty-catalog)
docs: manifest
	$(DBT_DOCS_GENERATE)
	cd dbt_project && $(UV) run dbt docs serve --target-path $(DOCS_TARGET) --host 127.0.0.1 --port $(DOCS_PORT) \
		--no-browser

# The documentation server the UI's links point at (orchestration/docs_server.py): Great Expectations Data Docs and
# the dbt docs over http on 127.0.0.1:WAREHOUSE_DOCS_PORT (default 3001), since a browser follows no file:// link from
# the UI. `make ui` starts it in the background; it stops when that make does. The dbt docs are generated again only
# when the manifest changed.
DBT_DOCS_INDEX := dbt_project/$(DOCS_TARGET)/index.html
$(DBT_DOCS_INDEX): dbt_project/target/manifest.json
	$(DBT_DOCS_GENERATE)

ui-docs: manifest $(DBT_DOCS_INDEX)
	$(UV) run python -m orchestration.docs_server --exit-with $$PPID &
