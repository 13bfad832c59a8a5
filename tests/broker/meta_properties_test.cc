// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "broker/meta_properties.h"
#include "config/config_error.h"
#include "config/properties.h"

using namespace eddy;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("eddy_meta_" + std::to_string(::getpid()));
    temp_dir() { fs::remove_all(path); }
    ~temp_dir() { fs::remove_all(path); }
};
}  // namespace

TEST_SUITE("broker.meta_properties") {
    TEST_CASE("a new cluster id looks like Kafka's: 22 URL-safe base64 characters") {
        for (int i = 0; i < 100; ++i) {
            std::string id = broker::random_cluster_id();
            CHECK(id.size() == 22);
            CHECK(id.front() != '-');
            CHECK(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
        }
    }

    TEST_CASE("the cluster id is created once and kept across restarts") {
        temp_dir t;
        std::string dir = (t.path / "a").string();
        std::string first = broker::ensure_meta_properties({dir}, 1, std::nullopt);
        std::string second = broker::ensure_meta_properties({dir}, 1, std::nullopt);
        CHECK(first == second);
        auto props = config::load_properties_file(dir + "/meta.properties");
        CHECK(props.at("cluster.id") == first);
        CHECK(props.at("node.id") == "1");
        CHECK(props.at("version") == "1");
    }

    TEST_CASE("a configured cluster id is used for a new directory and every log dir gets the same one") {
        temp_dir t;
        std::string a = (t.path / "a").string(), b = (t.path / "b").string();
        CHECK(broker::ensure_meta_properties({a, b}, 2, std::string("my-cluster")) == "my-cluster");
        CHECK(config::load_properties_file(b + "/meta.properties").at("cluster.id") == "my-cluster");
    }

    TEST_CASE("a directory of another node or cluster is refused") {
        temp_dir t;
        std::string dir = (t.path / "a").string();
        broker::ensure_meta_properties({dir}, 1, std::string("c1"));
        CHECK_THROWS_AS(broker::ensure_meta_properties({dir}, 2, std::nullopt), config::config_error);
        CHECK_THROWS_AS(broker::ensure_meta_properties({dir}, 1, std::string("c2")), config::config_error);
    }
}
