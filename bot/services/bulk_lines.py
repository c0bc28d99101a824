"""Bulk orders from pasted text or an uploaded .txt/.csv: one `service | link | quantity` a line.

Parsing never raises: every problem becomes a per-line `InputError` the preview can show.
Only link + quantity services (the Default type) can be ordered in bulk.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.i18n import N_
from bot.links import link_key
from bot.panel.models import Service
from bot.services.catalog_index import CatalogIndex, fold
from bot.services.order_types import plan_for
from bot.services.validation import InputError, normalize_link, parse_quantity

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_SERVICE_ID_DIGITS = 18

_SEPARATORS = "|;,\t "
_HEADER_WORDS = ("service", "servis", "hizmet", "link", "quantity", "miktar", "adet")
_CSV_DELIMITERS = (",", ";", "\t", "|")
# What may end a `panel | service | link | quantity` line's panel column.
_PANEL_SEPARATORS = "|;\t,"


@dataclass(frozen=True, slots=True)
class BulkLine:
    """One order line; `line_no` is 1-based in the original text.

    `duplicate_of` is only a warning: the line is still valid and points at the first line
    with the same service and link.
    """

    line_no: int
    raw: str
    service: Service | None
    link: str | None
    quantity: int | None
    cost: Decimal | None
    error: InputError | None
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class BulkPreview:
    lines: list[BulkLine]
    valid: list[BulkLine]
    errors: list[BulkLine]
    total_cost: Decimal
    too_many: bool = False


def _is_comment(line: str) -> bool:
    return line.startswith(("#", "//"))


def _csv_fields(line: str) -> list[str] | None:
    """Quoted CSV (spreadsheet export): the delimiter that yields exactly three fields."""
    for delimiter in _CSV_DELIMITERS:
        try:
            rows = list(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
        except csv.Error:
            continue
        if len(rows) == 1 and len(rows[0]) == 3:
            return [field.strip() for field in rows[0]]
    return None


def _split(line: str) -> list[str] | None:
    """`[service, link, quantity]`, or None when the line has fewer than three parts.

    Links may contain `,` and `;` in their query strings, so the service id ends at the
    FIRST separator and the quantity starts after the LAST one; the middle is the link.
    `|` or a tab, when present, are the only separators (then "1 000" works as quantity).
    """
    if '"' in line:
        fields = _csv_fields(line)
        if fields is not None:
            return fields
    if "|" in line:
        seps = "|"
    elif "\t" in line:
        seps = "\t"
    else:
        seps = _SEPARATORS
    first = next((i for i, ch in enumerate(line) if ch in seps), -1)
    last = next((i for i in range(len(line) - 1, -1, -1) if line[i] in seps), -1)
    if first < 0 or first == last:
        return None
    service, link, quantity = line[:first], line[first + 1 : last], line[last + 1 :]
    # A link's own trailing "," or ";" is lost only when those are separators here.
    link = link.strip(seps + " \t")
    if not service.strip() or not link or not quantity.strip():
        return None
    return [service.strip(), link, quantity.strip()]


def panel_prefix(line: str) -> tuple[str, str] | None:
    """(the first column, the rest of the line) split at its first panel-column separator;
    None when the line has no separator or starts with one."""
    cut = min((i for i in (line.find(sep) for sep in _PANEL_SEPARATORS) if i >= 0), default=-1)
    return (line[:cut], line[cut + 1 :]) if cut > 0 else None


def _unknown_panel(raw: str, line_no: int, panels: Sequence[str]) -> InputError | None:
    """With several panels, a line whose first column is no number and whose rest is an order
    line names a panel the user does not have (a typo, or one they removed): saying "the
    service id must be a number" would point at the wrong column."""
    split = panel_prefix(raw) if len(panels) > 1 else None
    if split is None or split[0].strip().isdigit():
        return None
    rest = _split(split[1].strip())
    if rest is None or not (rest[0].isascii() and rest[0].isdigit()):
        return None
    return InputError(
        N_("No panel named “{name}” (yours: {panels})."),
        line=line_no,
        name=split[0].strip()[:32],
        panels=", ".join(panels),
    )


def _is_header(fields: list[str] | None, line: str) -> bool:
    # A header names the columns: no number where the id or quantity goes, no URL.
    if fields is not None and (fields[0].isdigit() or fields[2].isdigit()):
        return False
    if "://" in line:
        return False
    key = fold(line)
    return any(word in key for word in _HEADER_WORDS)


def _error_line(line_no: int, raw: str, error: InputError, service: Service | None) -> BulkLine:
    return BulkLine(line_no, raw, service, None, None, None, error)


def _parse_line(
    line_no: int,
    raw: str,
    fields: list[str] | None,
    catalog: CatalogIndex,
    panels: Sequence[str] = (),
) -> BulkLine:
    unknown = _unknown_panel(raw, line_no, panels)
    if unknown is not None:
        return _error_line(line_no, raw, unknown, None)
    if fields is None:
        return _error_line(
            line_no,
            raw,
            InputError(N_("Write each order as: service id | link | quantity."), line=line_no),
            None,
        )
    service_text, link_text, quantity_text = fields
    service = _find_service(service_text, line_no, catalog)
    if isinstance(service, InputError):
        return _error_line(line_no, raw, service, None)
    refusal = _not_bulk_orderable(service, line_no)
    if refusal is not None:
        return _error_line(line_no, raw, refusal, service)
    try:
        link = normalize_link(link_text)
        quantity = parse_quantity(quantity_text, service)
    except InputError as exc:
        # Same validators and texts as single orders; the preview shows the line number.
        return _error_line(line_no, raw, exc, service)
    return BulkLine(line_no, raw, service, link, quantity, service.cost(quantity), None)


def _find_service(service_text: str, line_no: int, catalog: CatalogIndex) -> Service | InputError:
    """The catalog's service a line's first field names, or why there is none."""
    if not (service_text.isascii() and service_text.isdigit()) or (
        len(service_text) > MAX_SERVICE_ID_DIGITS
    ):
        return InputError(
            N_("The service id must be a number, not “{value}”."),
            line=line_no,
            value=service_text[:32],
        )
    service = catalog.get(int(service_text))
    if service is None:
        return InputError(
            N_("Service {id} is not in the catalog."), line=line_no, id=int(service_text)
        )
    return service


def _not_bulk_orderable(service: Service, line_no: int) -> InputError | None:
    """Why a bulk order cannot place `service` (None: it can)."""
    plan = plan_for(service)
    if plan is None:
        # Never reaches the panel: the bot does not know what this type's orders need.
        return InputError(
            N_("Service {id} has the type “{type}”, which I cannot order."),
            line=line_no,
            id=service.id,
            type=service.type,
        )
    if not plan.takes_link_and_quantity_only:
        return InputError(
            N_(
                "Service {id} needs more than a link and a quantity "
                "({type}). Bulk orders support only link + quantity services; "
                "order this one on its own."
            ),
            line=line_no,
            id=service.id,
            type=service.type,
        )
    return None


def parse_bulk(
    text: str, catalog: CatalogIndex, *, max_lines: int = 1000, panels: Sequence[str] = ()
) -> BulkPreview:
    """Parse and validate every order line; blank, `#`/`//` comment and header lines are skipped.

    Per-line errors are the validators' own `InputError`s (plus a `line` parameter for
    bulk-only texts); show them after `BulkLine.line_no`.

    More than `max_lines` order lines → `too_many` and nothing is parsed. `panels` are the
    user's panel names when they have several: a line led by another name is refused.
    """
    content: list[tuple[int, str, list[str] | None]] = []
    header_checked = False
    for line_no, physical in enumerate(text.splitlines(), start=1):
        raw = physical.strip().lstrip("\ufeff").strip()
        if not raw or _is_comment(raw):
            continue
        fields = _split(raw)
        if not header_checked:
            header_checked = True
            if _is_header(fields, raw):
                continue
        content.append((line_no, raw, fields))
        if len(content) > max_lines:
            return BulkPreview([], [], [], Decimal(0), too_many=True)

    lines: list[BulkLine] = []
    first_seen: dict[tuple[int, str], int] = {}
    for line_no, raw, fields in content:
        line = _parse_line(line_no, raw, fields, catalog, panels)
        if line.ok and line.service is not None and line.link is not None:
            key = (line.service.id, link_key(line.link))
            first = first_seen.setdefault(key, line_no)
            if first != line_no:
                line = BulkLine(
                    line.line_no,
                    line.raw,
                    line.service,
                    line.link,
                    line.quantity,
                    line.cost,
                    None,
                    duplicate_of=first,
                )
        lines.append(line)

    valid = [line for line in lines if line.ok]
    errors = [line for line in lines if not line.ok]
    total = sum((line.cost for line in valid if line.cost is not None), Decimal(0))
    return BulkPreview(lines, valid, errors, total, too_many=False)


def decode_upload(data: bytes) -> str:
    """Text of an uploaded order file: UTF-8 (BOM optional), UTF-16 with BOM, else cp1254.

    cp1254 is what Turkish Windows Excel writes; latin-1 is the last resort and never fails.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            N_("The file is too large ({size} KB). The limit is {max} KB."),
            size=len(data) // 1024,
            max=MAX_UPLOAD_BYTES // 1024,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1254", "latin-1")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(N_("This does not look like a text file. Send a .txt or .csv file."))
