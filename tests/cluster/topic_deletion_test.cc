// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Deleted topics' directories, and directories that belong to another topic id: moved
// aside at once, removed after log.segment.delete.delay.ms or kept as stray, so a topic
// created again under the same name never sees the old records.
#include "cluster/partition_metadata_file.h"
#include "cluster_fixture.h"
#include "log/memory_filesystem.h"
#include "eddy/codec/uuid_text.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace eddy::cluster::test {
namespace {

namespace fs = std::filesystem;

replica_manager_options with_delete_delay(const std::string& ms) {
    replica_manager_options o;
    o.static_configs["log.segment.delete.delay.ms"] = ms;
    return o;
}

// The entries of `dir` whose names start with `prefix`.
std::vector<std::string> entries(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        if (name.starts_with(prefix)) out.push_back(name);
    }
    return out;
}

// Waits (up to a minute, far beyond what a removal needs) until done() holds; no assertion
// on how long it took.
template <class Done>
bool eventually(Done done) {
    for (int i = 0; i < 6000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Until nothing in `dir` starts with `prefix`.
bool gone_eventually(const std::string& dir, const std::string& prefix) {
    return eventually([&] { return entries(dir, prefix).empty(); });
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The real disk, except that removing a ".deleted" file fails with EACCES (say, a
// directory an operator made read-only); every such attempt is recorded.
class refusing_deleted_removal final : public log::filesystem {
public:
    log::result<std::shared_ptr<log::file>> open(const std::string& path, bool create) override {
        return disk_->open(path, create);
    }
    log::result<std::vector<std::string>> list(const std::string& dir) override {
        return disk_->list(dir);
    }
    bool exists(const std::string& path) override { return disk_->exists(path); }
    std::error_code remove(const std::string& path) override {
        if (!path.ends_with(".deleted")) return disk_->remove(path);
        std::lock_guard lock(mutex_);
        refused_.push_back(path);
        return std::make_error_code(std::errc::permission_denied);
    }
    std::error_code rename(const std::string& from, const std::string& to) override {
        return disk_->rename(from, to);
    }
    std::error_code remove_all(const std::string& path) override { return disk_->remove_all(path); }
    std::error_code create_directories(const std::string& dir) override {
        return disk_->create_directories(dir);
    }
    std::error_code sync_directory(const std::string& dir) override {
        return disk_->sync_directory(dir);
    }

    std::vector<std::string> refused() {
        std::lock_guard lock(mutex_);
        return refused_;
    }

private:
    std::unique_ptr<log::filesystem> disk_ = log::make_posix_filesystem();
    std::mutex mutex_;
    std::vector<std::string> refused_;
};

}  // namespace

TEST_SUITE("cluster.topic_deletion") {
    TEST_CASE("each partition directory records its topic id in partition.metadata, as Kafka's") {
        cluster_fixture f;
        f.create_topic({.name = "ids", .partitions = 2});
        for (int p = 0; p < 2; ++p) {
            CHECK(read_text(f.dir() + "/logs/ids-" + std::to_string(p) + "/partition.metadata") ==
                  "version: 0\ntopic_id: " + codec::to_string(f.topic_id("ids")));
        }
    }

    TEST_CASE("a deleted topic's directories are renamed <topic>-<partition>.<id>-delete at once") {
        cluster_fixture f;  // the default delay, 60 s: the renamed directories stay for the test
        f.create_topic({.name = "gone", .partitions = 2});
        REQUIRE(f.produce_error("gone", 0, simple_batch()) == 0);
        f.delete_topic("gone");
        CHECK(f.replicas().find("gone", 0) == nullptr);
        const std::string logs = f.dir() + "/logs";
        CHECK_FALSE(fs::exists(logs + "/gone-0"));
        CHECK_FALSE(fs::exists(logs + "/gone-1"));
        std::vector<std::string> retired = entries(logs, "gone-");
        REQUIRE(retired.size() == 2);
        for (const std::string& name : retired) {
            CAPTURE(name);
            // "gone-0." + 32 hex digits + "-delete"
            CHECK(name.size() ==
                  std::string("gone-0.").size() + 32 + std::string("-delete").size());
            CHECK(name.ends_with("-delete"));
        }
        // A stop leaves them; the next start removes them after the delay again.
        f.restart();
        CHECK(entries(logs, "gone-").size() == 2);
    }

    TEST_CASE("the renamed directories are removed after log.segment.delete.delay.ms") {
        cluster_fixture f(2, with_delete_delay("0"));
        f.create_topic({.name = "soon", .partitions = 3});
        REQUIRE(f.produce_error("soon", 2, simple_batch(5)) == 0);
        f.delete_topic("soon");
        CHECK(gone_eventually(f.dir() + "/logs", "soon-"));
    }

    TEST_CASE("a -delete directory found at start is removed") {
        cluster_fixture f(2, with_delete_delay("0"));
        const std::string left = f.dir() + "/logs/old-0.0123456789abcdef0123456789abcdef-delete";
        fs::create_directories(left);
        std::ofstream(left + "/00000000000000000000.log") << "x";
        f.restart();
        CHECK(gone_eventually(f.dir() + "/logs", "old-0."));
    }

    TEST_CASE("a topic created again under a deleted topic's name starts empty") {
        cluster_fixture f;
        f.create_topic({.name = "again"});
        REQUIRE(f.produce_error("again", 0, simple_batch(7)) == 0);
        const codec::uuid first = f.topic_id("again");
        f.delete_topic("again");
        f.create_topic({.name = "again"});
        CHECK_FALSE(f.topic_id("again") == first);
        CHECK(f.fetch_one("again", 0, 0).partition().high_watermark == 0);
        auto r = f.produce("again", 0, simple_batch(1));
        CHECK(r.responses.at(0).partition_responses.at(0).base_offset == 0);
        // The new log is not touched by the old one's removal either.
        f.restart();
        CHECK(f.fetch_one("again", 0, 0).partition().high_watermark == 1);
    }

    // A stop between a deletion and its rename (or a directory copied back by hand) leaves
    // a directory under the topic's name that holds another topic id's records.
    TEST_CASE("a directory that belongs to another topic id is set aside as -stray and kept") {
        cluster_fixture f;
        f.create_topic({.name = "twice"});
        REQUIRE(f.produce_error("twice", 0, simple_batch(4)) == 0);
        const std::string logs = f.dir() + "/logs";
        f.replicas().stop();
        fs::copy(logs + "/twice-0", f.dir() + "/saved", fs::copy_options::recursive);
        f.restart();
        f.delete_topic("twice");
        f.replicas().stop();
        for (const std::string& name : entries(logs, "twice-")) fs::remove_all(logs + "/" + name);
        fs::copy(f.dir() + "/saved", logs + "/twice-0", fs::copy_options::recursive);
        f.restart();
        // The start already found it: its topic id is in no partition of the metadata.
        CHECK_FALSE(fs::exists(logs + "/twice-0"));

        f.create_topic({.name = "twice"});
        CHECK(f.fetch_one("twice", 0, 0).partition().high_watermark == 0);
        std::vector<std::string> stray = entries(logs, "twice-0.");
        REQUIRE(stray.size() == 1);
        CHECK(stray[0].ends_with("-stray"));
        CHECK(fs::exists(logs + "/" + stray[0] + "/00000000000000000000.log"));
        CHECK(read_text(logs + "/twice-0/partition.metadata")
                  .find(codec::to_string(f.topic_id("twice"))) != std::string::npos);
    }

    TEST_CASE("at start, partition directories of no partition in the metadata become -stray") {
        cluster_fixture f;
        f.create_topic({.name = "live", .partitions = 2});
        REQUIRE(f.produce_error("live", 1, simple_batch(2)) == 0);
        f.replicas().stop();
        const std::string logs = f.dir() + "/logs";
        // An older Eddy's directory (no partition.metadata) of a topic the metadata lacks, and
        // one of a partition index the topic does not have.
        fs::copy(logs + "/live-1", logs + "/ghost-0", fs::copy_options::recursive);
        fs::remove(logs + "/ghost-0/partition.metadata");
        fs::copy(logs + "/live-1", logs + "/live-7", fs::copy_options::recursive);
        f.restart();
        CHECK_FALSE(fs::exists(logs + "/ghost-0"));
        CHECK_FALSE(fs::exists(logs + "/live-7"));
        CHECK(entries(logs, "ghost-0.").size() == 1);
        CHECK(entries(logs, "live-7.").size() == 1);
        // The topic's own partitions stay, with their records.
        CHECK(f.fetch_one("live", 1, 0).partition().high_watermark == 2);
        CHECK(fs::exists(logs + "/live-0"));
    }

    TEST_CASE("a log from before partition.metadata existed is kept and gets the file") {
        cluster_fixture f;
        f.create_topic({.name = "older"});
        REQUIRE(f.produce_error("older", 0, simple_batch(3)) == 0);
        f.replicas().stop();
        fs::remove(f.dir() + "/logs/older-0/partition.metadata");
        f.restart();
        CHECK(f.fetch_one("older", 0, 0).partition().high_watermark == 3);
        CHECK(fs::exists(f.dir() + "/logs/older-0/partition.metadata"));
    }

    TEST_CASE("DeleteRecords leaves segments as .deleted files until file.delete.delay.ms passes") {
        cluster_fixture f;
        // One batch per segment, so DeleteRecords can drop whole segments.
        f.create_topic({.name = "later", .configs = {{"segment.bytes", "300"}}});
        f.create_topic({.name = "soon", .configs = {{"segment.bytes", "300"}, {"file.delete.delay.ms", "0"}}});
        for (const char* topic : {"later", "soon"}) {
            for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error(topic, 0, simple_batch(1, 200)) == 0);
            auto d = f.delete_records(topic, 0, 2).topics.at(0).partitions.at(0);
            REQUIRE(d.error_code == 0);
            CHECK(d.low_watermark == 2);
        }
        // The default delay, 60 s, outlasts the test.
        CHECK(entries(f.dir() + "/logs/later-0", "00000000000000000000.log").size() == 1);
        CHECK(fs::exists(f.dir() + "/logs/later-0/00000000000000000000.log.deleted"));
        CHECK(fs::exists(f.dir() + "/logs/later-0/00000000000000000001.log.deleted"));
        CHECK(gone_eventually(f.dir() + "/logs/soon-0", "00000000000000000000."));
        CHECK(gone_eventually(f.dir() + "/logs/soon-0", "00000000000000000001."));
        CHECK(f.fetch_one("soon", 0, 2).partition().log_start_offset == 2);
    }

    TEST_CASE("a .deleted file that cannot be removed stays, and the partition keeps serving") {
        auto disk = std::make_shared<refusing_deleted_removal>();
        replica_manager_options o;
        o.fs = disk;
        cluster_fixture f(2, o);
        f.create_topic({.name = "stuck",
                        .configs = {{"segment.bytes", "300"}, {"file.delete.delay.ms", "0"}}});
        for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("stuck", 0, simple_batch(1, 200)) == 0);
        REQUIRE(f.delete_records("stuck", 0, 2).topics.at(0).partitions.at(0).error_code == 0);
        // The removal goes through the broker's filesystem layer, which refuses it.
        const std::string first = f.dir() + "/logs/stuck-0/00000000000000000000.log.deleted";
        const std::string second = f.dir() + "/logs/stuck-0/00000000000000000001.log.deleted";
        CHECK(eventually([&] {
            const std::vector<std::string> refused = disk->refused();
            return std::find(refused.begin(), refused.end(), first) != refused.end() &&
                   std::find(refused.begin(), refused.end(), second) != refused.end();
        }));
        CHECK(fs::exists(first));
        CHECK(fs::exists(second));
        REQUIRE(f.produce_error("stuck", 0, simple_batch(1, 200)) == 0);
        auto fetched = f.fetch_one("stuck", 0, 2);
        CHECK(fetched.partition().log_start_offset == 2);
        CHECK(fetched.partition().high_watermark == 4);
    }

    TEST_CASE("partition.metadata that does not parse is reported, never taken for an id") {
        log::memory_filesystem mfs;
        REQUIRE_FALSE(mfs.create_directories("/d"));
        CHECK_FALSE(read_partition_metadata(mfs, "/d").value().has_value());  // no file
        const codec::uuid id{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
        REQUIRE_FALSE(write_partition_metadata(mfs, "/d", id));
        CHECK(read_partition_metadata(mfs, "/d").value() == id);
        const auto put = [&](const std::string& text) {
            REQUIRE_FALSE(log::write_file_atomically(
                mfs, "/d", "partition.metadata",
                std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
        };
        // Kafka splits on whitespace runs and reads any version from 0 up.
        put("version:   1\ntopic_id:\t" + codec::to_string(id) + "\n");
        CHECK(read_partition_metadata(mfs, "/d").value() == id);
        const std::string text_id = codec::to_string(id);
        for (const std::string& bad : std::vector<std::string>{
                 "", "version: 0", "version: x\ntopic_id: " + text_id,
                 "version: -1\ntopic_id: " + text_id, "version: 0\ntopic_id: nope",
                 "version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA", "version: 0 1\ntopic_id: x",
                 "topic_id: " + text_id + "\nversion: 0"}) {
            CAPTURE(bad);
            put(bad);
            CHECK_FALSE(read_partition_metadata(mfs, "/d").has_value());
        }
    }
}

}  // namespace eddy::cluster::test
