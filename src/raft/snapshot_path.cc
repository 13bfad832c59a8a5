// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/snapshot_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace eddy::raft {
namespace {

constexpr size_t offset_width = 20;
constexpr size_t epoch_width = 10;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <class Int>
bool parse_digits(std::string_view text, Int& out) {
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string snapshot_file_stem(snapshot_id id) {
    return fmt::format("{:0{}}-{:0{}}", id.end_offset, offset_width, id.epoch, epoch_width);
}

std::string snapshot_file_name(snapshot_id id) {
    return snapshot_file_stem(id) + std::string(snapshot_suffix);
}

std::string partial_snapshot_file_name(snapshot_id id) {
    return snapshot_file_stem(id) + std::string(partial_snapshot_suffix);
}

std::optional<snapshot_path> parse_snapshot_path(std::string_view name) {
    snapshot_path p;
    if (ends_with(name, partial_snapshot_suffix)) {
        p.partial = true;
    } else if (ends_with(name, deleted_snapshot_suffix)) {
        p.deleted = true;
    } else if (!ends_with(name, snapshot_suffix)) {
        return std::nullopt;
    }
    // Like SnapshotPath.parse, only the leading "<offset>-<epoch>" is read: Kafka's partial
    // files carry a random part after it.
    if (name.size() < offset_width + 1 + epoch_width || name[offset_width] != '-') {
        return std::nullopt;
    }
    if (!parse_digits(name.substr(0, offset_width), p.id.end_offset) ||
        !parse_digits(name.substr(offset_width + 1, epoch_width), p.id.epoch)) {
        return std::nullopt;
    }
    // A finished snapshot's name is exactly stem + suffix.
    if (!p.partial && !p.deleted &&
        name.size() != offset_width + 1 + epoch_width + snapshot_suffix.size()) {
        return std::nullopt;
    }
    p.name = std::string(name);
    return p;
}

log::result<std::vector<snapshot_id>> load_snapshot_ids(log::filesystem& fs,
                                                        const std::string& dir) {
    auto names = fs.list(dir);
    if (!names) return names.error();
    std::vector<snapshot_id> ids;
    bool removed = false;
    for (const std::string& name : *names) {
        std::optional<snapshot_path> p = parse_snapshot_path(name);
        if (!p) continue;
        if (p->partial || p->deleted) {
            if (auto ec = fs.remove(log::join_path(dir, name))) return ec;
            removed = true;
            continue;
        }
        ids.push_back(p->id);
    }
    if (removed) {
        if (auto ec = fs.sync_directory(dir)) return ec;
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::error_code delete_snapshot(log::filesystem& fs, const std::string& dir, snapshot_id id) {
    for (const std::string& name :
         {snapshot_file_name(id), snapshot_file_stem(id) + std::string(deleted_snapshot_suffix)}) {
        const std::string path = log::join_path(dir, name);
        if (!fs.exists(path)) continue;
        if (auto ec = fs.remove(path)) return ec;
    }
    return fs.sync_directory(dir);
}

}  // namespace eddy::raft
