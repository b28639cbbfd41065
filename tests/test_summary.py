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
