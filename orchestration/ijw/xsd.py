"""Optional validation against the official iJw 3.2 XSDs, when the user points IJW_XSD_DIR at a download.

The product carries no copy of the XSDs and enforces the rules it needs itself; the XSDs are an extra, formal check.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from orchestration.ijw.safe_xml import HARDENING, MessageRejected


@cache
def message_schema(xsd_dir: Path, message_type: str) -> etree.XMLSchema:
    """The schema of one message type (its XSD imports basisschema.xsd from the same folder)."""
    path = xsd_dir / f"{message_type}.xsd"
    if not path.exists():
        raise FileNotFoundError(
            f"IJW_XSD_DIR={xsd_dir} has no {path.name}: download release iJw 3.2 from istandaarden.nl"
        )
    return etree.XMLSchema(etree.parse(str(path), parser=etree.XMLParser(**HARDENING)))


def validate_against_schema(root: etree._Element, schema: etree.XMLSchema) -> None:
    """Raise MessageRejected('XSD_INVALID') naming the first violation's line. The message as the reader parsed it:
    opening the file again could read another file, or block on a fifo swapped in meanwhile."""
    if not schema.validate(root.getroottree()):
        error = schema.error_log[0]
        raise MessageRejected(
            "XSD_INVALID", f"not valid against the official XSD at line {error.line}: {error.message}"
        )
