// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "log_batches.h"
#include "log/errc.h"
#include "log/file_names.h"
#include "log/filesystem.h"
#include "log/memory_filesystem.h"

namespace eddy::log {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> read_all_of(file& f) {
    std::vector<uint8_t> out(*f.size());
    REQUIRE_FALSE(read_exact(f, 0, out));
    return out;
}

// A real file "a" holding "abc", in a new directory under /tmp that the test removes.
struct real_file_abc {
    std::string dir;
    std::string path;
    std::shared_ptr<file> f;

    explicit real_file_abc(std::string prefix) {
        std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        path = dir + "/a";
        auto opened = make_posix_filesystem()->open(path, true);
        REQUIRE(opened);
        f = *opened;
        REQUIRE_FALSE(f->append(bytes("abc")));
    }
    ~real_file_abc() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_SUITE("log.filesystem") {
    TEST_CASE("read_exact assembles short reads") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/d"));
        auto f = fs.open("/d/a", true);
        REQUIRE(f);
        REQUIRE_FALSE((*f)->append(bytes("hello world")));
        fs.set_short_reads(true);
        CHECK(read_all_of(**f) == bytes("hello world"));
        std::vector<uint8_t> past(4);
        CHECK(read_exact(**f, 9, past) == errc::unexpected_eof);
    }

    TEST_CASE("a write beyond the space limit fails and may be torn") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/d"));
        auto f = fs.open("/d/a", true);
        fs.fail_writes_after(4, true);
        CHECK((*f)->append(bytes("abcdef")) == std::errc::no_space_on_device);
        CHECK(read_all_of(**f) == bytes("abcd"));
        CHECK((*f)->append(bytes("x")));
        fs.clear_faults();
        CHECK_FALSE((*f)->append(bytes("x")));
    }

    TEST_CASE("power loss keeps synced bytes and drops the rest") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/d"));
        auto f = fs.open("/d/a", true);
        REQUIRE_FALSE((*f)->append(bytes("durable")));
        REQUIRE_FALSE((*f)->sync());
        REQUIRE_FALSE((*f)->append(bytes("volatile")));
        fs.power_loss(0);
        auto again = fs.open("/d/a", false);
        CHECK(read_all_of(**again) == bytes("durable"));
    }

    TEST_CASE("a process kill keeps everything written") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/d"));
        {
            auto f = fs.open("/d/a", true);
            REQUIRE_FALSE((*f)->append(bytes("in page cache")));
        }
        auto again = fs.open("/d/a", false);
        CHECK(read_all_of(**again) == bytes("in page cache"));
    }

    TEST_CASE("atomic file replacement and listing work on the real disk") {
        char tmpl[] = "/tmp/eddy-log-fs-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        const std::string dir = tmpl;
        auto fs = make_posix_filesystem();
        REQUIRE_FALSE(write_file_atomically(*fs, dir, "cp", bytes("one")));
        REQUIRE_FALSE(write_file_atomically(*fs, dir, "cp", bytes("two")));
        auto content = read_whole_file(*fs, join_path(dir, "cp"));
        REQUIRE(content);
        CHECK(*content == bytes("two"));
        auto names = fs->list(dir);
        REQUIRE(names);
        CHECK(*names == std::vector<std::string>{"cp"});
        auto f = fs->open(join_path(dir, "cp"), false);
        REQUIRE(f);
        CHECK((*f)->native_handle() >= 0);
        std::filesystem::remove_all(dir);
    }

    TEST_CASE("reserved blocks on the real disk keep the file's size; truncate releases them") {
        real_file_abc real("eddy-log-reserve");
        const std::string& path = real.path;
        file& f = *real.f;
        auto allocated = [&] {
            struct stat st {};
            REQUIRE(::stat(path.c_str(), &st) == 0);
            return static_cast<uint64_t>(st.st_blocks) * 512;
        };
        f.reserve(3, 8 << 20);
        CHECK(*f.size() == 3);
        if (allocated() < (8 << 20)) {
            MESSAGE("this file system does not reserve blocks (fallocate): nothing to release");
        }
        REQUIRE_FALSE(f.append(bytes("def")));
        REQUIRE_FALSE(f.truncate(6));
        CHECK(allocated() < (1 << 20));
        CHECK(read_all_of(f) == bytes("abcdef"));
    }

    TEST_CASE("releasing reserved blocks on the real disk keeps the bytes and the modification time") {
        real_file_abc real("eddy-log-release");
        file& f = *real.f;
        f.reserve(3, 8 << 20);
        const struct timespec times[2] = {{1'600'000'000, 0}, {1'600'000'000, 0}};
        REQUIRE(::utimensat(AT_FDCWD, real.path.c_str(), times, 0) == 0);
        REQUIRE_FALSE(f.release_reserved());
        struct stat st {};
        REQUIRE(::stat(real.path.c_str(), &st) == 0);
        CHECK(static_cast<uint64_t>(st.st_blocks) * 512 < (1 << 20));
        CHECK(read_all_of(f) == bytes("abc"));
        CHECK(*f.modified_ms() == 1'600'000'000'000);
    }

    TEST_CASE("a file on the real disk reports its modification time") {
        real_file_abc real("eddy-log-mtime");
        // Set to a known time, as a restore from backup or touch(1) would.
        const struct timespec times[2] = {{1'600'000'000, 0}, {1'600'000'000, 250'000'000}};
        REQUIRE(::utimensat(AT_FDCWD, real.path.c_str(), times, 0) == 0);
        auto ms = real.f->modified_ms();
        REQUIRE(ms);
        CHECK(*ms == 1'600'000'000'250);
    }

    TEST_CASE("a log on the real disk serves reads as file descriptors and survives a kill") {
        char tmpl[] = "/tmp/eddy-log-disk-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        const std::string dir = std::string(tmpl) + "/orders-0";
        auto fs = make_posix_filesystem();
        {
            auto l = log::open(*fs, dir, {}, {.now_ms = 1});
            REQUIRE(l);
            for (int i = 0; i < 3; ++i) {
                auto b = test::make_batch({.records = 2});
                REQUIRE((*l)->append(b, {.now_ms = 1}));
            }
            auto r = (*l)->read(2, 1 << 20, INT64_MAX, true);
            REQUIRE(r);
            REQUIRE(r->slices.size() == 1);
            CHECK(r->slices[0].log_file->native_handle() >= 0);
            CHECK(test::parse_batches(test::slice_bytes(*r)).size() == 2);
            // Dropped without close(): as after kill -9, nothing was fsynced.
        }
        auto l = log::open(*fs, dir, {}, {.recovery_point = 0, .now_ms = 2});
        REQUIRE(l);
        CHECK((*l)->latest() == 6);
        CHECK((*l)->last_recovery().segments_scanned == 1);
        CHECK(std::filesystem::exists(dir + "/00000000000000000000.log"));
        CHECK(std::filesystem::exists(dir + "/00000000000000000000.index"));
        std::filesystem::remove_all(tmpl);
    }

    TEST_CASE("segment and partition names follow Kafka") {
        CHECK(segment_file_name(0, log_suffix) == "00000000000000000000.log");
        CHECK(segment_file_name(1234, index_suffix) == "00000000000000001234.index");
        CHECK(parse_segment_file_name("00000000000000001234.timeindex", time_index_suffix) == 1234);
        CHECK_FALSE(parse_segment_file_name("0000000000000001234.log", log_suffix));
        CHECK_FALSE(parse_segment_file_name("00000000000000001234.log.deleted", log_suffix));
        CHECK(partition_dir_name("my-topic", 3) == "my-topic-3");
        auto tp = parse_partition_dir_name("my-topic-3");
        REQUIRE(tp);
        CHECK(tp->first == "my-topic");
        CHECK(tp->second == 3);
        CHECK_FALSE(parse_partition_dir_name("topic"));
        CHECK_FALSE(parse_partition_dir_name("topic-x"));
    }
}

}  // namespace eddy::log
