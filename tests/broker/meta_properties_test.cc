// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "broker/meta_properties.h"
#include "config/config_error.h"
#include "config/properties.h"
#include "eddy/codec/uuid_text.h"

using namespace eddy;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("eddy_meta_" + std::to_string(::getpid()));
    temp_dir() { fs::remove_all(path); }
    ~temp_dir() { fs::remove_all(path); }
};

void write_file(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// A uuid from its two Java longs, as Kafka's Uuid(msb, lsb).
codec::uuid uuid_of(uint64_t msb, uint64_t lsb) {
    codec::uuid id;
    for (int i = 0; i < 8; ++i) {
        id.bytes[i] = static_cast<uint8_t>(msb >> (56 - 8 * i));
        id.bytes[8 + i] = static_cast<uint8_t>(lsb >> (56 - 8 * i));
    }
    return id;
}
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
        std::string first = broker::ensure_meta_properties({dir}, 1, std::nullopt).cluster_id;
        std::string second = broker::ensure_meta_properties({dir}, 1, std::nullopt).cluster_id;
        CHECK(first == second);
        auto props = config::load_properties_file(dir + "/meta.properties");
        CHECK(props.at("cluster.id") == first);
        CHECK(props.at("node.id") == "1");
        CHECK(props.at("version") == "1");
    }

    TEST_CASE("a configured cluster id is used for a new directory and every log dir gets the same one") {
        temp_dir t;
        std::string a = (t.path / "a").string(), b = (t.path / "b").string();
        CHECK(broker::ensure_meta_properties({a, b}, 2, std::string("my-cluster")).cluster_id == "my-cluster");
        CHECK(config::load_properties_file(b + "/meta.properties").at("cluster.id") == "my-cluster");
    }

    TEST_CASE("a directory of another node or cluster is refused") {
        temp_dir t;
        std::string dir = (t.path / "a").string();
        broker::ensure_meta_properties({dir}, 1, std::string("c1"));
        CHECK_THROWS_AS(broker::ensure_meta_properties({dir}, 2, std::nullopt), config::config_error);
        CHECK_THROWS_AS(broker::ensure_meta_properties({dir}, 1, std::string("c2")), config::config_error);
    }

    TEST_CASE("every log dir gets its own directory.id, kept across restarts") {
        temp_dir t;
        std::string a = (t.path / "a").string(), b = (t.path / "b").string();
        broker::log_dir_identity first = broker::ensure_meta_properties({a, b}, 1, std::nullopt);
        REQUIRE(first.directory_ids.size() == 2);
        CHECK(first.directory_ids[0] != first.directory_ids[1]);
        for (size_t i = 0; i < 2; ++i) {
            const codec::uuid& id = first.directory_ids[i];
            CHECK_FALSE(broker::reserved_directory_id(id));
            auto props = config::load_properties_file((i == 0 ? a : b) + "/meta.properties");
            CHECK(props.at("directory.id") == codec::to_string(id));
            CHECK(props.at("directory.id").front() != '-');
        }
        CHECK(broker::ensure_meta_properties({a, b}, 1, std::nullopt).directory_ids == first.directory_ids);
    }

    TEST_CASE("a meta.properties without directory.id, as Kafka before 3.7 wrote it, gets one") {
        temp_dir t;
        write_file(t.path / "a/meta.properties",
                   "#\n#Thu Nov 21 10:00:00 UTC 2024\nnode.id=3\nversion=1\ncluster.id=old-cluster\n");
        broker::log_dir_identity id = broker::ensure_meta_properties({(t.path / "a").string()}, 3, std::nullopt);
        CHECK(id.cluster_id == "old-cluster");
        auto props = config::load_properties_file((t.path / "a/meta.properties").string());
        CHECK(props.at("cluster.id") == "old-cluster");
        CHECK(props.at("node.id") == "3");
        CHECK(props.at("version") == "1");
        REQUIRE(id.directory_ids.size() == 1);
        CHECK(props.at("directory.id") == codec::to_string(id.directory_ids[0]));
    }

    TEST_CASE("a directory.id of Kafka's is read as it is") {
        temp_dir t;
        write_file(t.path / "a/meta.properties",
                   "node.id=1\ndirectory.id=WxMKHWlWQ7mjaUNMVo7JAA\nversion=1\ncluster.id=c\n");
        broker::log_dir_identity id = broker::ensure_meta_properties({(t.path / "a").string()}, 1, std::nullopt);
        REQUIRE(id.directory_ids.size() == 1);
        CHECK(codec::to_string(id.directory_ids[0]) == "WxMKHWlWQ7mjaUNMVo7JAA");
    }

    TEST_CASE("one dir named twice has one directory.id") {
        temp_dir t;
        std::string a = (t.path / "a").string();
        broker::log_dir_identity id = broker::ensure_meta_properties({a, a + "/"}, 1, std::nullopt);
        REQUIRE(id.directory_ids.size() == 2);
        CHECK(id.directory_ids[0] == id.directory_ids[1]);
        CHECK(config::load_properties_file(a + "/meta.properties").at("directory.id") ==
              codec::to_string(id.directory_ids[0]));
    }

    TEST_CASE("a malformed, reserved or shared directory.id is refused") {
        temp_dir t;
        const std::string head = "version=1\ncluster.id=c\nnode.id=1\n";
        write_file(t.path / "bad/meta.properties", head + "directory.id=not-a-uuid\n");
        CHECK_THROWS_AS(broker::ensure_meta_properties({(t.path / "bad").string()}, 1, std::nullopt),
                        config::config_error);
        // Uuid(0, 1) is DirectoryId.UNASSIGNED.
        write_file(t.path / "reserved/meta.properties", head + "directory.id=" + codec::to_string(uuid_of(0, 1)) + "\n");
        CHECK_THROWS_AS(broker::ensure_meta_properties({(t.path / "reserved").string()}, 1, std::nullopt),
                        config::config_error);
        write_file(t.path / "x/meta.properties", head + "directory.id=WxMKHWlWQ7mjaUNMVo7JAA\n");
        write_file(t.path / "y/meta.properties", head + "directory.id=WxMKHWlWQ7mjaUNMVo7JAA\n");
        CHECK_THROWS_AS(broker::ensure_meta_properties({(t.path / "x").string(), (t.path / "y").string()}, 1,
                                                       std::nullopt),
                        config::config_error);
    }

    TEST_CASE("the reserved directory ids are Kafka's: high half 0, low half below 100 as a signed long") {
        CHECK(broker::reserved_directory_id(uuid_of(0, 0)));
        CHECK(broker::reserved_directory_id(uuid_of(0, 2)));
        CHECK(broker::reserved_directory_id(uuid_of(0, 99)));
        CHECK_FALSE(broker::reserved_directory_id(uuid_of(0, 100)));
        CHECK(broker::reserved_directory_id(uuid_of(0, 0x8000000000000000ULL)));
        CHECK_FALSE(broker::reserved_directory_id(uuid_of(1, 0)));
    }
}
