"""The landing inventory and the read pass: each landed file version is read once, a changed file again, each file's
type and sender as the parser reads its root and first Header, and files keep path order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.ijw.jw323 import SPEC as JW323
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.safe_xml import MessageHead
from orchestration.warehouse import landing_inventory, read_pass
from orchestration.warehouse import read_ahead as read_ahead_module
from orchestration.warehouse.ijw_messages import STARTS, reading_spec
from orchestration.warehouse.landing_files import path_order
from orchestration.warehouse.read_pass import TextReader
from orchestration.warehouse.schema import ensure_schema
from tests.hostile.documents import care_event
from tests.ijw_landing import claimed_files, ingest_all, read_message, take_inventory
from tests.jw323_documents import VALID_BSN, client, document, prestatie

PSEUDONYMISER = Pseudonymiser(b"inventory-test-key-0123456789")


def head_read(path: Path) -> MessageHead:
    """The type and sender the read pass gives the file."""
    return TextReader(reading_spec, PSEUDONYMISER).read(path, path.read_bytes(), "").head


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files the read pass reads, in order."""
    calls: list[str] = []
    real = read_pass.read_landed

    def counting(path: str, root: str, max_bytes: int) -> tuple[bytes, str]:
        calls.append(Path(path).name)
        return real(path, root, max_bytes)

    monkeypatch.setattr(read_pass, "read_landed", counting)
    return calls


def land(landing: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = landing / "ijw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def inventoried(con, landing: Path) -> list[tuple[str, str | None]]:
    """Every file the inventory lists under landing, with its type, in path order."""
    rows = con.execute(
        "select file_path, message_type from audit.landed_files where starts_with(file_path, ?)",
        [os.path.join(landing / "ijw", "")],
    ).fetchall()
    return sorted(rows, key=lambda row: path_order(row[0]))


def classified(con, landing: Path) -> list[tuple[str, str | None]]:
    """The inventory brought up to date and its new files read, then every landed file with its type, in path order."""
    take_inventory(con, landing)
    return inventoried(con, landing)


def types(con, landing: Path) -> dict[str, str | None]:
    return {Path(path).name: message_type for path, message_type in classified(con, landing)}


def ledger_rows(con) -> int:
    return con.execute("select count(*) from audit.ingest_ledger").fetchone()[0]


def test_each_file_version_is_read_once(tmp_path, warehouse, reads):
    landing = tmp_path / "landing"
    declaration = document(client(VALID_BSN, prestatie("R1", 5000))).encode()
    land(landing, {"d.xml": declaration, "s.xml": care_event("JW305"), "junk.xml": b"not xml", "notes.txt": b"x"})

    ingest_all(warehouse, landing, PSEUDONYMISER, "first")
    assert sorted(reads) == ["d.xml", "junk.xml", "s.xml"], "each file read once, whatever reads its type"
    assert {Path(path).name: kind for path, kind in inventoried(warehouse, landing)} == {
        "d.xml": "JW323",
        "s.xml": "JW305",
        "junk.xml": None,
    }
    assert ledger_rows(warehouse) == 3

    reads.clear()
    ingest_all(warehouse, landing, PSEUDONYMISER, "again")
    assert reads == [], "an unchanged file is not read again"
    assert ledger_rows(warehouse) == 3, "and leaves no ledger row"

    # The same name now holds a stop message: another size and mtime, so it is read again.
    land(landing, {"s.xml": care_event("JW307")})
    stat = (landing / "ijw" / "s.xml").stat()
    os.utime(landing / "ijw" / "s.xml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    ingest_all(warehouse, landing, PSEUDONYMISER, "changed")
    assert reads == ["s.xml"]
    assert types(warehouse, landing) == {"d.xml": "JW323", "s.xml": "JW307", "junk.xml": None}
    assert warehouse.execute("select count(*) from audit.landed_files").fetchone() == (3,)


def test_a_vanished_file_leaves_the_inventory_and_another_landing_is_left_alone(tmp_path, warehouse):
    landing, other = tmp_path / "landing", tmp_path / "landing-2"
    land(landing, {"a.xml": care_event("JW305"), "b.xml": care_event("JW307"), "junk.xml": b"not xml"})
    land(other, {"a.xml": care_event("JW305")})
    take_inventory(warehouse, other)
    take_inventory(warehouse, landing)
    assert landing_inventory.files_by_type(warehouse, landing) == {
        "JW305": (1, 1),
        "JW307": (1, 1),
        "unrecognised": (1, 1),
    }

    (landing / "ijw" / "b.xml").unlink()
    update = take_inventory(warehouse, landing)

    assert (update.files, update.listed, update.removed) == (2, 0, 1)
    assert landing_inventory.files_by_type(warehouse, landing) == {"JW305": (1, 1), "unrecognised": (1, 1)}
    assert [Path(path).name for path, _ in inventoried(warehouse, other)] == ["a.xml"]


def test_an_empty_landing_directory_empties_its_inventory(tmp_path, warehouse):
    landing = tmp_path / "landing"
    land(landing, {"a.xml": care_event("JW305")})
    take_inventory(warehouse, landing)
    (landing / "ijw" / "a.xml").unlink()

    update = take_inventory(warehouse, landing)

    assert (update.files, update.listed, update.removed) == (0, 0, 1)
    assert landing_inventory.files_by_type(warehouse, landing) == {}
    assert inventoried(warehouse, landing) == []
    assert landing_inventory.update_inventory(warehouse, tmp_path / "never-created").files == 0


def test_the_ingest_reads_files_in_the_order_sorted_paths_give(tmp_path, warehouse):
    landing = tmp_path / "landing"
    names = ["a-c.xml", "a/b.xml", "a/a.xml", "B.xml", "2024/10/x.xml", "2024/9/x.xml", "2024/1.xml"]
    land(landing, dict.fromkeys(names, care_event("JW305")))

    take_inventory(warehouse, landing)

    assert claimed_files(warehouse, STARTS, landing) == sorted((landing / "ijw").rglob("*.xml"))


JW305_NS = "http://www.istandaarden.nl/ijw/3_2/jw305/schema"
JW323_NS = "http://www.istandaarden.nl/ijw/3_2/jw323/schema"
_SENDER_HEADER = (
    f'<p:Bericht xmlns:p="{JW323_NS}"><p:Header><p:Afzender>9800001\u00e9</p:Afzender></p:Header></p:Bericht>'
)
HEADS = {
    "prefixed": f'<?xml version="1.0" encoding="UTF-8"?>\n<a:Bericht xmlns:a="{JW305_NS}"><a:X/></a:Bericht>',
    "default namespace": f"<Bericht xmlns='{JW323_NS}'/>",
    "bom and comment": f'\ufeff<?xml version="1.0"?><!-- a - b --><p:Bericht xmlns:p="{JW305_NS}"></p:Bericht>',
    "prefix bound elsewhere": f'<p:Bericht xmlns:q="{JW305_NS}" xmlns:p="urn:other"></p:Bericht>',
    "unprefixed without default": f'<Bericht xmlns:p="{JW305_NS}"></Bericht>',
    "other root": f'<p:Declaratie xmlns:p="{JW323_NS}"></p:Declaratie>',
    "greater-than in a value": f'<p:Bericht a=">" xmlns:p="{JW323_NS}"></p:Bericht>',
    "namespace declared twice": f'<p:Bericht xmlns:p="{JW323_NS}" xmlns:p="{JW305_NS}"></p:Bericht>',
    "attribute given twice": f'<p:Bericht a="1" xmlns:p="{JW323_NS}" a="2"></p:Bericht>',
    "doctype": f'<!DOCTYPE p:Bericht [<!ENTITY e "x">]><p:Bericht xmlns:p="{JW323_NS}"></p:Bericht>',
    "processing instruction": f'<?foo bar?><p:Bericht xmlns:p="{JW323_NS}"></p:Bericht>',
    "bad declaration": f'<?xml vers="1.0"?><p:Bericht xmlns:p="{JW323_NS}"></p:Bericht>',
    "utf-16": None,
    "broken after the root": f'<p:Bericht xmlns:p="{JW323_NS}"><p:Header></p:Bericht>',
    "not xml": "BSN;bedrag\n123;4",
    "empty": "",
    # The parser decodes the text as the declaration says, wherever it stands: a sender's UTF-8 bytes read as Latin-1
    # are other characters, and the read must give the parser's answer, not its own decoding.
    "latin-1 declared": '<?xml version="1.0" encoding="ISO-8859-1"?>' + _SENDER_HEADER,
    "latin-1 declared past the head's usual length": '<?xml version="1.0"'
    + " " * 300
    + "encoding='latin1'?>"
    + _SENDER_HEADER,
    "utf-8 declared in lower case": '<?xml version="1.0" encoding="utf-8"?>' + _SENDER_HEADER,
    "header inside a header": f'<p:Bericht xmlns:p="{JW323_NS}"><p:Header><p:Afzender>98000011</p:Afzender>'
    "<p:Header><p:Afzender>98000022</p:Afzender></p:Header></p:Header></p:Bericht>",
}
# What each head is, by hand: the root's namespace when the root is a Bericht in an iJw namespace of a well-formed
# start without DTD, and the sender as the parser decodes it.
EXPECTED_HEADS = {
    "prefixed": MessageHead("JW305", None),
    "default namespace": MessageHead("JW323", None),
    "bom and comment": MessageHead("JW305", None),
    "prefix bound elsewhere": MessageHead(None, None),
    "unprefixed without default": MessageHead(None, None),
    "other root": MessageHead(None, None),
    "greater-than in a value": MessageHead("JW323", None),
    "namespace declared twice": MessageHead(None, None),
    "attribute given twice": MessageHead(None, None),
    "doctype": MessageHead(None, None),
    "processing instruction": MessageHead("JW323", None),
    "bad declaration": MessageHead(None, None),
    "utf-16": MessageHead("JW323", None),
    "broken after the root": MessageHead("JW323", None),
    "not xml": MessageHead(None, None),
    "empty": MessageHead(None, None),
    "latin-1 declared": MessageHead("JW323", "9800001\u00c3\u00a9"),
    "latin-1 declared past the head's usual length": MessageHead("JW323", "9800001\u00c3\u00a9"),
    "utf-8 declared in lower case": MessageHead("JW323", "9800001\u00e9"),
    # The first Header to end, the innermost (the reader refuses the second Header).
    "header inside a header": MessageHead("JW323", "98000022"),
}


DECLARATION = document(client(VALID_BSN, prestatie("R1", 5000)))
AFZENDER = "<jw323:Afzender>98000011</jw323:Afzender>"
# Headers the readers accept, written every way that could mislead a regular expression about the sender.
HEADERS = {
    "plain": DECLARATION,
    "padded sender": DECLARATION.replace(AFZENDER, "<jw323:Afzender>\n 98000011\t</jw323:Afzender>"),
    "character reference": DECLARATION.replace(AFZENDER, "<jw323:Afzender>9800&#48;011</jw323:Afzender>"),
    "cdata": DECLARATION.replace(AFZENDER, "<jw323:Afzender><![CDATA[98000011]]></jw323:Afzender>"),
    "comment before the sender": DECLARATION.replace(
        AFZENDER, "<!-- <jw323:Afzender>98000099</jw323:Afzender> -->" + AFZENDER
    ),
    "comment inside the sender": DECLARATION.replace(AFZENDER, "<jw323:Afzender>9800<!-- 99 -->0011</jw323:Afzender>"),
    "sender given twice": DECLARATION.replace(AFZENDER, AFZENDER + "<jw323:Afzender>98000099</jw323:Afzender>"),
    "sender first": DECLARATION.replace(AFZENDER, "").replace("<jw323:Header>", "<jw323:Header>" + AFZENDER),
    "comment before the header": DECLARATION.replace("<jw323:Header>", "<!-- x --><jw323:Header>"),
    "default namespace": DECLARATION.replace("jw323:", "").replace("xmlns:jw323=", "xmlns="),
    "header beyond the head": DECLARATION.replace(
        "<jw323:Header>", "<jw323:Header><jw323:BerichtCode>490</jw323:BerichtCode>" + " " * 5000, 1
    ).replace("<jw323:BerichtCode>490</jw323:BerichtCode>", "", 1),
    "sender in another namespace first": DECLARATION.replace(
        AFZENDER, "<ijw:Afzender>98000099</ijw:Afzender>" + AFZENDER
    ),
}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_the_sender_read_is_the_provider_the_reader_reads(tmp_path, name):
    path = tmp_path / "declaration.xml"
    path.write_text(HEADERS[name], encoding="utf-8")

    parsed = read_message(path, JW323, PSEUDONYMISER)

    assert parsed.file_rejection is None and parsed.records, "the reader accepts every variant"
    assert {line.provider_agb for line in parsed.records} == {head_read(path).sender}
    assert head_read(path) == MessageHead("JW323", "98000011")


def write_head(path: Path, name: str) -> None:
    """HEADS[name] written to path."""
    content = HEADS[name]
    if content is None:
        utf16 = f'<?xml version="1.0" encoding="UTF-16"?><p:Bericht xmlns:p="{JW323_NS}"/>'
        path.write_bytes(utf16.encode("utf-16"))
    else:
        path.write_bytes(content.encode("utf-8"))


@pytest.mark.parametrize("name", sorted(HEADS))
def test_the_read_gives_type_and_sender_as_the_parser_decodes_them(tmp_path, name):
    path = tmp_path / "message.xml"
    write_head(path, name)
    assert head_read(path) == EXPECTED_HEADS[name]


def test_reading_in_processes_gives_each_file_its_head_in_order(tmp_path):
    paths, names = [], sorted(HEADS) * 3
    for number, name in enumerate(names):
        path = tmp_path / "ijw" / f"{number:03}.xml"
        path.parent.mkdir(exist_ok=True)
        write_head(path, name)
        paths.append(path)
    settings = read_pass.ReadSettings(tmp_path, tmp_path / "stage", PSEUDONYMISER, reading_spec)

    heads = read_pass.read_into_stage([(str(path), path.stat().st_size) for path in paths], settings, processes=2)

    assert heads == [EXPECTED_HEADS[name] for name in names]
    assert {"JW305", "JW323", None} <= {head.message_type for head in heads}


@pytest.mark.parametrize("count", [0, 1, 3, 4, 5, 13])
def test_read_ahead_yields_every_path_in_order_each_advised_once_and_before_it_is_read(monkeypatch, count):
    advised: list[str] = []
    monkeypatch.setattr(read_ahead_module, "advise_will_need", advised.append)
    paths = [f"f{index}.xml" for index in range(count)]
    yielded = []
    for path in read_ahead_module.read_ahead(paths, window=4):
        assert path in advised
        # No more than the window is asked for ahead of the file being read.
        assert len(advised) <= min(count, paths.index(path) + 1 + 4)
        yielded.append(path)
    assert yielded == paths
    assert advised == paths


def test_the_caches_of_an_earlier_version_are_dropped_and_rebuilt_with_every_column(tmp_path, warehouse):
    """Before one inventory served every source, iJw files were kept in audit.ijw_landed_files (at first without
    their sender) and CBS and budget files in audit.landed_files_read."""
    warehouse.execute(
        "create table audit.ijw_landed_files (file_path varchar primary key, size_bytes bigint not null, "
        "mtime_ns bigint not null, message_type varchar)"
    )
    warehouse.execute("create table audit.landed_files_read (file_path varchar primary key)")
    landing = tmp_path / "landing"
    land(landing, {"d.xml": DECLARATION.encode()})
    stat = (landing / "ijw" / "d.xml").stat()
    warehouse.execute(
        "insert into audit.ijw_landed_files values (?, ?, ?, 'JW323')",
        [str(landing / "ijw" / "d.xml"), stat.st_size, stat.st_mtime_ns],
    )

    ensure_schema(warehouse)
    take_inventory(warehouse, landing)

    old = "select table_name from duckdb_tables() where table_name in ('ijw_landed_files', 'landed_files_read')"
    assert warehouse.execute(old).fetchall() == []
    assert warehouse.execute("select message_type, sender from audit.landed_files").fetchall() == [
        ("JW323", "98000011")
    ]


def test_the_caches_of_the_last_version_are_carried_over_so_nothing_is_read_again(tmp_path, warehouse, reads):
    """audit.ijw_landed_files and audit.landed_files_read as they stood just before audit.landed_files: their rows
    move into it, so the first run after the upgrade reads no file and keeps the sha256 each file was read with."""
    warehouse.execute(
        "create table audit.ijw_landed_files (file_path varchar primary key, size_bytes bigint not null, "
        "mtime_ns bigint not null, message_type varchar, sender varchar, file_sha256 varchar)"
    )
    warehouse.execute(
        "create table audit.landed_files_read (file_path varchar primary key, size_bytes bigint not null, "
        "mtime_ns bigint not null, file_sha256 varchar not null)"
    )
    landing = tmp_path / "landing"
    land(landing, {"d.xml": DECLARATION.encode()})
    declaration, snapshot = landing / "ijw" / "d.xml", landing / "cbs" / "snapshot.json"
    stat = declaration.stat()
    warehouse.execute(
        "insert into audit.ijw_landed_files values (?, ?, ?, 'JW323', '98000011', 'sha-of-d')",
        [str(declaration), stat.st_size, stat.st_mtime_ns],
    )
    warehouse.execute("insert into audit.landed_files_read values (?, 10, 20, 'sha-of-snapshot')", [str(snapshot)])

    ensure_schema(warehouse)
    take_inventory(warehouse, landing, message_types=("JW323",))

    assert reads == []
    assert sorted(warehouse.execute("select * from audit.landed_files").fetchall()) == sorted(
        [
            (str(declaration), stat.st_size, stat.st_mtime_ns, "JW323", "98000011", "sha-of-d"),
            (str(snapshot), 10, 20, None, None, "sha-of-snapshot"),
        ]
    )
    old = "select table_name from duckdb_tables() where table_name in ('ijw_landed_files', 'landed_files_read')"
    assert warehouse.execute(old).fetchall() == []
