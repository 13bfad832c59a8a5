// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// End to end: a broker in this process with a low snapshot threshold creates many topics
// over the wire, is restarted on the same directory, and still lists them all.
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "kafka_client.h"
#include "config/properties.h"
#include "log/file_names.h"
#include "eddy/codec/uuid_text.h"
#include "raft/snapshot_path.h"
#include "server/broker_server.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>

using namespace eddy;
namespace fs = std::filesystem;

namespace {

// A broker on 127.0.0.1 (an OS-chosen port) whose data dir outlives restarts.
struct restartable_broker {
    fs::path dir = fs::temp_directory_path() / ("eddy_snapshot_e2e_" + std::to_string(::getpid()));
    std::unique_ptr<server::broker_server> server;
    uint16_t port = 0;

    restartable_broker() {
        fs::remove_all(dir);
        start();
    }
    ~restartable_broker() {
        stop();
        fs::remove_all(dir);
    }
    void start() {
        // A snapshot every 4 KiB of metadata records, and 16 KiB metadata segments (allowed
        // by lowering Kafka's testing-only minimum), so old segments get deleted too.
        config::properties props = config::parse_properties(
            "listeners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=1\nlog.dirs=" + dir.string() +
            "\nmetadata.log.max.record.bytes.between.snapshots=4096"
            "\nmetadata.log.segment.min.bytes=1024\nmetadata.log.segment.bytes=16384\n");
        server =
            std::make_unique<server::broker_server>(config::config_from_properties(props), props);
        port = server->start().at(0).endpoint.port();
    }
    void stop() {
        if (server) server->stop();
        server.reset();
    }
    fs::path metadata_dir() const { return dir / "__cluster_metadata-0"; }
};

std::vector<std::string> topic_names(const msg::metadata_response& md) {
    std::vector<std::string> out;
    for (const auto& t : md.topics) {
        if (t.error_code == 0 && t.name) out.push_back(*t.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

msg::metadata_response all_topics(test::kafka_client& c) {
    msg::metadata_request all;
    all.topics = std::nullopt;
    auto md = c.call<msg::metadata_response>(all, 12);
    REQUIRE(md);
    return md->body;
}

size_t count_files(const fs::path& dir, bool snapshots) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (snapshots ? raft::parse_snapshot_path(name).has_value()
                      : name.size() > 4 && name.substr(name.size() - 4) == ".log") {
            ++n;
        }
    }
    return n;
}

}  // namespace

TEST_SUITE("metadata.broker_restart") {
    TEST_CASE("every topic created before a restart is listed after it, with snapshots on") {
        restartable_broker b;
        std::vector<std::string> expected;
        {
            test::kafka_client c(b.port);
            // 30 requests of 10 topics: many batches, several snapshots.
            for (int r = 0; r < 30; ++r) {
                msg::create_topics_request req;
                req.timeout_ms = 30000;
                for (int i = 0; i < 10; ++i) {
                    msg::create_topics_request::creatable_topic t;
                    t.name = "t" + std::to_string(r) + "-" + std::to_string(i);
                    t.num_partitions = 1 + i % 2;
                    t.replication_factor = 1;
                    expected.push_back(t.name);
                    req.topics.push_back(std::move(t));
                }
                auto created = c.call<msg::create_topics_response>(req, 7);
                REQUIRE(created);
                for (const auto& t : created->body.topics) REQUIRE(t.error_code == 0);
            }
            std::sort(expected.begin(), expected.end());
            CHECK(topic_names(all_topics(c)) == expected);
        }
        CHECK(count_files(b.metadata_dir(), true) == 2);
        // The first segments lie below the older kept snapshot and are gone.
        CHECK_FALSE(fs::exists(b.metadata_dir() / log::segment_file_name(0, ".log")));

        b.stop();
        b.start();
        test::kafka_client c(b.port);
        msg::metadata_response md = all_topics(c);
        CHECK(topic_names(md) == expected);
        for (const auto& t : md.topics) {
            const int expected_partitions = t.name->back() % 2 == 0 ? 1 : 2;  // i even: 1
            CHECK(static_cast<int>(t.partitions.size()) == expected_partitions);
        }
    }

    TEST_CASE("the broker registers its log dir's directory.id, and new partitions name it") {
        restartable_broker b;
        const std::string stored =
            config::load_properties_file((b.dir / "meta.properties").string()).at("directory.id");
        {
            test::kafka_client c(b.port);
            msg::create_topics_request req;
            req.timeout_ms = 30000;
            msg::create_topics_request::creatable_topic t;
            t.name = "dirs";
            t.num_partitions = 2;
            t.replication_factor = 1;
            req.topics.push_back(std::move(t));
            auto created = c.call<msg::create_topics_response>(req, 7);
            REQUIRE(created);
            REQUIRE(created->body.topics.at(0).error_code == 0);
        }
        for (int round = 0; round < 2; ++round) {
            CAPTURE(round);  // 1: after a restart
            metadata::image_ptr image = b.server->image();
            REQUIRE(image->brokers().size() == 1);
            const metadata::broker_registration& self = image->brokers().begin()->second;
            REQUIRE(self.log_dirs.size() == 1);
            CHECK(codec::to_string(self.log_dirs[0]) == stored);
            const metadata::topic_image* topic = image->topic("dirs");
            REQUIRE(topic != nullptr);
            for (const auto& [id, p] : topic->partitions) {
                REQUIRE(p.directories.size() == 1);
                CHECK(codec::to_string(p.directories[0]) == stored);
            }
            b.stop();
            b.start();
        }
    }
}
