// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/offset_index.h"

#include "record/endian.h"

namespace eddy::log {

std::optional<offset_entry> offset_entry::decode(const uint8_t* raw, int64_t base) {
    auto offset = offset_from_relative(record::be::load32(raw), base);
    if (!offset) return std::nullopt;
    return offset_entry{*offset, record::be::load32(raw + 4)};
}

void offset_entry::encode(uint8_t* out, int64_t base) const {
    record::be::store32(out, static_cast<uint32_t>(offset - base));
    record::be::store32(out + 4, position);
}

result<offset_index> offset_index::open(filesystem& fs, std::string path, int64_t base_offset,
                                        size_t max_entries, uint64_t log_size) {
    auto loaded = load(fs, std::move(path), base_offset, max_entries,
                       [log_size](const offset_entry& e) { return e.position < log_size; });
    if (!loaded) return loaded.error();
    return offset_index(std::move(*loaded));
}

}  // namespace eddy::log
