// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "hosting/log_loader.h"

#include <algorithm>
#include <span>

#include "log/filesystem.h"

namespace eddy::hosting {

load_step_result load_batches(log::log& log, int64_t& offset, uint32_t buffer_size,
                              std::vector<uint8_t>& buffer, const batch_visitor& each) {
    load_step_result out;
    const int64_t end = log.latest();
    offset = std::max(offset, log.earliest());
    if (offset >= end) {
        out.done = true;
        return out;
    }
    auto r = log.read(offset, buffer_size, end, true);
    if (!r) {
        out.error = r.error().message();
        return out;
    }
    buffer.resize(r->bytes);
    size_t at = 0;
    for (const log::file_slice& slice : r->slices) {
        std::span<uint8_t> into(buffer.data() + at, slice.length);
        if (std::error_code ec = log::read_exact(*slice.log_file, slice.position, into)) {
            out.error = ec.message();
            return out;
        }
        at += slice.length;
    }
    // The last batch read may be cut short; it is read whole by the next step.
    record::batch_scanner scan(buffer.data(), at);
    record::batch_view b;
    const int64_t from = offset;
    while (scan.next(b) == record::scan_status::ok) {
        if (!each(b, out.error)) {
            if (out.error.empty()) out.error = "a batch could not be replayed";
            return out;
        }
        offset = b.last_offset() + 1;
    }
    if (offset == from) out.error = "no whole batch could be read";
    return out;
}

}  // namespace eddy::hosting
