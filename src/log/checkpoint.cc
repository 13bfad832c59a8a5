// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/checkpoint.h"

#include <string_view>

#include "log/errc.h"
#include "log/file_names.h"
#include "log/text_file.h"

namespace eddy::log {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(sep, start);
        if (end == std::string_view::npos) end = text.size();
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// The entry lines of a version-0 checkpoint, each split on spaces into `fields` parts.
// The topic name may not contain spaces (Kafka's legal topic characters exclude them).
result<std::vector<std::vector<std::string_view>>> parse_checkpoint(const std::string& text,
                                                                    size_t fields) {
    auto lines = split(text, '\n');
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    size_t count = 0;
    if (lines.size() < 2 || lines[0] != "0" || !parse_int(lines[1], count) ||
        lines.size() != count + 2) {
        return errc::corrupt_checkpoint;
    }
    std::vector<std::vector<std::string_view>> entries;
    for (size_t i = 2; i < lines.size(); ++i) {
        auto parts = split_whitespace(lines[i]);
        if (parts.size() != fields) return errc::corrupt_checkpoint;
        entries.push_back(std::move(parts));
    }
    return entries;
}

}  // namespace

result<offset_checkpoint> read_offset_checkpoint(filesystem& fs, const std::string& dir,
                                                 const std::string& name) {
    const auto path = join_path(dir, name);
    if (!fs.exists(path)) return offset_checkpoint{};
    auto text = read_text(fs, path);
    if (!text) return text.error();
    auto entries = parse_checkpoint(*text, 3);
    if (!entries) return entries.error();
    offset_checkpoint out;
    for (const auto& e : *entries) {
        int32_t partition = 0;
        int64_t offset = 0;
        if (!parse_int(e[1], partition) || !parse_int(e[2], offset)) return errc::corrupt_checkpoint;
        out[{std::string(e[0]), partition}] = offset;
    }
    return out;
}

std::error_code write_offset_checkpoint(filesystem& fs, const std::string& dir,
                                        const std::string& name, const offset_checkpoint& offsets) {
    std::string text = "0\n" + std::to_string(offsets.size()) + "\n";
    for (const auto& [tp, offset] : offsets) {
        text += tp.first + " " + std::to_string(tp.second) + " " + std::to_string(offset) + "\n";
    }
    return write_text(fs, dir, name, text);
}

result<std::vector<epoch_entry>> read_leader_epoch_checkpoint(filesystem& fs,
                                                              const std::string& partition_dir) {
    const auto path = join_path(partition_dir, std::string(leader_epoch_checkpoint_name));
    if (!fs.exists(path)) return std::vector<epoch_entry>{};
    auto text = read_text(fs, path);
    if (!text) return text.error();
    auto entries = parse_checkpoint(*text, 2);
    if (!entries) return entries.error();
    std::vector<epoch_entry> out;
    for (const auto& e : *entries) {
        epoch_entry entry{};
        if (!parse_int(e[0], entry.epoch) || !parse_int(e[1], entry.start_offset)) {
            return errc::corrupt_checkpoint;
        }
        out.push_back(entry);
    }
    return out;
}

std::error_code write_leader_epoch_checkpoint(filesystem& fs, const std::string& partition_dir,
                                              const std::vector<epoch_entry>& entries) {
    std::string text = "0\n" + std::to_string(entries.size()) + "\n";
    for (const auto& e : entries) {
        text += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
    }
    return write_text(fs, partition_dir, std::string(leader_epoch_checkpoint_name), text);
}

std::error_code write_clean_shutdown_marker(filesystem& fs, const std::string& log_dir,
                                            int64_t broker_epoch) {
    const std::string text = "{\"version\":0,\"brokerEpoch\":" + std::to_string(broker_epoch) + "}";
    return write_text(fs, log_dir, std::string(clean_shutdown_file_name), text);
}

bool has_clean_shutdown_marker(filesystem& fs, const std::string& log_dir) {
    return fs.exists(join_path(log_dir, std::string(clean_shutdown_file_name)));
}

std::error_code remove_clean_shutdown_marker(filesystem& fs, const std::string& log_dir) {
    auto ec = fs.remove(join_path(log_dir, std::string(clean_shutdown_file_name)));
    if (ec == std::errc::no_such_file_or_directory) return {};
    if (ec) return ec;
    return fs.sync_directory(log_dir);
}

}  // namespace eddy::log
