#!/usr/bin/env python3
"""Independent Avro implementation for scrm's interop test, using only schemas/*.avsc.

  decode SCHEMAS_DIR   stdin: base64 single-object records (one per line);
                       stdout: each record as JSON in scrm's JSON mapping
  encode SCHEMAS_DIR   stdout: lines "<base64 record>\t<JSON view>" of records built here

The single-object header (C3 01 + CRC-64-AVRO of the Parsing Canonical Form, little-endian)
is computed here from the Avro specification, not taken from scrm.
"""
import base64
import datetime
import glob
import io
import json
import os
import sys

import fastavro
from fastavro.schema import parse_schema, to_parsing_canonical_form

EMPTY = 0xC15D213AA4D7A795


def _table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    return table


TABLE = _table()


def crc64_avro(data: bytes) -> int:
    """The Rabin fingerprint of the Avro specification ("Schema Fingerprints")."""
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ b) & 0xFF]
    return fp


def load(schemas_dir):
    by_fp, by_name = {}, {}
    for path in sorted(glob.glob(os.path.join(schemas_dir, "*.avsc"))):
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        parsed = parse_schema(raw)
        fp = crc64_avro(to_parsing_canonical_form(parsed).encode("utf-8"))
        full = raw["namespace"] + "." + raw["name"]
        by_fp[fp] = (full, parsed)
        by_name[full] = (fp, parsed)
    return by_fp, by_name


def to_scrm_json(value):
    """fastavro's Python values → scrm's JSON mapping (docs/schemas.md)."""
    if isinstance(value, tuple):  # (record name, value) for unions of records
        name, inner = value
        return {name.rsplit(".", 1)[-1]: to_scrm_json(inner)}
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: to_scrm_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_scrm_json(v) for v in value]
    return value


def decode(schemas_dir):
    by_fp, _ = load(schemas_dir)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        data = base64.b64decode(json.loads(line) if line.startswith('"') else line)
        if data[:2] != b"\xc3\x01":
            sys.exit(f"not single-object encoded: {data[:2].hex()}")
        fp = int.from_bytes(data[2:10], "little")
        if fp not in by_fp:
            sys.exit(f"fingerprint {fp:#018x} matches no schema in {schemas_dir}")
        _, schema = by_fp[fp]
        buf = io.BytesIO(data[10:])
        record = fastavro.schemaless_reader(buf, schema, return_record_name=True)
        if buf.read():
            sys.exit("bytes left after the record")
        print(json.dumps(to_scrm_json(record), ensure_ascii=False))


def encode(schemas_dir):
    _, by_name = load(schemas_dir)
    ms = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    records = [
        ("scrm.conversation.ConversationEvent", {
            "event_id": "py-1", "customer": "+85291234567", "occurred_at": ms("2026-11-19T14:30:00.125Z"),
            "source": "fastavro",
            "payload": ("scrm.conversation.InboundMessage", {
                "wamid": "wamid.py1", "business_number": None, "profile_name": "陳大文", "phone": "+85291234567",
                "bsuid": None, "context_wamid": None,
                "content": ("scrm.conversation.MediaContent", {
                    "kind": "IMAGE", "media_id": "m-1", "mime_type": "image/jpeg", "sha256": None,
                    "caption": "呢件有冇細碼?", "filename": None, "stored_url": None}),
            }),
        }),
        ("scrm.transaction.TransactionEvent", {
            "event_id": "py-2", "customer": "+5511987654321", "occurred_at": ms("2026-11-19T18:00:00Z"),
            "source": "fastavro",
            "payload": ("scrm.transaction.OrderPlaced", {
                "order_id": "BR-1001",
                "lines": [{"sku": "SKU-SERUM", "name": "Sérum", "quantity": 2, "unit_price_minor": 8990}],
                "total_minor": 17980, "currency": "BRL", "payment_method": "CASH_ON_DELIVERY", "discount_code": None}),
        }),
        ("scrm.crm.CrmUpdateEvent", {
            "event_id": "py-3", "customer": "+33612345678", "occurred_at": ms("2026-11-19T09:00:00Z"),
            "source": "crm:zoho",
            "payload": ("scrm.crm.CrmFieldsChanged", {
                "crm": "zoho", "object_type": "Contacts", "object_id": "z-9", "modified_at": ms("2026-11-19T08:59:59.999Z"),
                "fields": {"Lead_Status": "Hot", "Phone": None}}),
        }),
    ]
    for name, record in records:
        fp, schema = by_name[name]
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, schema, record)
        framed = b"\xc3\x01" + fp.to_bytes(8, "little") + buf.getvalue()
        view = to_scrm_json(record)
        print(name.split(".")[1] + "\t" + base64.b64encode(framed).decode() + "\t" + json.dumps(view, ensure_ascii=False))


if __name__ == "__main__":
    mode, schemas = sys.argv[1], sys.argv[2]
    {"decode": decode, "encode": encode}[mode](schemas)
