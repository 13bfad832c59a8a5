// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/time_index.h"

#include "record/endian.h"

namespace eddy::log {

std::optional<time_entry> time_entry::decode(const uint8_t* raw, int64_t base) {
    const auto timestamp = static_cast<int64_t>(record::be::load64(raw));
    auto offset = offset_from_relative(record::be::load32(raw + 8), base);
    if (!offset || timestamp < 0) return std::nullopt;
    return time_entry{timestamp, *offset};
}

void time_entry::encode(uint8_t* out, int64_t base) const {
    record::be::store64(out, static_cast<uint64_t>(timestamp));
    record::be::store32(out + 8, static_cast<uint32_t>(offset - base));
}

result<time_index> time_index::open(filesystem& fs, std::string path, int64_t base_offset,
                                    size_t max_entries) {
    auto loaded = load(fs, std::move(path), base_offset, max_entries,
                       [](const time_entry&) { return true; });
    if (!loaded) return loaded.error();
    return time_index(std::move(*loaded));
}

void time_index::maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check) {
    if (!skip_full_check && full()) return;
    // An empty index behaves as if it held {no_timestamp, base}, as Kafka's does.
    if (timestamp <= (empty() ? no_timestamp : last().timestamp)) return;
    add({timestamp, offset});
}

}  // namespace eddy::log
