# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""The parsed form of a protocol/ JSON schema, validated strictly.

A schema that uses something this file does not understand is an error, not a
guess: a Kafka upgrade that adds a new feature to the format must fail loudly.
"""
import json
import re

MAX_VERSION = 0x7FFF
PRIMITIVES = {"bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "uuid"}
VARIABLE = {"string", "bytes", "records"}
MESSAGE_KEYS = {"apiKey", "type", "listeners", "name", "validVersions", "deprecatedVersions",
                "flexibleVersions", "fields", "commonStructs", "latestVersionUnstable"}
FIELD_KEYS = {"name", "type", "versions", "nullableVersions", "taggedVersions", "tag", "default",
              "fields", "ignorable", "mapKey", "entityType", "flexibleVersions", "zeroCopy"}
KIND_BY_TYPE = {"request": "request", "response": "response", "header": "header", "data": "data",
                "metadata": "metadata_record"}


class Versions:
    """An inclusive version range; empty when lo > hi."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @staticmethod
    def parse(text):
        text = text.strip()
        if text == "none":
            return Versions(1, 0)
        if text.endswith("+"):
            return Versions(int(text[:-1]), MAX_VERSION)
        if "-" in text:
            lo, hi = text.split("-")
            return Versions(int(lo), int(hi))
        return Versions(int(text), int(text))

    def empty(self):
        return self.lo > self.hi

    def intersect(self, other):
        return Versions(max(self.lo, other.lo), min(self.hi, other.hi))

    def contains(self, other):
        return other.empty() or (self.lo <= other.lo and other.hi <= self.hi)

    def __repr__(self):
        return f"{self.lo}-{self.hi}"


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def normalize_default(value):
    """Schemas spell defaults as strings, numbers, booleans or null; use one spelling."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


class Field:
    def __init__(self, raw, where):
        unknown = set(raw) - FIELD_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown field keys {sorted(unknown)}")
        self.name = raw["name"]
        self.type = raw["type"]
        self.versions = Versions.parse(raw["versions"])
        self.nullable = Versions.parse(raw.get("nullableVersions", "none"))
        self.tagged = Versions.parse(raw.get("taggedVersions", "none"))
        self.tag = int(raw["tag"]) if "tag" in raw else None
        self.default = normalize_default(raw["default"]) if "default" in raw else None
        self.flexible_override = (Versions.parse(raw["flexibleVersions"])
                                  if "flexibleVersions" in raw else None)
        self.fields = [Field(f, f"{where}.{self.name}") for f in raw.get("fields", [])]
        if (self.tag is None) != self.tagged.empty():
            raise ValueError(f"{where}.{self.name}: tag and taggedVersions go together")
        if self.is_array and self.element_type in PRIMITIVES | VARIABLE and self.fields:
            raise ValueError(f"{where}.{self.name}: an array of {self.element_type} has no fields")

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def element_type(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct_element(self):
        return self.element_type not in PRIMITIVES | VARIABLE

    @property
    def is_nullable(self):
        return not self.nullable.empty()


class Struct:
    def __init__(self, name, fields, versions):
        self.name, self.fields, self.versions = name, fields, versions


class Message:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        unknown = set(raw) - MESSAGE_KEYS
        if unknown:
            raise ValueError(f"{path}: unknown message keys {sorted(unknown)}")
        self.name = raw["name"]
        self.type = raw["type"]
        self.kind = KIND_BY_TYPE.get(self.type)
        if path.replace("\\", "/").split("/")[-2] in ("group-coordinator", "transaction-coordinator"):
            self.kind = "coordinator_record"
        if self.kind is None:
            raise ValueError(f"{path}: unknown message type {self.type}")
        self.api_key = raw.get("apiKey", -1)
        self.valid = Versions.parse(raw["validVersions"])
        self.flexible = Versions.parse(raw.get("flexibleVersions", "none"))
        self.latest_unstable = bool(raw.get("latestVersionUnstable", False))
        self.fields = [Field(f, self.name) for f in raw["fields"]]
        self.common = {c["name"]: Struct(c["name"], [Field(f, c["name"]) for f in c["fields"]],
                                         Versions.parse(c["versions"]))
                       for c in raw.get("commonStructs", [])}
