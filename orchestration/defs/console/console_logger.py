"""The console logger of every job: Dagster's own, with each line cut to a readable length. A dbt step that skips its
build (orchestration/defs/dbt/build_state.py) yields none of its checks, and Dagster names them all in one INFO line
of many kilobytes; the run's event log keeps every line whole."""

import logging

import dagster as dg

MAX_LINE_CHARS = 600


class ShortLines(logging.Formatter):
    """Formats as `inner` does, cutting a line past max_chars and saying where the whole line is."""

    def __init__(self, inner: logging.Formatter, max_chars: int = MAX_LINE_CHARS):
        super().__init__()
        self._inner, self._max_chars = inner, max_chars

    def format(self, record: logging.LogRecord) -> str:
        line = self._inner.format(record)
        if len(line) <= self._max_chars:
            return line
        return f"{line[: self._max_chars]} ... ({len(line):,} characters; the whole line is in the run's event log)"


@dg.logger(
    config_schema=dg.colored_console_logger.config_schema,
    description="Dagster's colored console logger, each line cut at 600 characters.",
)
def short_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    console = dg.colored_console_logger.logger_fn(init_context)
    for handler in console.handlers:
        handler.setFormatter(ShortLines(handler.formatter or logging.Formatter()))
    return console


@dg.definitions
def console() -> dg.Definitions:
    return dg.Definitions(loggers={"console": short_console_logger})
