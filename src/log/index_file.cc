// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/index_file.h"

namespace eddy::log {

result<index_file> index_file::open(filesystem& fs, std::string path, size_t entry_size,
                                    std::vector<uint8_t>& contents) {
    auto f = fs.open(path, true);
    if (!f) return f.error();
    auto size = (*f)->size();
    if (!size) return size.error();
    contents.assign(*size, 0);
    if (auto ec = read_exact(**f, 0, contents)) return ec;
    index_file out(std::move(*f), std::move(path), entry_size);
    out.written_ = contents.size();
    return out;
}

std::error_code index_file::write_staged() {
    if (staged_.empty()) return {};
    auto ec = file_->append(staged_);
    if (ec) {
        (void)file_->truncate(written_);
    } else {
        written_ += staged_.size();
    }
    staged_.clear();
    return ec;
}

std::error_code index_file::truncate_entries(size_t entries) {
    staged_.clear();
    written_ = entries * entry_size_;
    return file_->truncate(written_);
}

}  // namespace eddy::log
