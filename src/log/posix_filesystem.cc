// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The filesystem on the real disk: pread(2), write(2) with O_APPEND, fallocate(2), fsync(2).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "log/filesystem.h"

namespace eddy::log {
namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

class posix_file final : public file {
public:
    explicit posix_file(int fd) : fd_(fd) {}
    ~posix_file() override { ::close(fd_); }
    posix_file(const posix_file&) = delete;
    posix_file& operator=(const posix_file&) = delete;

    result<size_t> read_at(uint64_t pos, std::span<uint8_t> out) override {
        for (;;) {
            ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(pos));
            if (n >= 0) return static_cast<size_t>(n);
            if (errno != EINTR) return last_error();
        }
    }

    std::error_code append(std::span<const uint8_t> data) override {
        while (!data.empty()) {
            ssize_t n = ::write(fd_, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return last_error();
            }
            data = data.subspan(static_cast<size_t>(n));
        }
        return {};
    }

    result<uint64_t> size() override {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return last_error();
        return static_cast<uint64_t>(st.st_size);
    }

    std::error_code truncate(uint64_t size) override {
        if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return last_error();
        return {};
    }

    void reserve(uint64_t offset, uint64_t length) override {
        // Errors are left to the appends that follow: they allocate as if nothing had
        // been reserved, and report a full disk themselves.
        (void)::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                          static_cast<off_t>(length));
    }

    std::error_code release_reserved() override {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return last_error();
        // Truncating to the current size frees the blocks past it, and stamps the mtime
        // (Linux sets it on every ftruncate), so the old stamp is put back.
        if (::ftruncate(fd_, st.st_size) != 0) return last_error();
        const struct timespec times[2] = {{0, UTIME_OMIT}, st.st_mtim};
        if (::futimens(fd_, times) != 0) return last_error();
        return {};
    }

    std::error_code sync() override {
        if (::fsync(fd_) != 0) return last_error();
        return {};
    }

    int native_handle() const override { return fd_; }

    result<int64_t> modified_ms() override {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return last_error();
        return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    }

    std::error_code set_modified_ms(int64_t ms) override {
        const struct timespec times[2] = {{0, UTIME_OMIT},
                                          {static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000}};
        if (::futimens(fd_, times) != 0) return last_error();
        return {};
    }

private:
    int fd_;
};

class posix_filesystem final : public filesystem {
public:
    result<std::shared_ptr<file>> open(const std::string& path, bool create) override {
        int flags = O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);
        int fd = ::open(path.c_str(), flags, 0644);
        if (fd < 0) return last_error();
        return std::shared_ptr<file>(std::make_shared<posix_file>(fd));
    }

    result<std::vector<std::string>> list(const std::string& dir) override {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) return last_error();
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name != "." && name != "..") names.push_back(std::move(name));
        }
        ::closedir(d);
        return names;
    }

    bool exists(const std::string& path) override {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0;
    }

    std::error_code remove(const std::string& path) override {
        if (::unlink(path.c_str()) != 0) return last_error();
        return {};
    }

    std::error_code rename(const std::string& from, const std::string& to) override {
        if (::rename(from.c_str(), to.c_str()) != 0) return last_error();
        return {};
    }

    std::error_code remove_all(const std::string& path) override {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
        return ec;
    }

    std::error_code create_directories(const std::string& dir) override {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        return ec;
    }

    std::error_code sync_directory(const std::string& dir) override {
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return last_error();
        std::error_code ec;
        if (::fsync(fd) != 0) ec = last_error();
        ::close(fd);
        return ec;
    }
};

}  // namespace

std::unique_ptr<filesystem> make_posix_filesystem() { return std::make_unique<posix_filesystem>(); }

}  // namespace eddy::log
