// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "controller/config_defs.h"
#include "controller/effective_config.h"

using namespace eddy;
using namespace eddy::controller;

namespace {
parsed_value parse(std::string_view name, std::string_view value) {
    const config_def* def = find_topic_config(name);
    REQUIRE(def != nullptr);
    return parse_config_value(*def, value);
}
}  // namespace

TEST_SUITE("controller.config_values") {
    TEST_CASE("values are trimmed and printed as Kafka prints them") {
        CHECK(parse("retention.ms", " 1000 ").value == "1000");
        CHECK(parse("retention.ms", "+5").value == "5");
        CHECK(parse("preallocate", "TRUE").value == "true");
        CHECK(parse("cleanup.policy", " delete ").value == "delete");
        CHECK(parse("cleanup.policy", "").value == "");
        CHECK(parse("min.cleanable.dirty.ratio", "0.25").value == "0.25");
        CHECK(parse("min.cleanable.dirty.ratio", "1").value == "1.0");
        CHECK(parse("min.cleanable.dirty.ratio", "1e-4").value == "1.0E-4");
    }

    TEST_CASE("validators refuse with ConfigDef's messages") {
        CHECK(parse("compression.gzip.level", "0").error ==
              "Invalid value 0 for configuration compression.gzip.level: Value must be between 1 "
              "and 9 or equal to -1");
        CHECK(parse("compression.gzip.level", "-1").value == "-1");
        CHECK(parse("compression.zstd.level", "23").error ==
              "Invalid value 23 for configuration compression.zstd.level: Value must be no more "
              "than 22");
        CHECK(parse("compression.type", "brotli").error ==
              "Invalid value brotli for configuration compression.type: String must be one of: "
              "uncompressed, zstd, lz4, snappy, gzip, producer");
        CHECK(parse("leader.replication.throttled.replicas", "*").value == "*");
        CHECK(parse("leader.replication.throttled.replicas", "0:1, 2:3").value == "0:1,2:3");
        CHECK_FALSE(parse("leader.replication.throttled.replicas", "x").value.has_value());
        CHECK(parse("message.format.version", "3.0-IV1").value == "3.0-IV1");
        CHECK(parse("message.format.version", "0.10.2").value == "0.10.2");
        CHECK(parse("message.format.version", "banana").error ==
              "Invalid value banana for configuration message.format.version: Version banana is "
              "not a valid version");
        // Kafka's MetadataVersion.fromVersionString: known versions, their releases, and
        // anything after the release's parts.
        for (const char* good : {"0.8.0", "0.10.0-IV1", "0.10.2.1", "2.8", "3.0.5", "3.7-IV4", "4.0"})
            CHECK(parse("message.format.version", good).value == good);
        for (const char* bad : {"9.9", "3.0-IV9", "0.10", "3.0.", "0.7.0", "3"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse("message.format.version", bad).value.has_value());
        }
        CHECK(parse("segment.ms", "1.5").error ==
              "Invalid value 1.5 for configuration segment.ms: Not a number of type LONG");
    }

    TEST_CASE("the topic and broker tables are sorted and carry Kafka's defaults") {
        auto topics = topic_config_defs();
        for (size_t i = 1; i < topics.size(); ++i) CHECK(topics[i - 1].name < topics[i].name);
        auto brokers = broker_config_defs();
        for (size_t i = 1; i < brokers.size(); ++i) CHECK(brokers[i - 1].name < brokers[i].name);
        CHECK(find_topic_config("segment.bytes")->default_value == "1073741824");
        CHECK(find_topic_config("max.message.bytes")->default_value == "1048588");
        CHECK(find_broker_config("log.retention.hours")->default_value == "168");
        CHECK(find_broker_config("num.partitions")->default_value == "1");
        CHECK(find_broker_config("no.such") == nullptr);
        // Every broker synonym of a topic config is in the broker table.
        for (const auto& def : topics) {
            for (const auto& s : def.synonyms) CHECK_MESSAGE(find_broker_config(s.name), s.name);
        }
    }

    TEST_CASE("effective topic configs fold in broker synonyms with their units") {
        metadata::config_map none;
        metadata::config_map overrides{{"segment.bytes", "1000"}};
        std::map<std::string, std::string, std::less<>> statics{{"log.retention.minutes", "2"},
                                                                {"log.roll.hours", "1"}};
        broker_layers layers{none, none, statics};
        auto eff = effective_topic_configs(overrides, layers);
        CHECK(eff.at("retention.ms") == "120000");
        CHECK(eff.at("segment.ms") == "3600000");
        CHECK(eff.at("segment.bytes") == "1000");
        CHECK(eff.at("cleanup.policy") == "delete");
        CHECK(eff.size() == topic_config_defs().size());
    }
}
