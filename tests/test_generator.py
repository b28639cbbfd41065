"""The generator: XSD-valid messages, determinism, and a ground truth that independent recomputation confirms."""

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from orchestration.generator.__main__ import main
from orchestration.generator.world import Options, generate
from orchestration.ijw.bsn import is_valid_bsn
from orchestration.ijw.safe_xml import BASIS_NS, message_namespace

REPO_ROOT = Path(__file__).resolve().parents[1]
SMALL_WORLD = {
    "municipalities": ("GM0252", "GM0397"),
    "first_quarter": "2024-Q1",
    "last_quarter": "2024-Q2",
    "scale": 0.2,
}
B = f"{{{BASIS_NS}}}"


def _ns(message: str) -> str:
    return f"{{{message_namespace(message)}}}"


def _codes(path: str) -> set[str]:
    with (REPO_ROOT / path).open(newline="", encoding="utf-8") as handle:
        return {row[0] for row in list(csv.reader(handle))[1:]}


@pytest.fixture(scope="module")
def faulty_world(tmp_path_factory) -> Path:
    """A small world with a high fault rate, so every kind of fault is likely to appear."""
    out = tmp_path_factory.mktemp("faulty_world")
    generate(Options(out=out, seed=7, fault_rate=0.2, **SMALL_WORLD))
    return out


@pytest.fixture(scope="module")
def clean_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean_world")
    generate(Options(out=out, seed=3, fault_rate=0.0, **SMALL_WORLD))
    return out


def _truth(out: Path) -> dict:
    return json.loads((out / "ground_truth.json").read_text())


def _manifest(out: Path) -> dict:
    return json.loads((out / "faults.json").read_text())


def _files(out: Path, message: str) -> list[Path]:
    return sorted((out / "ijw").rglob(f"{message}_*.xml"), key=lambda p: p.relative_to(out).as_posix())


def _date(element: etree._Element, path: str) -> dt.date:
    return dt.date.fromisoformat(element.findtext(path))


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _declaration_lines(out: Path):
    """(relative path, provider, municipality, bsn, Prestatie) for every line of every file not faulty as a whole."""
    faulty_files = {entry["path"] for entry in _manifest(out)["files"]}
    ns = _ns("JW323")
    for path in _files(out, "JW323"):
        relative = path.relative_to(out).as_posix()
        if relative in faulty_files:
            continue
        root = etree.parse(str(path)).getroot()
        provider, gemeente = root.findtext(f"{ns}Header/{ns}Afzender"), root.findtext(f"{ns}Header/{ns}Ontvanger")
        for client in root.iter(f"{ns}Client"):
            bsn = client.findtext(f"{ns}Bsn")
            for line in client.iter(f"{ns}Prestatie"):
                yield relative, provider, gemeente, bsn, line


def _signed_amount(line: etree._Element) -> int:
    ns = _ns("JW323")
    amount = int(line.findtext(f"{ns}IngediendBedrag/{B}Bedrag"))
    return -amount if line.findtext(f"{ns}IngediendBedrag/{B}DebetCredit") == "C" else amount


def test_every_message_not_faulty_as_a_whole_validates_against_its_xsd(faulty_world, ijw_xsd_dir):
    faulty_files = {entry["path"] for entry in _manifest(faulty_world)["files"]}
    checked = Counter()
    for message in ("JW301", "JW305", "JW307", "JW315", "JW323"):
        schema = etree.XMLSchema(etree.parse(str(ijw_xsd_dir / f"{message}.xsd")))
        for path in _files(faulty_world, message):
            if path.relative_to(faulty_world).as_posix() in faulty_files:
                continue
            assert schema.validate(etree.parse(str(path))), f"{path.name}: {schema.error_log.last_error}"
            checked[message] += 1
    assert all(checked[m] > 0 for m in ("JW301", "JW305", "JW307", "JW315", "JW323")), checked


def _hashes(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_identical_files_and_another_seed_does_not(clean_world, tmp_path):
    generate(Options(out=tmp_path / "again", seed=3, fault_rate=0.0, **SMALL_WORLD))
    generate(Options(out=tmp_path / "other", seed=4, fault_rate=0.0, **SMALL_WORLD))
    assert _hashes(tmp_path / "again") == _hashes(clean_world)
    assert _hashes(tmp_path / "other") != _hashes(clean_world)


@pytest.mark.parametrize("world", ["clean_world", "faulty_world"])
def test_net_declared_cents_equal_an_xpath_sum_over_the_declarations(world, request):
    out = request.getfixturevalue(world)
    faulty_lines = {(entry["path"], entry["reference_number"]) for entry in _manifest(out)["lines"]}
    ns = _ns("JW323")
    recomputed: Counter[tuple[str, str]] = Counter()
    for relative, _, gemeente, _, line in _declaration_lines(out):
        if (relative, line.findtext(f"{ns}ProductReferentie/{B}ReferentieNummer")) in faulty_lines:
            continue
        quarter = _quarter(_date(line, f"{ns}ProductPeriode/{B}Begindatum"))
        recomputed[(f"GM{gemeente}", quarter)] += _signed_amount(line)
    truth = {
        (row["municipality_code"], row["quarter"]): row["net_declared_cents"]
        for row in _truth(out)["by_municipality_quarter"]
    }
    assert set(truth) == {(m, q) for m in SMALL_WORLD["municipalities"] for q in ("2024-Q1", "2024-Q2")}
    assert all(value > 0 for value in truth.values())
    assert {key: recomputed.get(key, 0) for key in truth} == truth
    assert set(recomputed) <= set(truth), "lines outside the window's quarters"


def test_fault_counts_in_ground_truth_match_the_manifest(faulty_world):
    manifest, truth = _manifest(faulty_world), _truth(faulty_world)
    counted = Counter(entry["reason_code"] for entry in manifest["files"] + manifest["lines"])
    assert truth["faults"] == dict(counted)
    assert len(counted) >= 6, f"a fault rate of 0.2 should show most reason codes, got {counted}"
    lines_in_valid_files = sum(1 for _ in _declaration_lines(faulty_world))
    assert truth["totals"]["jw323_lines_fault_free"] == lines_in_valid_files - len(manifest["lines"])
    lines_in_faulty_files = sum(entry["lines"] for entry in manifest["files"])
    assert truth["totals"]["jw323_lines_written"] == lines_in_valid_files + lines_in_faulty_files
    assert truth["totals"]["files"]["JW323"] == len(_files(faulty_world, "JW323"))


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _line_violations(out: Path) -> dict[tuple[str, str], set[str]]:
    """Every declaration rule each line breaks, judged from the XML alone, in path (= processing) order."""
    ns = _ns("JW323")
    products = _codes("seeds/reference/product_codes.csv")
    debits: dict[tuple[str, str], tuple] = {}
    open_debits: set[tuple] = set()
    delivered: set[tuple[str, str]] = set()
    found: dict[tuple[str, str], set[str]] = {}
    for relative, provider, _, bsn, line in _declaration_lines(out):
        reference = line.findtext(f"{ns}ProductReferentie/{B}ReferentieNummer")
        previous = line.findtext(f"{ns}ProductReferentie/{B}VorigReferentieNummer")
        start, end = _date(line, f"{ns}ProductPeriode/{B}Begindatum"), _date(line, f"{ns}ProductPeriode/{B}Einddatum")
        volume, unit = int(line.findtext(f"{ns}GeleverdVolume")), line.findtext(f"{ns}Eenheid")
        tariff, amount = int(line.findtext(f"{ns}ProductTarief")), abs(_signed_amount(line))
        key = (line.findtext(f"{ns}ToewijzingNummer"), line.findtext(f"{ns}ProductCode"), start, end)
        broken = set()
        if (provider, reference) in delivered:
            broken.add("TR314")
        if not is_valid_bsn(bsn):
            broken.add("BSN_INVALID")
        if key[1] not in products:
            broken.add("PRODUCT_CODE_UNKNOWN")
        if amount != (round(volume * tariff / 60) if unit == "01" else volume * tariff):
            broken.add("TR346")
        if end > _month_end(start):
            broken.add("CS337")
        if start < dt.date(2021, 1, 1):
            broken.add("CS100")
        if _signed_amount(line) < 0:
            if (provider, previous) not in debits:
                broken.add("CD060")
            else:
                open_debits.discard(debits[(provider, previous)])
        elif (provider, key) in open_debits:
            broken.add("TR389")
        found[(relative, reference)] = broken
        if not broken:
            delivered.add((provider, reference))
        if not broken and _signed_amount(line) >= 0:
            debits[(provider, reference)] = (provider, key)
            open_debits.add((provider, key))
    return found


def test_each_faulty_line_breaks_exactly_its_rule_and_every_other_line_breaks_none(faulty_world):
    expected = {
        (entry["path"], entry["reference_number"]): {entry["reason_code"]} for entry in _manifest(faulty_world)["lines"]
    }
    found = _line_violations(faulty_world)
    assert {key: rules for key, rules in found.items() if rules} == expected


def test_each_faulty_file_breaks_its_rule(faulty_world):
    ns = _ns("JW323")
    for entry in _manifest(faulty_world)["files"]:
        data = (faulty_world / entry["path"]).read_bytes()
        if entry["reason_code"] == "XML_MALFORMED":
            with pytest.raises(etree.XMLSyntaxError):
                etree.fromstring(data)
            continue
        root = etree.fromstring(data)
        if entry["reason_code"] == "WRONG_BERICHTCODE":
            assert root.findtext(f"{ns}Header/{ns}BerichtCode") != "490"
        elif entry["reason_code"] == "CS340":
            start = _date(root, f"{ns}Declaratie/{ns}DeclaratiePeriode/{B}Begindatum")
            assert (start.day, _date(root, f"{ns}Declaratie/{ns}DeclaratiePeriode/{B}Einddatum")) != (
                1,
                _month_end(start),
            )
        else:
            assert entry["reason_code"] == "TR358"
            total = int(root.findtext(f"{ns}Declaratie/{ns}TotaalIngediendBedrag/{B}TotaalBedrag"))
            sign = -1 if root.findtext(f"{ns}Declaratie/{ns}TotaalIngediendBedrag/{B}DebetCredit") == "C" else 1
            assert sign * total != sum(_signed_amount(line) for line in root.iter(f"{ns}Prestatie"))


def _allocation_cycle(out: Path) -> dict:
    """What the ingest will read: requests, allocations, effective starts and stops, straight from the XML."""
    requests, allocations, starts, withdrawn, stops = {}, {}, {}, set(), {}
    ns = _ns("JW315")
    for path in _files(out, "JW315"):
        root = etree.parse(str(path)).getroot()
        for item in root.iter(f"{ns}AangevraagdProduct"):
            key = (
                root.findtext(f"{ns}Header/{ns}Afzender"),
                root.findtext(f"{ns}Client/{ns}Bsn"),
                item.findtext(f"{ns}ReferentieAanbieder"),
            )
            requests[key] = (
                _date(root, f"{ns}Header/{ns}BerichtIdentificatie/{B}Dagtekening"),
                item.findtext(f"{ns}Verwijzer/{B}Type"),
            )
    ns = _ns("JW301")
    for path in _files(out, "JW301"):
        root = etree.parse(str(path)).getroot()
        for item in root.iter(f"{ns}ToegewezenProduct"):
            number = item.findtext(f"{ns}ToewijzingNummer")
            assert number not in allocations, f"ToewijzingNummer {number} in two JW301 products"
            allocations[number] = {
                "provider": root.findtext(f"{ns}Header/{ns}Ontvanger"),
                "bsn": root.findtext(f"{ns}Client/{ns}Bsn"),
                "reference": item.findtext(f"{ns}ReferentieAanbieder"),
                "allocated_on": _date(item, f"{ns}Toewijzingsdatum"),
            }
    ns = _ns("JW305")
    for path in _files(out, "JW305"):
        for item in etree.parse(str(path)).getroot().iter(f"{ns}StartProduct"):
            key = (
                item.findtext(f"{ns}ToewijzingNummer"),
                item.findtext(f"{ns}Product/{B}Code"),
                item.findtext(f"{ns}Begindatum"),
            )
            if item.findtext(f"{ns}StatusAanlevering") == "3":
                withdrawn.add(key)
            else:
                starts.setdefault(key[0], []).append(key)
    ns = _ns("JW307")
    for path in _files(out, "JW307"):
        for item in etree.parse(str(path)).getroot().iter(f"{ns}StopProduct"):
            stops[item.findtext(f"{ns}ToewijzingNummer")] = (
                _date(item, f"{ns}Einddatum"),
                item.findtext(f"{ns}RedenBeeindiging"),
            )
    effective = {}
    for number, keys in starts.items():
        kept = [key for key in keys if key not in withdrawn]
        assert len(kept) == 1, f"allocation {number}: effective starts {kept}"
        effective[number] = dt.date.fromisoformat(kept[0][2])
    return {
        "requests": requests,
        "allocations": allocations,
        "starts": effective,
        "stops": stops,
        "withdrawn": withdrawn,
    }


def test_the_allocation_cycle_follows_the_message_semantics(clean_world):
    cycle = _allocation_cycle(clean_world)
    allocations = cycle["allocations"]
    answered = 0
    for number, allocation in allocations.items():
        if allocation["reference"] is not None:
            request_on, _ = cycle["requests"][(allocation["provider"], allocation["bsn"], allocation["reference"])]
            assert request_on <= allocation["allocated_on"]
            answered += 1
        if number in cycle["starts"]:
            assert cycle["starts"][number] >= allocation["allocated_on"]
        if number in cycle["stops"]:
            assert cycle["stops"][number][0] >= cycle["starts"][number]
    assert set(cycle["starts"]) <= set(allocations) and set(cycle["stops"]) <= set(cycle["starts"])
    assert 0 < answered < len(allocations)
    assert cycle["withdrawn"], "a few starts are withdrawn and sent again"
    ns = _ns("JW323")
    for _, _, _, _, line in _declaration_lines(clean_world):
        number = line.findtext(f"{ns}ToewijzingNummer")
        start, end = _date(line, f"{ns}ProductPeriode/{B}Begindatum"), _date(line, f"{ns}ProductPeriode/{B}Einddatum")
        assert cycle["starts"][number] <= start
        assert number not in cycle["stops"] or end <= cycle["stops"][number][0]


def test_referrer_types_and_end_reasons_come_from_their_code_lists(clean_world):
    cycle = _allocation_cycle(clean_world)
    referrers = _codes("seeds/codelists/cod327_referrer_types.csv")
    end_reasons = _codes("seeds/codelists/jz588_end_reasons.csv")
    assert {referrer for _, referrer in cycle["requests"].values()} <= referrers
    assert {reason for _, reason in cycle["stops"].values()} <= end_reasons
    for row in _truth(clean_world)["by_municipality_quarter"]:
        assert set(row["allocations_by_referrer"]) <= referrers


def test_allocations_by_referrer_match_the_requests_they_answer(clean_world):
    cycle = _allocation_cycle(clean_world)
    recomputed: Counter = Counter()
    gemeente_of = {}
    for path in _files(clean_world, "JW301"):
        root = etree.parse(str(path)).getroot()
        ns = _ns("JW301")
        for item in root.iter(f"{ns}ToegewezenProduct"):
            gemeente_of[item.findtext(f"{ns}ToewijzingNummer")] = "GM" + root.findtext(f"{ns}Header/{ns}Afzender")
    for number, allocation in cycle["allocations"].items():
        referrer = "01"
        if allocation["reference"] is not None:
            referrer = cycle["requests"][(allocation["provider"], allocation["bsn"], allocation["reference"])][1]
        quarter = _quarter(allocation["allocated_on"])
        if quarter in ("2024-Q1", "2024-Q2"):
            recomputed[(gemeente_of[number], quarter, referrer)] += 1
    truth = Counter()
    for row in _truth(clean_world)["by_municipality_quarter"]:
        for referrer, count in row["allocations_by_referrer"].items():
            truth[(row["municipality_code"], row["quarter"], referrer)] = count
    assert recomputed == truth


def test_credits_sort_after_the_debit_they_cancel(faulty_world):
    ns = _ns("JW323")
    seen: dict[tuple[str, str], str] = {}
    credits = 0
    for relative, provider, _, _, line in _declaration_lines(faulty_world):
        previous = line.findtext(f"{ns}ProductReferentie/{B}VorigReferentieNummer")
        if previous is not None and not previous.startswith("N"):
            assert (provider, previous) in seen, f"{relative}: credit of {previous} before its debit"
            credits += 1
        seen[(provider, line.findtext(f"{ns}ProductReferentie/{B}ReferentieNummer"))] = relative
    assert credits > 0


def test_share_of_youth_in_care_is_calibrated_at_full_scale(tmp_path):
    truth = generate(
        Options(
            out=tmp_path,
            seed=11,
            municipalities=("GM0296",),
            first_quarter="2024-Q1",
            last_quarter="2024-Q4",
            fault_rate=0.0,
        )
    )
    (year,) = truth["by_municipality_year"]
    assert 0.08 <= year["share_of_youth_in_care"] <= 0.12, year
    quarters = truth["by_municipality_quarter"]
    started = Counter()
    for row in quarters:
        started.update(row["trajectories_started"])
    assert started.most_common(1)[0][0] == "02", "ambulant care is the bulk"
    residential = sum(started[form] for form in ("11", "12", "13", "14"))
    assert 0 < residential < 0.3 * sum(started.values())


def test_cli_refuses_to_mix_a_world_into_earlier_files(tmp_path, capsys):
    arguments = [
        "--out",
        str(tmp_path),
        "--municipalities",
        "GM0944",
        "--from",
        "2024-Q1",
        "--to",
        "2024-Q1",
        "--scale",
        "0.2",
    ]
    assert main([*arguments, "--quiet"]) == 0
    with pytest.raises(SystemExit, match="already holds"):
        main([*arguments, "--quiet"])
    assert main([*arguments, "--overwrite"]) == 0
    assert "wrote" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--municipalities", "GM9999"])


def test_corrections_never_correct_a_correction(tmp_path):
    """A credit or corrected debit lands in a later file; correcting it again would declare a second uncredited debit.

    This world (seed 11, three municipalities) hit that case before the generator skipped non-ordinary lines.
    """
    out = tmp_path / "world"
    generate(
        Options(
            out=out,
            seed=11,
            municipalities=("GM0392", "GM0268", "GM0003"),
            first_quarter="2023-Q3",
            last_quarter="2024-Q2",
            scale=0.03,
            fault_rate=0.03,
        )
    )
    manifest = _manifest(out)
    faulty = {(line["path"], line["reference_number"]) for line in manifest["lines"]}
    faulty_files = {entry["path"] for entry in manifest["files"]}
    broken = {
        key: rules
        for key, rules in _line_violations(out).items()
        if rules and key not in faulty and key[0] not in faulty_files
    }
    assert broken == {}


def test_some_providers_write_the_clients_bsn_as_a_reference_once_per_client(faulty_world):
    ns = _ns("JW323")
    references = [
        (provider, line.findtext(f"{ns}ProductReferentie/{B}ReferentieNummer"), bsn)
        for _relative, provider, _, bsn, line in _declaration_lines(faulty_world)
        if _signed_amount(line) >= 0
    ]
    bsn_references = [(provider, reference) for provider, reference, bsn in references if reference == bsn]
    assert bsn_references and all(is_valid_bsn(reference) for _provider, reference in bsn_references)
    # TR314: each is delivered once by its provider, like every other reference.
    assert len(set(bsn_references)) == len(bsn_references)


def test_every_declaring_provider_has_one_name_and_no_two_share_one(clean_world):
    with (clean_world / "provider_names.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["provider_agb"]: row["provider_name"] for row in rows}
    assert len(names) == len(rows) and len(set(names.values())) == len(rows)
    senders = {
        etree.parse(str(path)).findtext(f"{_ns('JW323')}Header/{_ns('JW323')}Afzender")
        for path in _files(clean_world, "JW323")
    }
    assert senders and senders <= set(names)
    assert all(name.strip() and not name.startswith(("=", "+", "-", "@")) for name in names.values())
