# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Naming, C++ types and default values of schema fields."""
from spec import PRIMITIVES, snake

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "concept", "const", "consteval", "constexpr", "constinit", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "else", "enum",
    "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline",
    "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr", "operator", "or",
    "private", "protected", "public", "register", "requires", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "template", "this", "throw", "true", "try",
    "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "while", "xor",
}
# Members every generated struct has, and those only a top-level message has; a field
# may not take their names.
STRUCT_MEMBERS = {"read", "write", "size", "unknown_tagged_fields"}
MESSAGE_MEMBERS = STRUCT_MEMBERS | {"schema_name", "kind", "api_key", "min_version", "max_version",
                                    "first_flexible_version", "latest_version_unstable",
                                    "is_flexible"}

PRIMITIVE_CPP = {"bool": "bool", "int8": "int8_t", "int16": "int16_t", "uint16": "uint16_t",
                 "int32": "int32_t", "uint32": "uint32_t", "int64": "int64_t",
                 "float64": "double", "uuid": "codec::uuid"}
PRIMITIVE_SIZE = {"bool": 1, "int8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
                  "int64": 8, "float64": 8, "uuid": 16}
INT_RANGE = {"int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1), "uint16": (0, 2**16 - 1),
             "int32": (-2**31, 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-2**63, 2**63 - 1)}


def member_name(field_name, top_level):
    name = snake(field_name)
    taken = MESSAGE_MEMBERS if top_level else STRUCT_MEMBERS
    return name + "_" if name in CPP_KEYWORDS or name in taken else name


def cpp_string_literal(text):
    out = []
    for ch in text.encode("utf-8"):
        c = chr(ch)
        out.append(c if 32 <= ch < 127 and c not in '"\\' else f"\\x{ch:02x}\"\"")
    return '"' + "".join(out) + '"'


class TypeNames:
    """Maps the schema's struct names to C++ nested type names for one message."""

    def __init__(self, message, struct_names):
        taken = {snake(f.name) for f in all_fields(message)} | {snake(message.name)}
        self.names = {}
        for s in struct_names:
            n = snake(s)
            self.names[s] = n + "_data" if n in taken or n in CPP_KEYWORDS else n

    def __getitem__(self, struct_name):
        return self.names[struct_name]


def all_fields(message):
    stack = list(message.fields) + [f for c in message.common.values() for f in c.fields]
    while stack:
        f = stack.pop()
        yield f
        stack.extend(f.fields)


def element_cpp(field, names):
    t = field.element_type
    if t in PRIMITIVE_CPP:
        return PRIMITIVE_CPP[t]
    if t == "string":
        return "std::string"
    if t == "bytes":
        return "std::vector<uint8_t>"
    if t == "records":
        return "codec::bytes_view"
    return names[t]


def field_cpp(field, names):
    e = element_cpp(field, names)
    if field.is_array:
        v = f"std::vector<{e}>"
        return f"std::optional<{v}>" if field.is_nullable else v
    if field.type in ("string", "bytes") or field.is_struct_element:
        return f"std::optional<{e}>" if field.is_nullable else e
    return e


def int_literal(value, spec_type, where):
    lo, hi = INT_RANGE[spec_type]
    if not lo <= value <= hi:
        raise ValueError(f"{where}: default {value} does not fit {spec_type}")
    if spec_type == "int64" and value == lo:
        return "INT64_MIN"
    return str(value) + ("LL" if spec_type == "int64" else "")


def default_init(field, names, where):
    """The brace initialiser of a field's default: the member is `T name{INIT};`."""
    d = field.default
    if d == "null":
        if not field.is_nullable and field.type != "records":
            raise ValueError(f"{where}.{field.name}: null default on a non-nullable field")
        return "nullptr, 0, true" if field.type == "records" else "std::nullopt"
    t = field.type
    if field.is_array:
        if d not in (None, ""):
            raise ValueError(f"{where}.{field.name}: arrays take no default but null")
        return f"std::vector<{element_cpp(field, names)}>{{}}" if field.is_nullable else ""
    if t in INT_RANGE:
        return int_literal(int(d, 0) if d not in (None, "") else 0, t, f"{where}.{field.name}")
    if t == "bool":
        d = d.lower() if d else d
        if d not in (None, "true", "false"):
            raise ValueError(f"{where}.{field.name}: bad bool default {d}")
        return "true" if d == "true" else "false"
    if t == "float64":
        return repr(float(d)) if d else "0.0"
    if t == "uuid":
        return ""
    if t == "string":
        lit = f"std::string{{{cpp_string_literal(d)}}}" if d else "std::string{}"
        return lit if field.is_nullable else (cpp_string_literal(d) if d else "")
    if t == "bytes":
        if d:
            raise ValueError(f"{where}.{field.name}: bytes take no default but null")
        return "std::vector<uint8_t>{}" if field.is_nullable else ""
    if t == "records":
        return "nullptr, 0, true" if field.is_nullable else ""
    if d:
        raise ValueError(f"{where}.{field.name}: structs take no default but null")
    return f"{names[t]}{{}}" if field.is_nullable else ""


def fixed_size(spec_type):
    return PRIMITIVE_SIZE.get(spec_type)
