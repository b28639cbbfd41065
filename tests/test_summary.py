"""The summary `make run` prints, on the shared run of the shipped sample: its ingest figures (from the dbt model
report.rpt_run_summary) equal the ledger's, counted here straight from audit.ingest_ledger and written out in Dutch."""

import duckdb

from orchestration.summary import print_summary


def test_summary_prints_the_ledgers_figures(sample_run, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_DIR", str(sample_run["warehouse"]))
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        loaded, accepted, cents = con.execute(
            """
            select count(*) filter (where status = 'loaded'),
                   sum(records_accepted) filter (where message_type = 'JW323'),
                   sum(amount_cents_accepted) filter (where message_type = 'JW323')
            from audit.ingest_ledger
            """
        ).fetchone()
    print_summary()
    printed = capsys.readouterr().out
    assert f"files: {loaded} loaded" in printed
    whole, rest = divmod(int(cents), 100)
    euros = f"{whole:,}".replace(",", ".") + f",{rest:02d}"
    assert f"JW323 declaration lines: {accepted} accepted (€\xa0{euros})" in printed
    assert "No summary" not in printed


def test_summary_names_where_the_results_are_in_one_language(sample_run, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_DIR", str(sample_run["warehouse"]))
    monkeypatch.setenv("WAREHOUSE_DOCS_PORT", "3999")
    print_summary()
    lines = capsys.readouterr().out.splitlines()
    named = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in lines if ":" in line}
    warehouse = sample_run["warehouse"]
    assert named["Published"] == str(warehouse / "published" / "marts.duckdb")
    assert named["Data Docs"].startswith("http://127.0.0.1:3999/data-docs/index.html")
    assert str(warehouse / "data_docs" / "index.html") in named["Data Docs"]
    pages = len(list((warehouse / "reports").glob("*/*.html")))
    assert pages and named["Reports"].startswith(f"{pages} quarterly reports")
    assert str(warehouse / "reports") in named["Reports"]
    # The labels the summary printed in Dutch before it was all English.
    for dutch in ("bedrag", "periode", "begroting", "Netto", "zonder", "indicatoren"):
        assert not [line for line in lines if dutch in line], dutch
