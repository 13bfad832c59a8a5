// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/fetch_response_writer.h"

#include "eddy/codec/writer.h"
#include "eddy/msg/registry.h"
#include "eddy/msg/response_header.h"

namespace eddy::broker {
namespace {

using partition_data = msg::fetch_response::partition_data;

// Appends a partition whose records are `slices`. The generated writer puts Records
// last before the tagged-field section, so with records empty and no tagged fields the
// encoding ends with the empty length (int32 0, or uvarint 1 when flexible) followed by
// the empty tag section (uvarint 0); those bytes are rewritten around the slices.
void write_partition(sliced_response& out, const partition_data& p,
                     const std::vector<log::file_slice>& slices, int16_t version) {
    std::vector<uint8_t>& buf = out.pieces.back().bytes;
    codec::writer w(buf);
    uint64_t total = 0;
    for (const log::file_slice& s : slices) total += s.length;
    if (total == 0) {
        p.write(w, version);
        return;
    }
    partition_data copy = p;
    copy.records = codec::bytes_view{nullptr, 0, false};
    copy.unknown_tagged_fields.clear();
    copy.diverging_epoch = {};
    copy.current_leader = {};
    copy.snapshot_id = {};
    copy.write(w, version);
    const bool flexible = msg::fetch_response::is_flexible(version);
    buf.resize(buf.size() - (flexible ? 2 : 4));
    w.write_bytes_length(static_cast<int32_t>(total), flexible);
    for (const log::file_slice& s : slices) {
        out.pieces.back().file = s;
        out.pieces.emplace_back();
    }
    if (flexible) codec::writer(out.pieces.back().bytes).write_uvarint(0);
}

}  // namespace

uint64_t sliced_response::size() const {
    uint64_t n = 0;
    for (const response_piece& p : pieces) n += p.bytes.size() + (p.file ? p.file->length : 0);
    return n;
}

std::vector<uint8_t> sliced_response::flatten() const {
    std::vector<uint8_t> out;
    out.reserve(size());
    for (const response_piece& p : pieces) {
        out.insert(out.end(), p.bytes.begin(), p.bytes.end());
        if (!p.file) continue;
        size_t at = out.size();
        out.resize(at + p.file->length);
        if (log::read_exact(*p.file->log_file, p.file->position,
                            std::span<uint8_t>(out.data() + at, p.file->length)))
            out.resize(at);  // the caller sees a short frame; never invent bytes
    }
    return out;
}

sliced_response write_fetch_response(const request_context& ctx, const fetch_result& r) {
    const int16_t v = ctx.api_version;
    const bool flexible = msg::fetch_response::is_flexible(v);
    const msg::fetch_response& resp = r.response;
    sliced_response out;
    out.pieces.emplace_back();
    {
        codec::writer w(out.pieces.back().bytes);
        msg::response_header header;
        header.correlation_id = ctx.correlation_id;
        header.write(w, msg::response_header_version(ctx.api_key, v));
        // FetchResponse's top-level fields (all present from v7, our minimum is 4).
        w.write_int32(resp.throttle_time_ms);
        if (v >= 7) {
            w.write_int16(resp.error_code);
            w.write_int32(resp.session_id);
        }
        w.write_array_length(static_cast<int32_t>(resp.responses.size()), flexible);
    }
    size_t index = 0;
    for (const auto& topic : resp.responses) {
        {
            codec::writer w(out.pieces.back().bytes);
            if (v <= 12) w.write_string(topic.topic, flexible);
            else w.write_uuid(topic.topic_id);
            w.write_array_length(static_cast<int32_t>(topic.partitions.size()), flexible);
        }
        for (const partition_data& p : topic.partitions) {
            static const std::vector<log::file_slice> none;
            write_partition(out, p, index < r.records.size() ? r.records[index] : none, v);
            ++index;
        }
        if (flexible) codec::writer(out.pieces.back().bytes).write_uvarint(0);
    }
    // Top-level tagged fields: NodeEndpoints (v16+) is sent only for leader changes,
    // which this broker does not report yet.
    if (flexible) codec::writer(out.pieces.back().bytes).write_uvarint(0);
    return out;
}

}  // namespace eddy::broker
