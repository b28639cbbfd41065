"""The landing inventory: each landed file version is sniffed once, a changed file again, and files keep path order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.ijw.jw323 import SPEC as JW323
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.safe_xml import WHOLE_SNIFF_BYTES, MessageHead, sniff_stream
from orchestration.warehouse import landing_inventory
from orchestration.warehouse import read_ahead as read_ahead_module
from orchestration.warehouse.ijw_messages import STARTS
from orchestration.warehouse.landing_files import path_order
from orchestration.warehouse.schema import ensure_schema
from tests.hostile.documents import care_event
from tests.ijw_landing import claimed_files, read_message
from tests.jw323_documents import VALID_BSN, client, document, prestatie


def sniff_message(path: Path) -> MessageHead:
    with path.open("rb") as source:
        return sniff_stream(source)


@pytest.fixture
def sniffed(monkeypatch) -> list[str]:
    """The paths the inventory sniffs, in order."""
    calls: list[str] = []
    real = landing_inventory.sniff_landed

    def counting(path: str, root: str) -> MessageHead:
        calls.append(Path(path).name)
        return real(path, root)

    monkeypatch.setattr(landing_inventory, "sniff_landed", counting)
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
    """The inventory brought up to date, then every landed file with its type, in path order."""
    landing_inventory.update_inventory(con, landing)
    return inventoried(con, landing)


def types(con, landing: Path) -> dict[str, str | None]:
    return {Path(path).name: message_type for path, message_type in classified(con, landing)}


def test_each_file_version_is_sniffed_once(tmp_path, warehouse, sniffed):
    landing = tmp_path / "landing"
    declaration = document(client(VALID_BSN, prestatie("R1", 5000))).encode()
    land(landing, {"d.xml": declaration, "s.xml": care_event("JW305"), "junk.xml": b"not xml", "notes.txt": b"x"})

    assert types(warehouse, landing) == {"d.xml": "JW323", "s.xml": "JW305", "junk.xml": None}
    assert sorted(sniffed) == ["d.xml", "junk.xml", "s.xml"]

    sniffed.clear()
    assert types(warehouse, landing) == {"d.xml": "JW323", "s.xml": "JW305", "junk.xml": None}
    assert sniffed == [], "an unchanged file is not sniffed again"

    # The same name now holds a stop message: another size and mtime, so it is sniffed again.
    land(landing, {"s.xml": care_event("JW307")})
    stat = (landing / "ijw" / "s.xml").stat()
    os.utime(landing / "ijw" / "s.xml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert types(warehouse, landing) == {"d.xml": "JW323", "s.xml": "JW307", "junk.xml": None}
    assert sniffed == ["s.xml"]
    assert warehouse.execute("select count(*) from audit.landed_files").fetchone() == (3,)


def test_a_vanished_file_leaves_the_inventory_and_another_landing_is_left_alone(tmp_path, warehouse):
    landing, other = tmp_path / "landing", tmp_path / "landing-2"
    land(landing, {"a.xml": care_event("JW305"), "b.xml": care_event("JW307"), "junk.xml": b"not xml"})
    land(other, {"a.xml": care_event("JW305")})
    landing_inventory.update_inventory(warehouse, other)
    assert landing_inventory.update_inventory(warehouse, landing).by_type == {
        "JW305": 1,
        "JW307": 1,
        "unrecognised": 1,
    }

    (landing / "ijw" / "b.xml").unlink()
    update = landing_inventory.update_inventory(warehouse, landing)

    assert (update.files, update.sniffed, update.removed) == (2, 0, 1)
    assert update.by_type == {"JW305": 1, "unrecognised": 1}
    assert [Path(path).name for path, _ in inventoried(warehouse, other)] == ["a.xml"]


def test_an_empty_landing_directory_empties_its_inventory(tmp_path, warehouse):
    landing = tmp_path / "landing"
    land(landing, {"a.xml": care_event("JW305")})
    landing_inventory.update_inventory(warehouse, landing)
    (landing / "ijw" / "a.xml").unlink()

    update = landing_inventory.update_inventory(warehouse, landing)

    assert (update.files, update.sniffed, update.removed, update.by_type) == (0, 0, 1, {})
    assert inventoried(warehouse, landing) == []
    assert landing_inventory.update_inventory(warehouse, tmp_path / "never-created").files == 0


def test_the_ingest_reads_files_in_the_order_sorted_paths_give(tmp_path, warehouse):
    landing = tmp_path / "landing"
    names = ["a-c.xml", "a/b.xml", "a/a.xml", "B.xml", "2024/10/x.xml", "2024/9/x.xml", "2024/1.xml"]
    land(landing, dict.fromkeys(names, care_event("JW305")))

    landing_inventory.update_inventory(warehouse, landing)

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
    # are other characters, and the sniff must give the parser's answer, not its own decoding.
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
    # The first Header to end, where a parse up to the end of a Header stops (the reader refuses the second Header).
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
def test_the_sniffed_sender_is_the_provider_the_reader_reads(tmp_path, name):
    path = tmp_path / "declaration.xml"
    path.write_text(HEADERS[name], encoding="utf-8")

    parsed = read_message(path, JW323, Pseudonymiser(b"sniff-test-key-0123456789"))

    assert parsed.file_rejection is None and parsed.records, "the reader accepts every variant"
    assert {line.provider_agb for line in parsed.records} == {sniff_message(path).sender}
    assert sniff_message(path) == MessageHead("JW323", "98000011")


def write_head(path: Path, name: str, padding: str = "") -> None:
    """HEADS[name] written to path, padding after it (where XML allows a comment)."""
    content = HEADS[name]
    if content is None:
        utf16 = f'<?xml version="1.0" encoding="UTF-16"?><p:Bericht xmlns:p="{JW323_NS}"/>'
        path.write_bytes((utf16 + padding).encode("utf-16"))
    else:
        path.write_bytes((content + padding).encode("utf-8"))


@pytest.mark.parametrize("name", sorted(HEADS))
def test_the_sniff_reads_type_and_sender_as_the_parser_decodes_them(tmp_path, name):
    path = tmp_path / "message.xml"
    write_head(path, name)
    assert sniff_message(path) == EXPECTED_HEADS[name]


@pytest.mark.parametrize("name", sorted(HEADS))
def test_a_message_too_large_to_parse_whole_is_sniffed_to_the_same_head(tmp_path, name):
    # Past WHOLE_SNIFF_BYTES the sniff pulls up to the end of the first Header instead of parsing the file whole.
    path = tmp_path / "message.xml"
    write_head(path, name, "<!--" + " " * WHOLE_SNIFF_BYTES + "-->")
    assert path.stat().st_size > WHOLE_SNIFF_BYTES
    assert sniff_message(path) == EXPECTED_HEADS[name]


def test_sniffing_in_processes_gives_each_file_its_type_in_order(tmp_path):
    paths, names = [], sorted(HEADS) * 3
    for number, name in enumerate(names):
        path = tmp_path / f"{number:03}.xml"
        content = HEADS[name]
        path.write_bytes(content.encode("utf-8") if content is not None else "\ufeff<a/>".encode("utf-16"))
        paths.append(path)

    sniffed = landing_inventory.sniff_heads([str(path) for path in paths], tmp_path, processes=2)

    assert sniffed == [EXPECTED_HEADS[name] if HEADS[name] is not None else MessageHead(None, None) for name in names]
    assert {"JW305", "JW323", None} <= {head.message_type for head in sniffed}


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
    landing_inventory.update_inventory(warehouse, landing)

    old = "select table_name from duckdb_tables() where table_name in ('ijw_landed_files', 'landed_files_read')"
    assert warehouse.execute(old).fetchall() == []
    assert warehouse.execute("select message_type, sender from audit.landed_files").fetchall() == [
        ("JW323", "98000011")
    ]


def test_the_caches_of_the_last_version_are_carried_over_so_nothing_is_read_again(tmp_path, warehouse, sniffed):
    """audit.ijw_landed_files and audit.landed_files_read as they stood just before audit.landed_files: their rows
    move into it, so the first run after the upgrade sniffs no file and keeps the sha256 each file was read with."""
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
    landing_inventory.update_inventory(warehouse, landing)

    assert sniffed == []
    assert sorted(warehouse.execute("select * from audit.landed_files").fetchall()) == sorted(
        [
            (str(declaration), stat.st_size, stat.st_mtime_ns, "JW323", "98000011", "sha-of-d"),
            (str(snapshot), 10, 20, None, None, "sha-of-snapshot"),
        ]
    )
    old = "select table_name from duckdb_tables() where table_name in ('ijw_landed_files', 'landed_files_read')"
    assert warehouse.execute(old).fetchall() == []
