"""The console of a dbt step: the lines dagster-dbt echoes from dbt go to the run's DEBUG log, not to stdout, a batch
now and then, with the latest node line to INFO; stdout is the console's again once the step's events are read."""

from orchestration.defs.dbt.assets import DbtLines, close_adapter, dbt_lines_to_debug


class RecordingLog:
    def __init__(self):
        self.debug_lines: list[str] = []
        self.info_lines: list[str] = []

    def debug(self, message: str) -> None:
        self.debug_lines.append(message)

    def info(self, message: str) -> None:
        self.info_lines.append(message)


def echoing_events():
    """Events as dagster-dbt's stream yields them, echoing dbt's lines to stdout (flushed after each) while it reads
    them."""
    for number in (1, 2):
        print(f"{number} of 2 START sql table model marts.m{number}", flush=True)
        print(f"{number} of 2 OK created sql table model marts.m{number}", flush=True)
        yield f"event {number}"


def test_dbt_lines_go_to_debug_and_events_pass_through(capsys):
    log = RecordingLog()
    received = list(dbt_lines_to_debug(echoing_events(), DbtLines(log, every=3600)))
    print("after the step")
    assert received == ["event 1", "event 2"]
    # One DEBUG message for the lines of an interval (each message is a row in the run's event log), flushed at the end.
    assert log.debug_lines == [
        "1 of 2 START sql table model marts.m1\n"
        "1 of 2 OK created sql table model marts.m1\n"
        "2 of 2 START sql table model marts.m2\n"
        "2 of 2 OK created sql table model marts.m2"
    ]
    assert log.info_lines == []
    assert capsys.readouterr().out == "after the step\n"


def test_the_latest_node_line_reaches_info_when_the_interval_has_passed():
    log = RecordingLog()
    lines = DbtLines(log, every=0)
    lines.write("Running with dbt=1.11\n\n3 of 9 OK created")
    lines.write(" sql view model staging.s\nDid not retry exception named 'CatalogException'\n")
    # Only dbt's node lines say how far the build is; the others stay in the DEBUG log.
    assert log.info_lines == ["dbt: 3 of 9 OK created sql view model staging.s"]
    assert log.debug_lines == [
        "Running with dbt=1.11\n",
        "3 of 9 OK created sql view model staging.s\nDid not retry exception named 'CatalogException'",
    ]


class FakeAdapter:
    def __init__(self, kind: str):
        self.kind, self.cleaned = kind, False

    def type(self) -> str:
        return self.kind

    def cleanup_connections(self) -> None:
        self.cleaned = True


def test_closing_the_adapter_after_a_step_that_opened_nothing_raises_nothing():
    for kind in ("duckdb", "postgres"):
        adapter = FakeAdapter(kind)
        close_adapter(adapter)
        assert adapter.cleaned
