#!/usr/bin/python3
"""Confluent's own Python client against a Weft schema registry, for WeftConfluentInteropTest.

Reads a JSON request on stdin (the registry URL, what Weft registered, bytes Weft serialized), does with Confluent's
client what a Confluent user would (read Weft's schemas, register its own, decode Weft's bytes, encode its own), and
prints one JSON object with what it saw. The Java test checks both sides. Run with Debian's /usr/bin/python3 and its
python3-confluent-kafka (legacy confluent_kafka.avro API) and python3-avro.
"""
import json
import sys

import avro.schema
from confluent_kafka.avro import CachedSchemaRegistryClient, MessageSerializer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError


def to_json(value):
    """An Avro datum as JSON: bytes as hex."""
    if isinstance(value, (bytes, bytearray)):
        return {"hex": bytes(value).hex()}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value


def from_json(value):
    if isinstance(value, dict) and set(value) == {"hex"}:
        return bytes.fromhex(value["hex"])
    if isinstance(value, dict):
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def error_of(call):
    try:
        call()
    except SchemaRegistryError as e:
        return [e.http_status_code, e.error_code]
    return None


def main():
    request = json.load(sys.stdin)
    url = request["url"]
    out = {}

    # The legacy client and serializer: confluent_kafka.avro.
    legacy = CachedSchemaRegistryClient({"url": url})
    serializer = MessageSerializer(legacy)

    # (1) A schema Weft registered, read by Confluent's client.
    out["legacy_get_by_id"] = str(legacy.get_by_id(request["weft_order_id"]))
    latest_id, latest_schema, latest_version = legacy.get_latest_schema(request["weft_order_subject"])
    out["legacy_latest"] = {"id": latest_id, "version": latest_version, "schema": str(latest_schema)}
    out["legacy_get_version"] = legacy.get_version(request["weft_order_subject"], latest_schema)

    # (2) A schema Confluent's client registers, for Weft to read.
    py_schema = avro.schema.parse(request["python_schema"])
    out["py_id"] = legacy.register(request["python_subject"], py_schema)
    out["legacy_compatibility"] = legacy.get_compatibility()

    # (3) Bytes Weft serialized, decoded by Confluent's serializer: as written, and into an older reader schema.
    out["decoded_weft_reading"] = to_json(serializer.decode_message(bytes.fromhex(request["weft_reading_hex"])))
    old_reader = MessageSerializer(legacy, reader_value_schema=avro.schema.parse(request["order_v1"]))
    out["decoded_weft_order_v2_as_v1"] = to_json(
        old_reader.decode_message(bytes.fromhex(request["weft_order_v2_hex"])))

    # (4) Bytes Confluent's serializer writes, for Weft to decode.
    reading_schema = avro.schema.parse(request["reading_schema"])
    reading = from_json(request["reading"])
    out["py_reading_hex"] = serializer.encode_record_with_schema(request["reading_topic"], reading_schema,
                                                                 reading).hex()
    order_v1 = avro.schema.parse(request["order_v1"])
    out["py_order_v1_hex"] = serializer.encode_record_with_schema(
        request["python_order_topic"], order_v1, {"id": "py-1", "amount": 7}).hex()

    # The newer client, confluent_kafka.schema_registry: the rest of the REST API and the error codes.
    sr = SchemaRegistryClient({"url": url})
    subject = request["weft_order_subject"]
    out["sr_subjects"] = sorted(sr.get_subjects())
    out["sr_versions"] = sr.get_versions(subject)
    out["sr_schema_by_id"] = sr.get_schema(request["weft_order_id"]).schema_str
    out["sr_lookup"] = sr.lookup_schema(subject, Schema(request["order_v2"], "AVRO")).version
    out["sr_version_1_id"] = sr.get_version(subject, 1).schema_id
    out["sr_compatible_v2"] = sr.test_compatibility(subject, Schema(request["order_v2"], "AVRO"))
    out["sr_compatible_breaking"] = sr.test_compatibility(subject, Schema(request["order_breaking"], "AVRO"))
    out["sr_set_compatibility"] = sr.set_compatibility(subject_name="py/odd subject", level="full")
    out["sr_get_compatibility"] = sr.get_compatibility("py/odd subject")
    out["sr_odd_subject_id"] = sr.register_schema("py/odd subject", Schema(request["order_v1"], "AVRO"))
    out["sr_odd_versions"] = sr.get_versions("py/odd subject")
    out["sr_deleted"] = sr.delete_subject("py/odd subject", permanent=True)
    out["sr_errors"] = {
        "unknown_subject": error_of(lambda: sr.get_versions("no-such-subject")),
        "unknown_version": error_of(lambda: sr.get_version(subject, 99)),
        "unknown_id": error_of(lambda: sr.get_schema(987654)),
        "incompatible": error_of(lambda: sr.register_schema(subject, Schema(request["order_breaking"], "AVRO"))),
        "invalid_schema": error_of(lambda: sr.register_schema(subject, Schema("{\"type\": \"nope\"}", "AVRO"))),
        "invalid_level": error_of(lambda: sr.set_compatibility(level="SIDEWAYS")),
    }

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
