#!/usr/bin/python3
"""Writes graph records to Weft's graphs topic with Confluent's Python client, for PolyglotProducerTest.

Reads a JSON request on stdin: the bootstrap servers, the topic, and records (a key and the value's bytes in hex, as
Weft's wire format has them). Produces them with librdkafka's default partitioner (consistent_random: a CRC32 of the
key), not Java's murmur2, and prints one JSON object: the partition each key went to. Run with Debian's
/usr/bin/python3 and its python3-confluent-kafka.
"""
import json
import sys

from confluent_kafka import Producer


def main():
    request = json.load(sys.stdin)
    producer = Producer({"bootstrap.servers": request["bootstrap"], "acks": "all"})
    partitions = {}
    errors = []

    def delivered(error, message):
        if error is not None:
            errors.append(str(error))
        else:
            partitions[message.key().decode("utf-8")] = message.partition()

    for record in request["records"]:
        producer.produce(request["topic"], key=record["key"].encode("utf-8"), value=bytes.fromhex(record["value"]),
                         on_delivery=delivered)
    remaining = producer.flush(60)
    if errors or remaining:
        print("could not produce: %s (%d undelivered)" % (errors, remaining), file=sys.stderr)
        sys.exit(1)
    json.dump({"partitions": partitions}, sys.stdout)


if __name__ == "__main__":
    main()
