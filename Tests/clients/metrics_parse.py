#!/usr/bin/env python3
"""Reads a Prometheus text exposition on standard input with prometheus_client's own parser
(nobody here wrote it) and prints every sample as one JSON line: {"name", "labels", "value",
"type"} (the type of the family it belongs to). A document the parser refuses exits 1 with
the parser's error, so the test fails on anything Prometheus could not scrape.

    curl -s http://127.0.0.1:9100/metrics | metrics_parse.py
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type}))
    except Exception as error:  # the parser's refusal is the finding
        print(f"unparseable exposition: {error!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
