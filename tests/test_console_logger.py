"""The console logger every job uses cuts long lines and leaves short ones as Dagster's formats them."""

import logging

from orchestration.defs.console.console_logger import ShortLines, short_console_logger


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("dagster", logging.INFO, __file__, 1, message, None, None)


def test_a_long_line_is_cut_and_says_how_long_it_was():
    formatter = ShortLines(logging.Formatter("%(message)s"), max_chars=20)

    assert formatter.format(record("short")) == "short"
    line = formatter.format(record("x" * 5000))
    assert line.startswith("x" * 20 + " ... (5,000 characters;")
    assert len(line) < 100


def test_every_job_logs_to_the_console_through_it(definitions):
    for job_name in ("refresh_job", "quarterly_close_job"):
        assert definitions.resolve_job_def(job_name).loggers["console"] is short_console_logger
