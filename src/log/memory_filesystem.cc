// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/memory_filesystem.h"

#include <algorithm>
#include <random>

#include "common/wall_clock.h"

namespace eddy::log {
namespace {

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string{} : path.substr(0, slash);
}

std::string strip_slash(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
}

class memory_file final : public file {
public:
    memory_file(std::shared_ptr<memory_filesystem::node> n,
                std::shared_ptr<memory_filesystem::fault_state> s)
        : node_(std::move(n)), state_(std::move(s)) {}

    result<size_t> read_at(uint64_t pos, std::span<uint8_t> out) override {
        const auto& data = node_->data;
        if (pos >= data.size()) return size_t{0};
        size_t n = std::min<uint64_t>(out.size(), data.size() - pos);
        if (state_->short_reads && n > 1) n /= 2;
        std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
        return n;
    }

    std::error_code append(std::span<const uint8_t> data) override {
        auto& st = *state_;
        if (st.write_limit && data.size() > st.write_budget) {
            if (st.torn) {
                node_->data.insert(node_->data.end(), data.begin(),
                                   data.begin() + static_cast<std::ptrdiff_t>(st.write_budget));
            }
            st.write_budget = 0;
            return std::make_error_code(std::errc::no_space_on_device);
        }
        if (st.write_limit) st.write_budget -= data.size();
        node_->data.insert(node_->data.end(), data.begin(), data.end());
        node_->modified_ms = wall_clock_ms();
        return {};
    }

    result<uint64_t> size() override { return static_cast<uint64_t>(node_->data.size()); }

    std::error_code truncate(uint64_t size) override {
        if (size < node_->data.size()) node_->data.resize(size);
        node_->reserved_end = std::min(node_->reserved_end, size);
        node_->modified_ms = wall_clock_ms();
        return {};
    }

    void reserve(uint64_t offset, uint64_t length) override {
        node_->reserved_end = std::max(node_->reserved_end, offset + length);
    }

    std::error_code release_reserved() override {
        node_->reserved_end = std::min<uint64_t>(node_->reserved_end, node_->data.size());
        return {};
    }

    std::error_code sync() override {
        if (state_->fail_syncs) return std::make_error_code(std::errc::io_error);
        node_->durable = node_->data;
        return {};
    }

    int native_handle() const override { return -1; }

    result<int64_t> modified_ms() override { return node_->modified_ms; }
    std::error_code set_modified_ms(int64_t ms) override {
        node_->modified_ms = ms;
        return {};
    }

private:
    std::shared_ptr<memory_filesystem::node> node_;
    std::shared_ptr<memory_filesystem::fault_state> state_;
};

}  // namespace

memory_filesystem::memory_filesystem() : state_(std::make_shared<fault_state>()) {}

result<std::shared_ptr<file>> memory_filesystem::open(const std::string& path, bool create) {
    auto it = files_.find(path);
    if (it == files_.end()) {
        if (!create) return std::make_error_code(std::errc::no_such_file_or_directory);
        if (!dirs_.contains(parent_of(path)) && !parent_of(path).empty()) {
            return std::make_error_code(std::errc::no_such_file_or_directory);
        }
        it = files_.emplace(path, std::make_shared<node>()).first;
        it->second->modified_ms = wall_clock_ms();
    }
    return std::shared_ptr<file>(std::make_shared<memory_file>(it->second, state_));
}

result<std::vector<std::string>> memory_filesystem::list(const std::string& dir_in) {
    const std::string dir = strip_slash(dir_in);
    if (!dirs_.contains(dir)) return std::make_error_code(std::errc::no_such_file_or_directory);
    std::vector<std::string> names;
    for (const auto& [path, n] : files_) {
        if (parent_of(path) == dir) names.push_back(path.substr(dir.size() + 1));
    }
    for (const auto& d : dirs_) {
        if (d != dir && parent_of(d) == dir) names.push_back(d.substr(dir.size() + 1));
    }
    return names;
}

bool memory_filesystem::exists(const std::string& path) {
    return files_.contains(path) || dirs_.contains(strip_slash(path));
}

std::error_code memory_filesystem::remove(const std::string& path) {
    if (files_.erase(path) == 0) return std::make_error_code(std::errc::no_such_file_or_directory);
    return {};
}

std::error_code memory_filesystem::rename(const std::string& from, const std::string& to) {
    if (state_->rename_limit && state_->renames_left-- <= 0) return std::make_error_code(std::errc::io_error);
    if (dirs_.contains(strip_slash(from))) {
        // A directory: every entry under it moves to the same place under `to`.
        const std::string old_dir = strip_slash(from);
        const std::string new_dir = strip_slash(to);
        if (dirs_.contains(new_dir)) return std::make_error_code(std::errc::file_exists);
        const auto moved = [&](const std::string& path) {
            return path == old_dir || path.starts_with(old_dir + "/");
        };
        std::set<std::string> dirs;
        for (const std::string& d : dirs_) dirs.insert(moved(d) ? new_dir + d.substr(old_dir.size()) : d);
        std::map<std::string, std::shared_ptr<node>> files;
        for (auto& [path, n] : files_)
            files[moved(path) ? new_dir + path.substr(old_dir.size()) : path] = n;
        dirs_ = std::move(dirs);
        files_ = std::move(files);
        return {};
    }
    auto it = files_.find(from);
    if (it == files_.end()) return std::make_error_code(std::errc::no_such_file_or_directory);
    auto n = it->second;
    files_.erase(it);
    files_[to] = std::move(n);
    return {};
}

std::error_code memory_filesystem::remove_all(const std::string& path_in) {
    const std::string path = strip_slash(path_in);
    const auto under = [&](const std::string& p) { return p == path || p.starts_with(path + "/"); };
    std::erase_if(files_, [&](const auto& entry) { return under(entry.first); });
    std::erase_if(dirs_, under);
    return {};
}

std::error_code memory_filesystem::create_directories(const std::string& dir_in) {
    std::string dir = strip_slash(dir_in);
    while (!dir.empty() && !dirs_.contains(dir)) {
        dirs_.insert(dir);
        dir = parent_of(dir);
    }
    return {};
}

std::error_code memory_filesystem::sync_directory(const std::string&) {
    if (state_->fail_syncs) return std::make_error_code(std::errc::io_error);
    return {};
}

void memory_filesystem::fail_writes_after(uint64_t bytes, bool torn) {
    state_->write_limit = true;
    state_->write_budget = bytes;
    state_->torn = torn;
}

void memory_filesystem::clear_faults() { *state_ = fault_state{}; }

void memory_filesystem::power_loss(uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (auto& [path, n] : files_) {
        auto& data = n->data;
        auto& durable = n->durable;
        const bool appended_only = data.size() >= durable.size() &&
                                   std::equal(durable.begin(), durable.end(), data.begin());
        size_t keep = 0;
        if (seed != 0 && appended_only && data.size() > durable.size()) {
            keep = std::uniform_int_distribution<size_t>(0, data.size() - durable.size())(rng);
        }
        std::vector<uint8_t> survived = durable;
        if (keep > 0) {
            survived.insert(survived.end(), data.begin() + static_cast<std::ptrdiff_t>(durable.size()),
                            data.begin() + static_cast<std::ptrdiff_t>(durable.size() + keep));
        }
        data = survived;
        durable = std::move(survived);
    }
}

std::vector<uint8_t>* memory_filesystem::contents(const std::string& path) {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second->data;
}

bool memory_filesystem::set_modified_ms(const std::string& path, int64_t ms) {
    auto it = files_.find(path);
    if (it == files_.end()) return false;
    it->second->modified_ms = ms;
    return true;
}

uint64_t memory_filesystem::reserved_beyond_end(const std::string& path) {
    auto it = files_.find(path);
    if (it == files_.end()) return 0;
    const uint64_t size = it->second->data.size();
    return it->second->reserved_end > size ? it->second->reserved_end - size : 0;
}

}  // namespace eddy::log
