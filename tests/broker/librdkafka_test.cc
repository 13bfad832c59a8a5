// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A stock client (librdkafka) against an in-process broker.
#include <doctest/doctest.h>

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "server/broker_server.h"

using namespace eddy;
namespace fs = std::filesystem;

namespace {

struct rdkafka_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};

std::unique_ptr<rd_kafka_t, rdkafka_deleter> make_client(uint16_t port) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    std::string servers = "127.0.0.1:" + std::to_string(port);
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", servers.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(rk != nullptr);
    return std::unique_ptr<rd_kafka_t, rdkafka_deleter>(rk);
}

}  // namespace

TEST_SUITE("broker.librdkafka") {
    TEST_CASE("librdkafka reads the broker, controller and cluster id from metadata") {
        fs::path dir = fs::temp_directory_path() / ("eddy_rdk_" + std::to_string(::getpid()));
        fs::remove_all(dir);
        auto cfg = config::config_from_properties(config::parse_properties(
            "node.id=3\nlisteners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=1\nlog.dirs=" + dir.string() + "\n"));
        server::broker_server server(cfg);
        uint16_t port = server.start().at(0).endpoint.port();
        {
            auto rk = make_client(port);
            const rd_kafka_metadata_t* md = nullptr;
            // The timeout only bounds a hang; the assertions are about content.
            REQUIRE(rd_kafka_metadata(rk.get(), 1, nullptr, &md, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
            REQUIRE(md->broker_cnt == 1);
            CHECK(md->brokers[0].id == 3);
            CHECK(std::string(md->brokers[0].host) == "127.0.0.1");
            CHECK(md->brokers[0].port == port);
            CHECK(md->topic_cnt == 0);
            rd_kafka_metadata_destroy(md);

            char* cluster_id = rd_kafka_clusterid(rk.get(), 30000);
            REQUIRE(cluster_id != nullptr);
            CHECK(std::string(cluster_id) == server.cluster_id());
            rd_kafka_mem_free(rk.get(), cluster_id);
            CHECK(rd_kafka_controllerid(rk.get(), 30000) == 3);
        }
        server.stop();
        fs::remove_all(dir);
    }
}
