"""The read pass: each iJw file the ingest has yet to read is read once, hashed, parsed whole and its records' field
texts kept in a stage (Parquet files in a directory of the run), many files in processes side by side.

The root of each file says its message type, which picks the reader (ijw_messages.reading_spec: a type no ingest
reads is not read further, a file that is no iJw message is read as the declarations' ingest claims it); its first
Header's Afzender is its sender. Both go to the landing inventory (landing_inventory.read_unread), by which the loads
are planned per message type and sender (ingest_lanes.py); the loads then decide the staged texts by the record rules
(record_rules.decide_files) without opening a file again. A file that cannot be read through the landing rule is
staged as the odd entry it is, to be recorded in the ledger with its reason.

Per chunk of files and per reading type, two Parquet files: `<chunk>.<type>.files.parquet` (a row per file: its
sha256 or ledger key, records, the rejections met while reading, its message-level fields) and
`<chunk>.<type>.texts.parquet` (a row per record, record_rules.RecordRules.text_columns). A stage holds pseudonyms,
never a BSN, and lives only for the run's ingest step.
"""

from __future__ import annotations

import glob
import os
import pickle
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import (
    LIBXML2_EXACT_LINES,
    Client,
    Header,
    MessageSpec,
    RecordVisitor,
    exact_record_lines,
    visit_message,
)
from orchestration.ijw.safe_xml import (
    MAX_FILE_BYTES,
    MessageHead,
    MessageRejected,
    check_encoding,
    check_file_size,
    head_of,
    message_head,
    parse_message,
)
from orchestration.ijw.xsd import validate_against_schema
from orchestration.warehouse.landing_files import OddEntry, landing_root, read_landed
from orchestration.warehouse.load import Contents, LandedContent, ParsedFile, StagedInsert, collector_paused
from orchestration.warehouse.read_ahead import read_ahead
from orchestration.warehouse.record_rules import FileTexts, RecordRules, decide_files, quote, registered
from orchestration.warehouse.worker_pool import worker_pool

READ_IN_PROCESSES_FROM = 20_000
"""Fewer files than this are read in this process: starting the others (about a second) would cost more."""
CHUNK_FILES = 10_000
CHUNK_BYTES = 64 * 1024 * 1024
"""A chunk's texts are held in memory until it is written: bounded in bytes too, for the large declarations."""

_FILE_COLUMNS = {
    "file_path": "varchar",
    "file_sha256": "varchar",
    "records": "bigint",
    "odd_path": "varchar",
    "odd_code": "varchar",
    "odd_reason": "varchar",
    "rejected_code": "varchar",
    "rejected_reason": "varchar",
    "schema_code": "varchar",
    "schema_reason": "varchar",
    "state": "blob",
}


def no_schema(_message_type: str) -> None:
    return None


SpecFor = Callable[[str | None], MessageSpec | None]
"""A message type as its root names it (None: no iJw 3.2 message) -> the spec its file is read with (None: none)."""


class TextReader:
    """Reads files whole, once each: the root's type picks the spec (spec_for), and each record's texts become a row
    of rows[spec's message type] (RecordRules.text_columns) that a batch query decides later (decide_files)."""

    def __init__(
        self,
        spec_for: SpecFor,
        pseudonymiser: Pseudonymiser,
        schema_for: Callable[[str], etree.XMLSchema | None] = no_schema,
    ):
        self.spec_for, self.pseudonymiser, self.schema_for = spec_for, pseudonymiser, schema_for
        self.rows: dict[str, list[tuple]] = {}
        self.specs: dict[str, MessageSpec] = {}

    def read(self, path: str | Path, data: bytes, sha256: str) -> FileTexts:
        head: MessageHead | None = None
        spec: MessageSpec | None = None

        def tags_of(root: etree._Element) -> tuple[str, ...]:
            nonlocal head, spec
            head = message_head(root)
            spec = self.spec_for(head.message_type)
            return () if spec is None else spec.in_any_namespace

        read = FileTexts(path, sha256, MessageHead(None, None), None)
        rows: list[tuple] = []
        root: etree._Element | None = None
        try:
            check_file_size(len(data))
            check_encoding(data)
            message = parse_message(data, tags_of)
            root = message.root
            if head is None:  # broken before its root began
                spec = self.spec_for(None)
            elif message.root is not None and spec is not None:
                rows = self.rows.setdefault(spec.message_type, [])
                self.specs[spec.message_type] = spec
                first = len(rows)
                visit_message(message, spec, self.pseudonymiser, read.state, self._collector(spec, rows, read))
                read.records = len(rows) - first
            read.rejected = message.broken
        except MessageRejected as rejected:
            # A copy never raised: a raised one holds, through its traceback, the frames that read the batch.
            read.rejected = MessageRejected(rejected.reason_code, str(rejected))
            if head is None:  # refused before it was parsed: its head as the parser reads it
                head = head_of(data) if data else MessageHead(None, None)
                spec = self.spec_for(head.message_type)
        read.head, read.spec = head or MessageHead(None, None), spec
        if read.records and data.count(b"\n") >= LIBXML2_EXACT_LINES:
            first = len(rows) - read.records
            exact = exact_record_lines(data, spec.namespace, spec.record_tag)
            # Records are visited in document order: a read that stopped early has the first of them.
            if exact is not None and len(exact) >= read.records:
                rows[first:] = [(row[0], line, *row[2:]) for line, row in zip(exact, rows[first:], strict=False)]
        schema = None if spec is None or read.rejected or not read.records else self.schema_for(spec.message_type)
        if schema is not None:
            try:
                validate_against_schema(root, schema)
            except MessageRejected as invalid:
                read.schema_error = MessageRejected(invalid.reason_code, str(invalid))
        return read

    def _collector(self, spec: MessageSpec, rows: list[tuple], read: FileTexts) -> RecordVisitor:
        records: RecordRules = spec.records
        read_texts, state_names, identifiers = records.read_texts, tuple(records.state), spec.identifier_fields
        pseudonymiser, file_path, state = self.pseudonymiser, str(read.path), read.state

        def collect(element: etree._Element, header: Header, client: Client, source_record: int) -> None:
            fields = spec.record_fields(element, source_record)
            for key in identifiers:  # a BSN written there is replaced by its pseudonym before any rule reads it
                if fields[key] is not None:
                    fields[key] = pseudonymiser.identifier(fields[key])
            error = (None, None) if client.error is None else (client.error.reason_code, str(client.error))
            rows.append(
                (
                    *(file_path, fields.sourceline, source_record, client.client_key, *error),
                    *(client.birth_date, client.gender_code),
                    *(header.municipality_code, header.provider_agb, header.message_id, header.message_date),
                    *[state.get(name) for name in state_names],
                    *read_texts(fields),
                )
            )

        return collect

    def frame(self, message_type: str) -> pd.DataFrame:
        """The rows read of message_type's records, a column per text column; the rows are handed over."""
        rows = self.rows.pop(message_type, [])
        names = list(self.specs[message_type].records.text_columns) if rows else ["file_path"]
        # One object array of the rows' tuples and a view per column: numpy fills it in one C loop.
        values = np.empty((len(rows), len(names)), dtype=object)
        values[:] = rows or None
        frame = {name: values[:, index] for index, name in enumerate(names)}
        for name in ("source_line", "source_record"):
            if name in frame:
                frame[name] = frame[name].astype(np.int64)
        return pd.DataFrame(frame, copy=False)


@dataclass(frozen=True)
class ReadSettings:
    """What a reading process needs: the landing (its landing rule), the stage, the pseudonymiser, which spec reads a
    file of each message type (ijw_messages.reading_spec) and the XSD it is validated against, if any."""

    landing_dir: Path
    stage_dir: Path
    pseudonymiser: Pseudonymiser
    spec_for: SpecFor
    schema_for: Callable[[str], etree.XMLSchema | None] = no_schema


def read_into_stage(
    files: list[tuple[str, int]],
    settings: ReadSettings,
    processes: int = 1,
    on_chunk: Callable[[int], None] = lambda _files: None,
) -> list[MessageHead]:
    """Each (path, size) read once into the stage, in chunks, by up to `processes` processes; the head of each file in
    order (no type for an entry that could not be read); on_chunk hears how many files each chunk held."""
    settings.stage_dir.mkdir(parents=True, exist_ok=True)
    chunks = list(_chunks(files, processes))
    spread = processes > 1 and len(chunks) > 1
    heads: list[MessageHead] = []
    with worker_pool(processes) if spread else nullcontext() as pool:
        for chunk in (pool.map if spread else map)(_read_chunk, range(len(chunks)), chunks, repeat(settings)):
            heads += chunk
            on_chunk(len(chunk))
    return heads


def _chunks(files: list[tuple[str, int]], processes: int) -> list[list[str]]:
    # At least one chunk per process, so a small landing read in processes keeps them all busy.
    most = min(CHUNK_FILES, -(-len(files) // max(1, processes)))
    chunks: list[list[str]] = []
    chunk: list[str] = []
    size = 0
    for path, file_size in files:
        if chunk and (len(chunk) >= most or size + file_size > CHUNK_BYTES):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(path)
        size += min(file_size, MAX_FILE_BYTES)
    return [*chunks, chunk] if chunk else chunks


def _read_chunk(number: int, paths: list[str], settings: ReadSettings) -> list[MessageHead]:
    root = landing_root(settings.landing_dir)
    reader = TextReader(settings.spec_for, settings.pseudonymiser, settings.schema_for)
    files: dict[str, list[tuple]] = {}
    heads = []
    with collector_paused():
        for path in read_ahead(paths):
            try:
                data, sha256 = read_landed(path, root, MAX_FILE_BYTES)
            except OddEntry as odd:
                # Not read: the ingest that claims files of no known type records it with its reason.
                spec = settings.spec_for(None)
                files.setdefault(spec.message_type, []).append(
                    _file_row(path, odd.ledger_key, odd_path=odd.path, odd_code=odd.reason_code, odd_reason=odd.reason)
                )
                heads.append(MessageHead(None, None))
                continue
            read = reader.read(path, data, sha256)
            heads.append(read.head)
            if read.spec is not None:
                files.setdefault(read.spec.message_type, []).append(_read_row(read))
    with duckdb.connect() as con:
        for message_type, rows in files.items():
            prefix = settings.stage_dir / f"{number:06d}.{message_type}"
            frame = pd.DataFrame.from_records(rows, columns=list(_FILE_COLUMNS))
            _write(con, frame, _FILE_COLUMNS, f"{prefix}.files.parquet")
            if reader.rows.get(message_type):
                texts = reader.specs[message_type].records.text_columns
                _write(con, reader.frame(message_type), texts, f"{prefix}.texts.parquet")
    return heads


def _file_row(file_path: str, file_sha256: str, records: int = 0, **values: object) -> tuple:
    """A row of a chunk's files (_FILE_COLUMNS), its columns by name; one not given is null."""
    values.update(file_path=file_path, file_sha256=file_sha256, records=records)
    return tuple(map(values.get, _FILE_COLUMNS))


def _read_row(read: FileTexts) -> tuple:
    rejected, invalid = read.rejected, read.schema_error
    return _file_row(
        str(read.path),
        read.sha256,
        read.records,
        rejected_code=None if rejected is None else rejected.reason_code,
        rejected_reason=None if rejected is None else str(rejected),
        schema_code=None if invalid is None else invalid.reason_code,
        schema_reason=None if invalid is None else str(invalid),
        state=pickle.dumps(read.state) if read.state else None,
    )


def _write(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: dict[str, str], path: str) -> None:
    typed = ", ".join(f"{name}::{sql_type} as {name}" for name, sql_type in columns.items())
    with registered(con, stage_rows=frame):
        con.execute(f"copy (select {typed} from stage_rows) to {quote(path)} (format parquet)")  # noqa: S608 - ours


class StagedFiles:
    """The stage's files of one reading spec as a loader reads them (load.ingest_files): their contents by path, and
    the batch reader deciding their staged texts."""

    def __init__(self, stage_dir: Path, spec: MessageSpec, table: str | None = None):
        prefix = os.path.join(glob.escape(str(stage_dir)), f"*.{spec.message_type}")
        self.files = _parquet(sorted(glob.glob(f"{prefix}.files.parquet")), _FILE_COLUMNS)
        self.texts = _parquet(sorted(glob.glob(f"{prefix}.texts.parquet")), spec.records.text_columns)
        self.spec, self.table = spec, table
        self._read: dict[str, FileTexts] = {}
        self._range = ("", "")

    def contents(self, con: duckdb.DuckDBPyConnection, paths: list[Path]) -> Contents:
        wanted = pd.DataFrame({"file_path": [str(path) for path in paths]})
        # A batch's files lie in few chunks (both are in path order): its first and last path bound what is scanned.
        self._range = (min(wanted["file_path"], default=""), max(wanted["file_path"], default=""))
        con.execute("set parquet_metadata_cache = true")
        with registered(con, wanted_files=wanted):
            rows = con.execute(
                f"select {', '.join(_FILE_COLUMNS)} from {self.files} semi join wanted_files using (file_path) "  # noqa: S608 - our own files
                "where file_path between ? and ?",
                list(self._range),
            ).fetchall()
        contents: Contents = {}
        self._read = {}
        for path, sha256, records, odd_path, odd_code, odd_reason, *verdicts, state in rows:
            if odd_code is not None:
                contents[path] = (None, sha256, OddEntry(odd_path, odd_code, odd_reason))
                continue
            rejected_code, rejected_reason, schema_code, schema_reason = verdicts
            rejected = None if rejected_code is None else MessageRejected(rejected_code, rejected_reason)
            schema_error = None if schema_code is None else MessageRejected(schema_code, schema_reason)
            contents[path] = (None, sha256, None)
            self._read[path] = FileTexts(
                path, sha256, MessageHead(None, None), self.spec, records, rejected, schema_error,
                pickle.loads(state) if state is not None else {},  # noqa: S301 - the stage this run wrote
            )  # fmt: skip
        missing = [str(path) for path in paths if str(path) not in contents]
        if missing:
            raise RuntimeError(f"{len(missing)} files not in the read pass's stage, such as {missing[0]}")
        return {path: contents[str(path)] for path in paths}

    def read_batch(
        self, con: duckdb.DuckDBPyConnection, landed: list[LandedContent]
    ) -> tuple[list[tuple[ParsedFile, str]], StagedInsert | None]:
        files = [self._read[str(path)] for path, _data, _sha256 in landed]
        first, last = map(quote, self._range)
        texts = f"(select * from {self.texts} where file_path between {first} and {last})"  # noqa: S608 - our own files
        return decide_files(con, files, texts, self.table)


def _parquet(paths: list[str], columns: dict[str, str]) -> str:
    """The Parquet files as one relation (an empty one of these columns when there are none)."""
    if not paths:
        return f"(select {', '.join(f'null::{kind} as {name}' for name, kind in columns.items())} where false)"
    return f"read_parquet([{', '.join(map(quote, paths))}])"
