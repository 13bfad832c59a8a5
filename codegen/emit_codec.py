# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Emits read, write and size for one struct of a schema.

Version checks are narrowed to the versions the struct can be in (as Kafka's
VersionConditional does), so a field present in every version gets no check.
Locals start with an underscore so they never shadow a field.
"""
from cpp_types import fixed_size
from spec import MAX_VERSION, PRIMITIVES, Versions


def version_cond(versions, ctx):
    """C++ condition for `_version in versions`, given `_version in ctx`; True/False if fixed."""
    v = versions.intersect(ctx)
    if v.empty():
        return False
    parts = []
    if v.lo > ctx.lo:
        parts.append(f"_version >= {v.lo}")
    if v.hi < ctx.hi:
        parts.append(f"_version <= {v.hi}")
    return " && ".join(parts) if parts else True


def cexpr(cond):
    return "true" if cond is True else "false" if cond is False else f"({cond})"


class Ctx:
    """What is known while emitting one struct: its version range and flexibility."""

    def __init__(self, versions, flexible):
        self.versions = versions
        self.flexible = flexible

    def flex_expr(self, field=None):
        fv = field.flexible_override if field is not None and field.flexible_override else self.flexible
        c = version_cond(fv, self.versions)
        if c is True or c is False:
            return cexpr(c)
        return "_flexible" if fv is self.flexible else f"({c})"

    def flexible_local(self):
        return cexpr(version_cond(self.flexible, self.versions))

    def tagged_ctx(self):
        return Ctx(self.versions.intersect(self.flexible), self.flexible)


def regular_versions(field):
    """Versions in which a field is in the fixed part of the struct (not tagged)."""
    if field.tagged.empty():
        return field.versions
    if not field.tagged.contains(field.versions.intersect(Versions(field.tagged.lo, MAX_VERSION))):
        raise ValueError(f"{field.name}: tagged in only some of its versions")
    return Versions(field.versions.lo, min(field.versions.hi, field.tagged.lo - 1))


class Emitter:
    def __init__(self, names, members, defaults):
        self.names = names
        self.members = members
        self.defaults = defaults
        self.lines = []
        self.depth = 0

    def line(self, text=""):
        self.lines.append(("    " * self.depth + text) if text else "")

    def block(self, head):
        self.line(head + " {" if head else "{")
        self.depth += 1

    def end(self, tail="}"):
        self.depth -= 1
        self.line(tail)

    def guarded(self, cond, emit):
        if cond is False:
            return
        if cond is True:
            emit()
            return
        self.block(f"if ({cond})")
        emit()
        self.end()

    # ---- reading -------------------------------------------------------------------------
    def read_element(self, field, target, rd, flex, push):
        t = field.element_type
        if t in PRIMITIVES:
            method = "read_bool" if t == "bool" else f"read_{t}"
            value = f"{rd}.{method}()"
        elif t == "string":
            value = f"{rd}.read_string({flex})"
        elif t == "bytes":
            value = f"{rd}.read_bytes({flex})"
        else:
            self.line(f"{target}.emplace_back().read({rd}, _version);" if push else
                      f"{target}.read({rd}, _version);")
            return
        self.line(f"{target}.push_back({value});" if push else f"{target} = {value};")

    def read_value(self, field, ctx, rd, nullable):
        m = self.members[id(field)]
        flex = ctx.flex_expr(field)
        null_ok = cexpr(nullable)
        t = field.type
        if field.is_array:
            self.block("")
            self.line(f"const int32_t _n = {rd}.read_array_length({flex});")
            if field.is_nullable:
                self.line(f"if (_n < 0) {{ {m} = std::nullopt; if (!{null_ok}) {rd}.fail(); }}")
                self.block("else")
                self.line(f"auto& _v = {m}.emplace();")
            else:
                self.line(f"if (_n < 0) {rd}.fail();")
                self.block("else")
                self.line(f"auto& _v = {m};")
                self.line("_v.clear();")
            self.block(f"for (int32_t _i = 0; _i < _n && {rd}.ok(); ++_i)")
            self.read_element(field, "_v", rd, flex, push=True)
            self.end()
            self.end()
            self.end()
        elif t == "records":
            self.line(f"{m} = {rd}.read_records({flex});")
            if nullable is not True:
                self.line(f"if ({m}.null && !{null_ok}) {rd}.fail();")
        elif t in ("string", "bytes") and field.is_nullable:
            self.line(f"{m} = {rd}.read_nullable_{t}({flex});")
            if nullable is not True:
                self.line(f"if (!{m} && !{null_ok}) {rd}.fail();")
        elif field.is_struct_element and field.is_nullable:
            self.line(f"if ({rd}.read_int8() < 0) {{ {m} = std::nullopt; if (!{null_ok}) {rd}.fail(); }}")
            # emplace(T{}) rather than emplace(): clang 14 rejects the latter for a nested
            # struct with default member initialisers.
            self.line(f"else {m}.emplace({self.names[t]}{{}}).read({rd}, _version);")
        else:
            self.read_element(field, m, rd, flex, push=False)

    def emit_read(self, struct_fields, ctx):
        for f in struct_fields:
            cond = version_cond(regular_versions(f), ctx.versions)
            null = version_cond(f.nullable, ctx.versions)
            self.guarded(cond, lambda f=f, null=null: self.read_value(f, ctx, "_r", null))
        tagged = sorted((f for f in struct_fields if f.tag is not None), key=lambda f: f.tag)
        self.guarded(version_cond(ctx.flexible, ctx.versions), lambda: self.read_tagged(tagged, ctx))

    def read_tagged(self, tagged, ctx):
        tctx = ctx.tagged_ctx()
        self.line("const uint32_t _count = _r.read_uvarint();")
        self.block("for (uint32_t _i = 0; _i < _count && _r.ok(); ++_i)")
        self.line("const uint32_t _tag = _r.read_uvarint();")
        self.line("codec::reader _f = _r.sub(_r.read_uvarint());")
        self.line("if (!_r.ok()) break;")
        self.block("switch (_tag)")
        for f in tagged:
            cond = version_cond(f.tagged.intersect(f.versions), tctx.versions)
            if cond is False:
                continue
            null = version_cond(f.nullable, tctx.versions)
            self.line(f"case {f.tag}:")
            self.depth += 1
            if cond is True:
                self.read_value(f, tctx, "_f", null)
                self.line("if (!_f.ok()) _r.fail();")
                self.line("continue;")
            else:
                self.block(f"if ({cond})")
                self.read_value(f, tctx, "_f", null)
                self.line("if (!_f.ok()) _r.fail();")
                self.line("continue;")
                self.end()
                self.line("break;")
            self.depth -= 1
        self.line("default:")
        self.line("    break;")
        self.end()
        self.line("unknown_tagged_fields.push_back("
                  "{_tag, std::vector<uint8_t>(_f.position(), _f.position() + _f.remaining())});")
        self.end()

    # ---- writing -------------------------------------------------------------------------
    def write_element(self, field, value, flex):
        t = field.element_type
        if t in PRIMITIVES:
            self.line(f"_w.write_{t}({value});")
        elif t == "string":
            self.line(f"_w.write_string({value}, {flex});")
        elif t == "bytes":
            self.line(f"_w.write_bytes({value}, {flex});")
        else:
            self.line(f"{value}.write(_w, _version);")

    def write_value(self, field, ctx, nullable):
        m = self.members[id(field)]
        flex = ctx.flex_expr(field)
        null_ok = cexpr(nullable)
        t = field.type
        if field.is_array:
            if field.is_nullable:
                self.line(f"if (!{m}) _w.write_array_length({null_ok} ? -1 : 0, {flex});")
                self.block("else")
                src = f"(*{m})"
            else:
                self.block("")
                src = m
            self.line(f"_w.write_array_length(static_cast<int32_t>({src}.size()), {flex});")
            self.block(f"for (const auto& _e : {src})")
            self.write_element(field, "_e", flex)
            self.end()
            self.end()
        elif t == "records":
            self.line(f"_w.write_records({m}, {flex}, {null_ok});")
        elif t in ("string", "bytes") and field.is_nullable:
            self.line(f"if ({null_ok}) _w.write_nullable_{t}({m}, {flex});")
            self.line(f"else _w.write_{t}_or_empty({m}, {flex});")
        elif field.is_struct_element and field.is_nullable:
            self.line(f"if ({m}) {{ _w.write_int8(1); {m}->write(_w, _version); }}")
            self.line(f"else if ({null_ok}) _w.write_int8(-1);")
            self.line(f"else {{ _w.write_int8(1); {self.names[t]}{{}}.write(_w, _version); }}")
        else:
            self.write_element(field, m, flex)

    def emit_write(self, struct_fields, ctx):
        for f in struct_fields:
            cond = version_cond(regular_versions(f), ctx.versions)
            null = version_cond(f.nullable, ctx.versions)
            self.guarded(cond, lambda f=f, null=null: self.write_value(f, ctx, null))
        tagged = sorted((f for f in struct_fields if f.tag is not None), key=lambda f: f.tag)
        self.guarded(version_cond(ctx.flexible, ctx.versions), lambda: self.write_tagged(tagged, ctx))

    def tagged_present(self, f, tctx):
        cond = version_cond(f.tagged.intersect(f.versions), tctx.versions)
        if cond is False:
            return False
        m = self.members[id(f)]
        present = f"_present_{m}"
        self.line(f"const bool {present} = {'' if cond is True else f'({cond}) && '}"
                  f"!({m} == decltype({m}){{{self.default_of(f)}}});")
        return present

    def default_of(self, f):
        return self.defaults[id(f)]

    def write_tagged(self, tagged, ctx):
        tctx = ctx.tagged_ctx()
        present = [(f, self.tagged_present(f, tctx)) for f in tagged]
        present = [(f, p) for f, p in present if p is not False]
        count = " + ".join(f"({p} ? 1u : 0u)" for _, p in present)
        self.line("_w.write_uvarint(static_cast<uint32_t>(unknown_tagged_fields.size())"
                  f"{' + ' + count if count else ''});")
        self.line("auto _u = unknown_tagged_fields.begin();")
        for f, p in present:
            if f.tag > 0:
                self.line(f"for (; _u != unknown_tagged_fields.end() && _u->tag < {f.tag}; ++_u) "
                          "_w.write_tagged_field(*_u);")
            self.block(f"if ({p})")
            self.line(f"_w.write_uvarint({f.tag});")
            self.line("size_t _s = 0;")
            self.size_value(f, tctx, "_s", version_cond(f.nullable, tctx.versions))
            self.line("_w.write_uvarint(static_cast<uint32_t>(_s));")
            self.write_value(f, tctx, version_cond(f.nullable, tctx.versions))
            self.end()
        self.line("for (; _u != unknown_tagged_fields.end(); ++_u) _w.write_tagged_field(*_u);")

    # ---- sizes ---------------------------------------------------------------------------
    def size_element(self, field, value, flex, acc):
        t = field.element_type
        if t in PRIMITIVES:
            self.line(f"{acc} += {fixed_size(t)};")
        elif t == "string":
            self.line(f"{acc} += codec::string_size({value}, {flex});")
        elif t == "bytes":
            self.line(f"{acc} += codec::bytes_size({value}, {flex});")
        else:
            self.line(f"{acc} += {value}.size(_version);")

    def size_value(self, field, ctx, acc, nullable):
        m = self.members[id(field)]
        flex = ctx.flex_expr(field)
        null_ok = cexpr(nullable)
        t = field.type
        if field.is_array:
            if field.is_nullable:
                self.line(f"if (!{m}) {acc} += codec::bytes_length_size({null_ok} ? -1 : 0, {flex});")
                self.block("else")
                src = f"(*{m})"
            else:
                self.block("")
                src = m
            self.line(f"{acc} += codec::bytes_length_size(static_cast<int32_t>({src}.size()), {flex});")
            if field.element_type in PRIMITIVES:
                self.line(f"{acc} += {src}.size() * {fixed_size(field.element_type)};")
            else:
                self.block(f"for (const auto& _e : {src})")
                self.size_element(field, "_e", flex, acc)
                self.end()
            self.end()
        elif t == "records":
            self.line(f"{acc} += codec::records_size({m}, {flex}, {null_ok});")
        elif t in ("string", "bytes") and field.is_nullable:
            self.line(f"{acc} += {null_ok} ? codec::nullable_{t}_size({m}, {flex})"
                      f" : codec::{t}_or_empty_size({m}, {flex});")
        elif field.is_struct_element and field.is_nullable:
            self.line(f"{acc} += 1 + ({m} ? {m}->size(_version) : {null_ok} ? 0 : "
                      f"{self.names[t]}{{}}.size(_version));")
        else:
            self.size_element(field, m, flex, acc)

    def emit_size(self, struct_fields, ctx):
        for f in struct_fields:
            cond = version_cond(regular_versions(f), ctx.versions)
            null = version_cond(f.nullable, ctx.versions)
            self.guarded(cond, lambda f=f, null=null: self.size_value(f, ctx, "_n", null))
        tagged = sorted((f for f in struct_fields if f.tag is not None), key=lambda f: f.tag)
        self.guarded(version_cond(ctx.flexible, ctx.versions), lambda: self.size_tagged(tagged, ctx))

    def size_tagged(self, tagged, ctx):
        tctx = ctx.tagged_ctx()
        self.line("uint32_t _count = static_cast<uint32_t>(unknown_tagged_fields.size());")
        self.line("for (const auto& _u : unknown_tagged_fields) _n += codec::tagged_field_size(_u);")
        for f in tagged:
            p = self.tagged_present(f, tctx)
            if p is False:
                continue
            self.block(f"if ({p})")
            self.line("++_count;")
            self.line("size_t _s = 0;")
            self.size_value(f, tctx, "_s", version_cond(f.nullable, tctx.versions))
            self.line(f"_n += codec::uvarint_size({f.tag}) + codec::uvarint_size(static_cast<uint32_t>(_s)) + _s;")
            self.end()
        self.line("_n += codec::uvarint_size(_count);")
