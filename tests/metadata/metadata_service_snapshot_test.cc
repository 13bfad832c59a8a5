// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The metadata service writing snapshots as the log grows, and restarts rebuilding the same
// image from the newest snapshot (or an older one, when the newest is damaged); the metadata
// log directory's partition.metadata.
#include "raft/snapshot_path.h"
#include "run_here.h"
#include "server/metadata_service.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace eddy;
namespace fs = std::filesystem;

namespace {

// A metadata log directory of its own, removed at the end.
struct temp_dir {
    fs::path path;
    temp_dir() {
        static std::atomic<int> n{0};
        path = fs::temp_directory_path() /
               ("eddy_md_snapshot_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::remove_all(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    fs::path partition() const { return path / "__cluster_metadata-0"; }
};

server::metadata_service_options options(const fs::path& dir) {
    server::metadata_service_options o;
    o.node_id = 1;
    o.cluster_id = "snapshot-test";
    o.metadata_log_dir = dir.string();
    // Small, so a few operations write several snapshots.
    o.static_configs = {{"metadata.log.max.record.bytes.between.snapshots", "2048"}};
    o.self.listeners.push_back({"PLAINTEXT", "127.0.0.1", 9092, 0});
    return o;
}

template <class T>
T run(asio::awaitable<T> a) {
    return test::run_here(std::move(a));
}

msg::create_topics_request create(const std::string& name, int32_t partitions) {
    msg::create_topics_request r;
    msg::create_topics_request::creatable_topic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    t.configs.push_back({"retention.ms", std::to_string(1000 + partitions), {}});
    r.topics.push_back(std::move(t));
    r.timeout_ms = 30000;
    return r;
}

std::vector<fs::path> snapshot_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto p = raft::parse_snapshot_path(e.path().filename().string());
        if (p && !p->partial && !p->deleted) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// What must survive a restart: everything but this broker's own registration epoch, which
// a restart moves on.
void check_same_metadata(const metadata::metadata_image& a, const metadata::metadata_image& b) {
    CHECK(a.topics().size() == b.topics().size());
    for (const auto& [id, topic] : a.topics()) {
        const metadata::topic_image* other = b.topic(id);
        REQUIRE_MESSAGE(other != nullptr, topic->name);
        CHECK(*other == *topic);
    }
    CHECK(a.all_configs() == b.all_configs());
    CHECK(a.features() == b.features());
    REQUIRE(a.brokers().size() == b.brokers().size());
    for (const auto& [id, broker] : a.brokers()) {
        const metadata::broker_registration* other = b.broker(id);
        REQUIRE(other != nullptr);
        CHECK(other->endpoints == broker.endpoints);
        CHECK(other->incarnation_id == broker.incarnation_id);
        CHECK(other->fenced == broker.fenced);
    }
}

}  // namespace

TEST_SUITE("metadata.service_snapshot") {
    TEST_CASE("a restart rebuilds the same image from the newest snapshot and the log after it") {
        temp_dir dir;
        metadata::image_ptr before;
        {
            server::metadata_service service(options(dir.path));
            service.start();
            for (int i = 0; i < 40; ++i) {
                auto r =
                    run(service.create_topics(create("topic-" + std::to_string(i), 1 + i % 3), 7));
                REQUIRE(r.topics.at(0).error_code == 0);
            }
            msg::delete_topics_request del;
            del.topic_names = {"topic-3"};
            del.timeout_ms = 30000;
            REQUIRE(run(service.delete_topics(del, 5)).responses.at(0).error_code == 0);
            before = service.image();
            service.stop();
        }
        REQUIRE(before->topics().size() == 39);
        // Every 2 KiB of records a snapshot; only the two newest stay.
        CHECK(snapshot_files(dir.partition()).size() == 2);

        metadata::image_ptr after;
        {
            server::metadata_service service(options(dir.path));
            service.start();
            after = service.image();
            service.stop();
        }
        check_same_metadata(*before, *after);
        CHECK(after->topic("topic-3") == nullptr);
        CHECK(after->configs(metadata::resource_type::topic, "topic-7").at("retention.ms") ==
              "1002");

        SUBCASE("a damaged newest snapshot falls back to the older one") {
            const std::vector<fs::path> files = snapshot_files(dir.partition());
            REQUIRE_FALSE(files.empty());
            const auto size = fs::file_size(files.back());
            fs::resize_file(files.back(), size / 2);
            server::metadata_service service(options(dir.path));
            service.start();
            check_same_metadata(*before, *service.image());
            service.stop();
        }
        SUBCASE("without snapshots the whole log gives the same image") {
            for (const fs::path& f : snapshot_files(dir.partition())) fs::remove(f);
            server::metadata_service service(options(dir.path));
            service.start();
            check_same_metadata(*before, *service.image());
            service.stop();
        }
    }

    TEST_CASE(
        "a snapshot write interrupted by a crash leaves a partial file that start-up removes") {
        temp_dir dir;
        {
            server::metadata_service service(options(dir.path));
            service.start();
            service.stop();
        }
        const fs::path part = dir.partition() / raft::partial_snapshot_file_name({1000, 1});
        { std::ofstream(part) << "half a snapshot"; }
        server::metadata_service service(options(dir.path));
        service.start();
        CHECK_FALSE(fs::exists(part));
        CHECK(service.image()->broker(1) != nullptr);
        service.stop();
    }

    TEST_CASE("snapshot settings with Kafka's names are validated at start-up") {
        temp_dir dir;
        auto o = options(dir.path);
        o.static_configs["metadata.log.max.record.bytes.between.snapshots"] = "0";
        CHECK_THROWS(server::metadata_service(o));
        o = options(dir.path);
        o.static_configs["metadata.log.max.snapshot.interval.ms"] = "soon";
        CHECK_THROWS(server::metadata_service(o));
        o = options(dir.path);
        o.static_configs["metadata.log.segment.bytes"] = "1024";  // below the 8 MiB minimum
        CHECK_THROWS(server::metadata_service(o));
    }

    TEST_CASE("the metadata log directory names the metadata topic's id in partition.metadata") {
        temp_dir dir;
        const fs::path file = dir.partition() / "partition.metadata";
        auto text = [&] {
            std::ifstream in(file);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        {
            server::metadata_service service(options(dir.path));
            service.start();
            service.stop();
        }
        // Kafka's KafkaMetadataLog writes Topic.CLUSTER_METADATA_TOPIC_ID there.
        CHECK(text() == "version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ");

        SUBCASE("a restart keeps it") {
            server::metadata_service service(options(dir.path));
            service.start();
            CHECK(service.image()->broker(1) != nullptr);
            service.stop();
            CHECK(text() == "version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ");
        }
        SUBCASE("another topic's id stops start-up, as Kafka's InconsistentTopicIdException") {
            { std::ofstream(file, std::ios::trunc) << "version: 0\ntopic_id: 0JBEfc1-SVqelP9qyNCY0Q"; }
            server::metadata_service service(options(dir.path));
            CHECK_THROWS(service.start());
        }
        SUBCASE("a file that does not parse stops start-up") {
            { std::ofstream(file, std::ios::trunc) << "topic: metadata"; }
            server::metadata_service service(options(dir.path));
            CHECK_THROWS(service.start());
        }
    }
}
