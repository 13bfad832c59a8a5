// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/filesystem.h"

#include "log/errc.h"

namespace eddy::log {

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    if (dir.back() == '/') return dir + name;
    return dir + "/" + name;
}

std::error_code read_exact(file& f, uint64_t pos, std::span<uint8_t> out) {
    size_t done = 0;
    while (done < out.size()) {
        auto n = f.read_at(pos + done, out.subspan(done));
        if (!n) return n.error();
        if (*n == 0) return errc::unexpected_eof;
        done += *n;
    }
    return {};
}

result<std::vector<uint8_t>> read_whole_file(filesystem& fs, const std::string& path) {
    auto f = fs.open(path, false);
    if (!f) return f.error();
    auto size = (*f)->size();
    if (!size) return size.error();
    std::vector<uint8_t> data(*size);
    if (auto ec = read_exact(**f, 0, data)) return ec;
    return data;
}

std::error_code write_file_atomically(filesystem& fs, const std::string& dir, const std::string& name,
                                      std::span<const uint8_t> data) {
    const std::string path = join_path(dir, name);
    const std::string tmp = path + ".tmp";
    {
        auto f = fs.open(tmp, true);
        if (!f) return f.error();
        // A leftover temporary from a crash may hold stale bytes.
        if (auto ec = (*f)->truncate(0)) return ec;
        if (auto ec = (*f)->append(data)) return ec;
        if (auto ec = (*f)->sync()) return ec;
    }
    if (auto ec = fs.rename(tmp, path)) return ec;
    return fs.sync_directory(dir);
}

}  // namespace eddy::log
