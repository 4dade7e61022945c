#!/usr/bin/env python3
"""Checks docs/topology.schema.json: it is a valid draft 2020-12 schema, every file in
Topologies/ validates against it, and it rejects known-bad and accepts known-good
variations of the minimal topology. Needs the Python packages jsonschema and PyYAML.

Usage: scripts/check-topology-schema.py            (from the repository root)
"""
import copy
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "topology.schema.json").read_text(encoding="utf-8"))


def mutate(document, path, value):
    """A copy of document with the value at path (a list of keys) replaced, or deleted when value is DELETE."""
    result = copy.deepcopy(document)
    target = result
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result


DELETE = object()

WRONG = [
    ("missing name", ["name"], DELETE),
    ("invalid identifier", ["name"], "Minimal_Net"),
    ("unknown top-level key", ["colour"], "blue"),
    ("missing stop_time", ["general", "stop_time"], DELETE),
    ("duration without unit", ["general", "stop_time"], "10"),
    ("duration with unknown unit", ["general", "stop_time"], "10 days"),
    ("negative duration", ["general", "drain"], "-1d"),
    ("time scale zero", ["general", "time_scale"], 0),
    ("unknown role", ["topology", "nodes", "iom-demo", "role"], "ngo"),
    ("unknown node key", ["topology", "nodes", "iom-demo", "agent"], 2),
    ("zero agents", ["topology", "nodes", "iom-demo", "agents"], 0),
    ("agents as text", ["topology", "nodes", "iom-demo", "agents"], "two"),
    ("unknown category", ["topology", "nodes", "health-office", "services"], {"dentistry": 3}),
    ("zero capacity", ["topology", "nodes", "health-office", "services"], {"health": {"capacity": 0}}),
    ("unknown distribution", ["topology", "nodes", "health-office", "complete"], {"distribution": "gamma", "mean": "1d"}),
    ("lognormal without p90", ["topology", "nodes", "health-office", "complete"], {"distribution": "lognormal", "median": "1d"}),
    ("probability above 1", ["topology", "nodes", "health-office", "acceptance"], {"accept": 1.5}),
    ("bad endpoint", ["topology", "hubs"], {"main": {"ingress": "tcp://127.0.0.1"}}),
    ("unknown transport", ["topology", "hubs"], {"main": {"egress": "udp://127.0.0.1:5560"}}),
    ("link without to", ["topology", "links"], [{"from": "iom-demo"}]),
    ("bad rate", ["scenario", "arrivals"], {"process": "poisson", "rate": "often"}),
    ("unknown process", ["scenario", "arrivals"], {"process": "steady", "rate": "1/d"}),
    ("unknown priority", ["scenario", "priorities"], {"emergency": 1}),
    ("negative need weight", ["scenario", "needs"], {"health": -1}),
    ("unknown fault kind", ["faults"], [{"kind": "explode", "node": "iom-demo"}]),
    ("slow without factor", ["faults"], [{"kind": "slow", "node": "iom-demo"}]),
]

RIGHT = [
    ("zero drain", ["general", "drain"], 0),
    ("compound duration", ["general", "stop_time"], "1d12h"),
    ("default hub spelled out", ["topology", "hubs"], {"main": None}),
    ("ipc and inproc endpoints", ["topology", "hubs"], {"main": {"ingress": "tcp://*:5560", "egress": "ipc:///tmp/tansiq-egress", "replay": "inproc://replay"}}),
    ("kinds", ["topology", "kinds"], {"service": {"agents": 2, "complete": "2d"}, "iom": None}),
    ("capacity mapping", ["topology", "nodes", "health-office", "services"], {"health": {"capacity": 5, "unit": "appointments"}}),
    ("uniform", ["topology", "nodes", "health-office", "complete"], {"distribution": "uniform", "min": "1d", "max": "3d"}),
    ("referrer list", ["scenario", "referrers"], ["iom-demo", "commune-demo"]),
    ("referrer weights", ["scenario", "referrers"], {"iom-demo": 3, "commune-demo": 1}),
    ("burst", ["scenario", "arrivals"], {"process": "burst", "count": 50, "at": "1d"}),
    ("poisson", ["scenario", "arrivals"], {"process": "poisson", "rate": "3/2h"}),
    ("needs per case", ["scenario", "needs_per_case"], 2),
    ("hub restart", ["faults"], [{"kind": "hub-restart", "hub": "main", "at": "1d", "down": "2h"}]),
]


def main():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    failures = 0
    for path in sorted((ROOT / "Topologies").glob("*.yaml")):
        if path.name.endswith(".policy.yaml"):  # an access policy, not a topology
            continue
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        for error in errors:
            print(f"{path.relative_to(ROOT)}: {'.'.join(map(str, error.absolute_path))}: {error.message}")
        print(f"{path.relative_to(ROOT)}: {'ok' if not errors else 'INVALID'}")
        failures += bool(errors)
    minimal = yaml.safe_load((ROOT / "Topologies" / "minimal.yaml").read_text(encoding="utf-8"))
    for label, path, value in WRONG:
        if validator.is_valid(mutate(minimal, path, value)):
            print(f"schema accepts a wrong example: {label}")
            failures += 1
    for label, path, value in RIGHT:
        errors = list(validator.iter_errors(mutate(minimal, path, value)))
        if errors:
            print(f"schema rejects a right example: {label}: {errors[0].message}")
            failures += 1
    print(f"{len(WRONG)} wrong and {len(RIGHT)} right examples checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
