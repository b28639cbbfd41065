"""Generates a world municipality by municipality and streams its messages to disk.

Only one municipality's events are in memory at a time; what survives it is its slice of the ground truth and the
fault manifest. Messages of a municipality are numbered in order of their date, so that the path of every file
(ijw/YYYY/MM/<MSG>_<sender>_<receiver>_<identificatie>.xml) sorts chronologically.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from orchestration.generator import allocation_writers as aw
from orchestration.generator import calibration as cal
from orchestration.generator import faults
from orchestration.generator.calibration import Municipality
from orchestration.generator.cbs_snapshots import world_youth, world_youth_0_22, write_snapshots
from orchestration.generator.declarations import (
    DeclarationFile,
    References,
    declaration_files,
    month_end,
    use_bsns_as_references,
)
from orchestration.generator.ground_truth import (
    CategoryPart,
    Trajectory,
    declaration_lag_profile,
    full_years,
    merged_trajectories,
    municipality_kpis,
    municipality_quarters,
    municipality_years,
    product_category_kpis,
    product_category_parts,
    provider_revenue,
    quarter_bounds,
    repeat_care_kpis,
    year_costs,
)
from orchestration.generator.jw323_writer import Declaration, render
from orchestration.generator.model import Allocation, Window, allocations, omvang
from orchestration.generator.provider_names import NAMES_FILE, provider_names
from orchestration.generator.steering_inputs import BUDGET_FILE, CAPS_FILE, provider_caps, region_budget
from orchestration.generator.writing import Header
from orchestration.ijw.bsn import is_valid_bsn

TEST_BSN_RANGE = (999_900_006, 999_999_990)
# A Prestatie renders to about 1 kB; 18,000 lines keeps a file under the 20 MB the brief allows (iJw caps at 25 MB).
MAX_LINES_PER_FILE = 18_000
# Messages of one day sort in the order of the cycle: request, allocation, start, stop, declaration.
_KIND_ORDER = {"JW315": 0, "JW301": 1, "JW305": 2, "JW307": 3, "JW323": 4}


@dataclass(frozen=True)
class Options:
    out: Path
    seed: int = 1
    municipalities: tuple[str, ...] = ()
    first_quarter: str = "2023-Q1"
    last_quarter: str = "2024-Q4"
    scale: float = 1.0
    fault_rate: float = 0.01
    renewal_share: float = 0.0

    @property
    def window(self) -> Window:
        return Window(quarter_bounds(self.first_quarter)[0], quarter_bounds(self.last_quarter)[1])


@dataclass
class _Outgoing:
    """A message waiting for its number: rendered once its identificatie is known."""

    date: dt.date
    kind: str
    sender: str
    receiver: str
    render: Callable[[Header], bytes]
    declaration: DeclarationFile | None = None


@dataclass
class Summary:
    by_quarter: list[dict] = field(default_factory=list)
    by_year: list[dict] = field(default_factory=list)
    kpis: list[dict] = field(default_factory=list)
    files: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    lines_written: int = 0
    lines_fault_free: int = 0
    fault_files: list[dict] = field(default_factory=list)
    fault_lines: list[dict] = field(default_factory=list)
    cbs_youth: list[dict] = field(default_factory=list)
    year_costs: dict[tuple[str, str, int], int] = field(default_factory=dict)
    provider_revenue: Counter[tuple[str, int]] = field(default_factory=Counter)
    budget_lines: list[dict] = field(default_factory=list)
    provider_caps: list[dict] = field(default_factory=list)
    trajectories: dict[str, list[Trajectory]] = field(default_factory=dict)
    """Per municipality, for the KPIs that follow a client across municipalities (repeat care)."""
    category_parts: list[dict[tuple[str, str, str], CategoryPart]] = field(default_factory=list)
    """Per municipality, for the product-category scope, which adds municipalities up."""


@cache
def test_bsns() -> tuple[str, ...]:
    """The test BSNs (999900006-999999990) that pass the elfproef: about 9,100."""
    return tuple(str(n) for n in range(TEST_BSN_RANGE[0], TEST_BSN_RANGE[1] + 1) if is_valid_bsn(str(n)))


def bsn_pools(municipalities: list[Municipality]) -> dict[str, list[str]]:
    """Each region's municipalities get disjoint slices of the test BSNs, in proportion to their youth.

    Providers serve one region, so a BSN reused in another region can never merge into someone else's trajectory;
    within a slice BSNs are reused round-robin only once a municipality has had more careers than the slice holds.
    """
    pools: dict[str, list[str]] = {}
    everyone = test_bsns()
    by_region: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_region.setdefault(municipality.region_code, []).append(municipality)
    for members in by_region.values():
        members.sort(key=lambda m: m.code)
        total_youth = sum(m.youth_population for m in members)
        offset = 0
        for index, member in enumerate(members):
            size = (
                len(everyone) - offset
                if index == len(members) - 1
                else max(1, len(everyone) * member.youth_population // total_youth)
            )
            pools[member.code] = list(everyone[offset : offset + size])
            offset += size
    return pools


def client(seed: int, bsn: str, window: Window) -> aw.Client:
    """Birth date and gender fixed per BSN, so a reused BSN stays one consistent youth."""
    rng = random.Random(f"{seed}:client:{bsn}")
    age_days = rng.randint(365, 17 * 365)
    return aw.Client(bsn=bsn, birth_date=window.first_day - dt.timedelta(days=age_days), gender=rng.choice("12"))


def _volume(allocation: Allocation) -> aw.Volume:
    return aw.Volume(*omvang(allocation))


def _allocation_messages(
    seed: int, municipality: Municipality, allocation: Allocation, window: Window
) -> list[_Outgoing]:
    horizon, provider, code4 = window.last_day, allocation.provider, municipality.code4
    person = client(seed, allocation.bsn, window)
    product = allocation.product
    messages = []
    if allocation.requested_by(horizon) and allocation.provider_reference is not None:
        request = aw.Request(
            provider_reference=allocation.provider_reference,
            product_category=product.category,
            product_code=product.code,
            requested_start=allocation.start_on,
            volume=_volume(allocation),
            referrer_type=allocation.referrer_type,
            referrer_agb=f"98{allocation.number % 1_000_000:06d}"
            if allocation.referrer_type in {"02", "03", "05"}
            else None,
            referrer_name="Verwijzer (fictief)" if allocation.referrer_type in {"04", "08"} else None,
        )
        messages.append(
            _Outgoing(allocation.request_on, "JW315", provider, code4, _renderer(aw.render_jw315, person, [request]))
        )
    if not allocation.allocated_by(horizon):
        return messages
    assigned = aw.Allocation(
        allocation_number=allocation.number,
        provider_reference=allocation.provider_reference,
        product_category=product.category,
        product_code=product.code,
        allocated_on=allocation.allocated_on,
        allocated_at=dt.time(9 + allocation.number % 8, allocation.number % 60),
        valid_from=allocation.allocated_on,
        valid_until=allocation.planned_until,
        volume=_volume(allocation),
    )
    messages.append(
        _Outgoing(allocation.allocated_on, "JW301", code4, provider, _renderer(aw.render_jw301, person, [assigned]))
    )
    if not allocation.started_by(horizon):
        return messages

    def start(on: dt.date, status: str) -> aw.Start:
        return aw.Start(allocation.number, product.category, product.code, allocation.allocated_on, on, status)

    last_start_sent = allocation.start_sent_on
    if allocation.withdrawn_start_on is not None and allocation.withdrawal_sent_on is not None:
        wrong = allocation.withdrawn_start_on
        last_start_sent = allocation.withdrawal_sent_on
        for sent_on, item in (
            (allocation.start_sent_on, start(wrong, "1")),
            (last_start_sent, start(wrong, "3")),
            (last_start_sent, start(allocation.start_on, "1")),
        ):
            messages.append(_Outgoing(sent_on, "JW305", provider, code4, _renderer(aw.render_jw305, person, [item])))
    else:
        item = start(allocation.start_on, "1")
        messages.append(
            _Outgoing(last_start_sent, "JW305", provider, code4, _renderer(aw.render_jw305, person, [item]))
        )
    if allocation.ended_by(horizon):
        stop = aw.Stop(
            allocation.number,
            product.category,
            product.code,
            allocation.allocated_on,
            allocation.start_on,
            allocation.end_reason,
            allocation.end_on,
        )
        sent_on = max(allocation.stop_sent_on, last_start_sent)
        messages.append(_Outgoing(sent_on, "JW307", provider, code4, _renderer(aw.render_jw307, person, [stop])))
    return messages


def _renderer(function: Callable, person: aw.Client, items: list) -> Callable[[Header], bytes]:
    return lambda header: function(header, person, items)


def _declaration_messages(municipality: Municipality, files: list[DeclarationFile]) -> list[_Outgoing]:
    messages = []
    for declaration in files:
        for chunk in _chunks(declaration):
            messages.append(
                _Outgoing(
                    declaration.declared_on,
                    "JW323",
                    declaration.provider,
                    municipality.code4,
                    _declaration_renderer(chunk),
                    chunk,
                )
            )
    return messages


def _chunks(declaration: DeclarationFile) -> list[DeclarationFile]:
    """The declaration split at client boundaries when it would pass MAX_LINES_PER_FILE lines."""
    if len(declaration.lines) <= MAX_LINES_PER_FILE:
        return [declaration]
    by_client: dict[str, list] = {}
    for planned in declaration.lines:
        by_client.setdefault(planned.bsn, []).append(planned)
    chunks: list[DeclarationFile] = []
    current: list = []
    for bsn in sorted(by_client):
        if current and len(current) + len(by_client[bsn]) > MAX_LINES_PER_FILE:
            chunks.append(
                DeclarationFile(
                    declaration.provider, declaration.month, declaration.declared_on, current, declaration.fault
                )
            )
            current = []
        current.extend(by_client[bsn])
    chunks.append(
        DeclarationFile(declaration.provider, declaration.month, declaration.declared_on, current, declaration.fault)
    )
    return chunks


def _declaration_renderer(declaration: DeclarationFile) -> Callable[[Header], bytes]:
    def rendered(header: Header) -> bytes:
        clients: dict[str, list] = {}
        for planned in sorted(declaration.lines, key=lambda p: p.bsn):
            clients.setdefault(planned.bsn, []).append(planned.line)
        document = Declaration(
            provider_agb=header.sender,
            gemeente_code=header.receiver,
            message_id=header.message_id,
            declaration_number=header.message_id,
            period_start=declaration.month,
            period_end=month_end(declaration.month),
            declaration_date=header.message_date,
            clients=clients,
        )
        if declaration.fault == "CS340":
            document.period_end = month_end(declaration.month) + dt.timedelta(days=15)
        elif declaration.fault == "TR358":
            document.stated_total_cents = document.total_cents + 100
        elif declaration.fault == "WRONG_BERICHTCODE":
            document.message_code = faults.WRONG_BERICHTCODE
        data = render(document)
        # Cut inside an element: the root never closes, so no parser can accept what remains.
        return data[: len(data) // 2] if declaration.fault == "XML_MALFORMED" else data

    return rendered


def _write_messages(out: Path, municipality: Municipality, messages: list[_Outgoing], summary: Summary) -> None:
    ordered = sorted(enumerate(messages), key=lambda item: (item[1].date, _KIND_ORDER[item[1].kind], item[0]))
    created: set[Path] = set()
    for serial, (_, message) in enumerate(ordered, start=1):
        message_id = f"{municipality.code4}{serial:08d}"
        header = Header(message.sender, message.receiver, message_id, message.date)
        relative = Path(
            "ijw",
            f"{message.date:%Y}",
            f"{message.date:%m}",
            f"{message.kind}_{message.sender}_{message.receiver}_{message_id}.xml",
        )
        folder = out / relative.parent
        if folder not in created:
            folder.mkdir(parents=True, exist_ok=True)
            created.add(folder)
        (out / relative).write_bytes(message.render(header))
        summary.files[message.kind] += 1
        if message.declaration is not None:
            _record_declaration(relative.as_posix(), message.declaration, summary)


def _record_declaration(path: str, declaration: DeclarationFile, summary: Summary) -> None:
    summary.lines_written += len(declaration.lines)
    if declaration.fault is not None:
        summary.faults[declaration.fault] += 1
        summary.fault_files.append({"path": path, "reason_code": declaration.fault, "lines": len(declaration.lines)})
        return
    for planned in declaration.lines:
        if planned.fault is None:
            summary.lines_fault_free += 1
        else:
            summary.faults[planned.fault] += 1
            summary.fault_lines.append(
                {"path": path, "reference_number": planned.line.reference_number, "reason_code": planned.fault}
            )


def generate_municipality(options: Options, municipality: Municipality, bsn_pool: list[str], summary: Summary) -> None:
    window = options.window
    events = allocations(options.seed, municipality, window, options.scale, bsn_pool, options.renewal_share)
    references = References(municipality.code4)
    files = declaration_files(
        random.Random(f"{options.seed}:{municipality.code}:declarations"), events, window, references
    )
    faults.inject(random.Random(f"{options.seed}:{municipality.code}:faults"), files, options.fault_rate, references)
    use_bsns_as_references(files)
    messages = [
        m for allocation in events for m in _allocation_messages(options.seed, municipality, allocation, window)
    ]
    messages.extend(_declaration_messages(municipality, files))
    _write_messages(options.out, municipality, messages, summary)
    summary.by_quarter.extend(municipality_quarters(municipality.code, events, files, window))
    summary.by_year.extend(
        municipality_years(municipality.code, world_youth(municipality, options.scale), events, window)
    )
    summary.kpis.extend(
        municipality_kpis(
            municipality.code,
            events,
            files,
            window,
            world_youth_0_22(municipality, options.scale),
            lambda bsn: client(options.seed, bsn, window).birth_date.year,
        )
    )
    summary.trajectories[municipality.code] = merged_trajectories(events, window.last_day)
    summary.category_parts.append(product_category_parts(events, files, window))
    for (year, perceel), cents in year_costs(files, window).items():
        summary.year_costs[(municipality.code, perceel, year)] = cents
    summary.provider_revenue.update(provider_revenue(files))


def generate(options: Options, progress: Callable[[str], None] | None = None) -> dict:
    """Writes the world under options.out and returns the ground truth (also written to ground_truth.json)."""
    municipalities = [cal.municipality(code) for code in options.municipalities]
    pools = bsn_pools(municipalities)
    summary = Summary()
    for index, municipality in enumerate(municipalities, start=1):
        generate_municipality(options, municipality, pools[municipality.code], summary)
        if progress is not None:
            progress(
                f"[{index}/{len(municipalities)}] {municipality.code}: {sum(summary.files.values())} files, "
                f"{summary.lines_written} declaration lines so far"
            )
    # The warehouse's scope is the seed's municipalities plus the world's, and it needs a population for each of them:
    # the seed's municipalities outside the world get one at the world's scale too (they just have no traffic).
    generated = {m.code for m in municipalities}
    in_cbs = municipalities + [cal.municipality(c) for c in cal.default_municipality_codes() if c not in generated]
    window = options.window
    years = list(range(window.first_day.year, window.last_day.year + 1))
    summary.kpis.extend(repeat_care_kpis(summary.trajectories, window))
    summary.kpis.extend(product_category_kpis(summary.category_parts))
    summary.cbs_youth = write_snapshots(options.out, options.seed, in_cbs, years, options.scale)
    _write_steering_inputs(options.out, full_years(window), summary)
    regions = sorted({m.region_code for m in municipalities})
    agbs = [agb for region_code in regions for agb in cal.provider_agbs(region_code)]
    (options.out / NAMES_FILE).write_text(provider_names(agbs), encoding="utf-8")
    truth = _ground_truth(options, summary)
    _write_json(options.out / "ground_truth.json", truth)
    _write_json(options.out / "faults.json", {"files": summary.fault_files, "lines": summary.fault_lines})
    return truth


def _write_steering_inputs(out: Path, years: list[int], summary: Summary) -> None:
    """The region budget and the provider caps, for the years wholly inside the window (none when there is none)."""
    if not years:
        return
    budget_csv, summary.budget_lines = region_budget(summary.year_costs, years)
    (out / BUDGET_FILE).parent.mkdir(parents=True, exist_ok=True)
    (out / BUDGET_FILE).write_bytes(budget_csv.encode("utf-8"))
    summary.files["BUDGET:region"] += 1
    caps_csv, summary.provider_caps = provider_caps(summary.provider_revenue, years)
    (out / CAPS_FILE).write_text(caps_csv, encoding="utf-8")


def _ground_truth(options: Options, summary: Summary) -> dict:
    return {
        "parameters": {
            "seed": options.seed,
            "municipalities": list(options.municipalities),
            "from": options.first_quarter,
            "to": options.last_quarter,
            "scale": options.scale,
            "fault_rate": options.fault_rate,
            "renewal_share": options.renewal_share,
        },
        "by_municipality_quarter": summary.by_quarter,
        "by_municipality_year": summary.by_year,
        "kpis": summary.kpis,
        "declaration_lag_profile": declaration_lag_profile(),
        "year_cost_by_municipality_perceel": [
            {"municipality_code": code, "perceel": perceel, "year": year, "net_declared_cents": cents}
            for (code, perceel, year), cents in sorted(summary.year_costs.items())
        ],
        "provider_revenue_by_year": [
            {"provider_agb": provider, "year": year, "net_declared_cents": cents}
            for (provider, year), cents in sorted(summary.provider_revenue.items())
        ],
        "region_budget": summary.budget_lines,
        "provider_caps": summary.provider_caps,
        "cbs_youth_population": summary.cbs_youth,
        "faults": dict(sorted(summary.faults.items())),
        "totals": {
            "files": dict(sorted(summary.files.items())),
            "jw323_lines_written": summary.lines_written,
            "jw323_lines_fault_free": summary.lines_fault_free,
        },
    }


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def progress_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
