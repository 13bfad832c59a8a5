// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A controller over a bootstrapped cluster, and helpers that build requests.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "controller/controller.h"
#include "metadata/snapshot.h"
#include "eddy/codec/uuid_text.h"
#include "error_code_value.h"

namespace eddy::controller_test {

using controller::controller_options;
using metadata::versioned_record;

// A controller for node 1 whose image holds metadata.version and `brokers` registered,
// unfenced brokers (ids 1..n). Every operation's records are replayed through commit().
struct cluster {
    controller::controller c;
    std::vector<versioned_record> log;  // everything committed, in order

    explicit cluster(controller::static_config statics = {}, int brokers = 1, uint64_t seed = 7)
        : c(make_options(std::move(statics), seed)) {
        commit(c.bootstrap_records());
        for (int id = 1; id <= brokers; ++id) add_broker(id);
    }

    explicit cluster(std::initializer_list<std::pair<const std::string, std::string>> statics,
                     int brokers = 1, uint64_t seed = 7)
        : cluster(controller::static_config(statics), brokers, seed) {}

    static controller_options make_options(controller::static_config statics, uint64_t seed) {
        controller_options o;
        o.node_id = 1;
        o.cluster_id = "test-cluster";
        o.static_configs = std::move(statics);
        o.seed = seed;
        return o;
    }

    void add_broker(int32_t id, bool unfence = true) {
        controller::broker_registration_request req;
        req.broker_id = id;
        req.incarnation_id.bytes[0] = static_cast<uint8_t>(id);
        req.listeners.push_back({"PLAINTEXT", "localhost", static_cast<uint16_t>(9091 + id), 0});
        req.log_dirs.push_back(codec::uuid{});
        req.log_dirs.back().bytes[1] = static_cast<uint8_t>(id);
        auto reg = c.register_broker(req);
        REQUIRE(reg.response.error_code == 0);
        commit(reg.records);
        if (unfence) {
            auto u = c.unfence_broker(id, reg.response.broker_epoch);
            REQUIRE(u.response == 0);
            commit(u.records);
        }
    }

    void commit(const std::vector<versioned_record>& records) {
        auto status = c.replay(records);
        REQUIRE_MESSAGE(status.ok(), status.error);
        log.insert(log.end(), records.begin(), records.end());
    }

    const metadata::metadata_image& image() const { return *c.image(); }
};

inline msg::create_topics_request::creatable_topic topic(std::string name, int32_t partitions = 1,
                                                         int16_t rf = 1) {
    msg::create_topics_request::creatable_topic t;
    t.name = std::move(name);
    t.num_partitions = partitions;
    t.replication_factor = rf;
    return t;
}

inline msg::create_topics_request create(std::vector<msg::create_topics_request::creatable_topic> topics,
                                         bool validate_only = false) {
    msg::create_topics_request r;
    r.topics = std::move(topics);
    r.validate_only = validate_only;
    return r;
}

inline void with_config(msg::create_topics_request::creatable_topic& t, std::string name,
                        std::optional<std::string> value) {
    msg::create_topics_request::creatable_topic_config c;
    c.name = std::move(name);
    c.value = std::move(value);
    t.configs.push_back(std::move(c));
}

// Creates topics and commits them; returns the response.
inline msg::create_topics_response create_and_commit(
    cluster& k, std::vector<msg::create_topics_request::creatable_topic> topics) {
    auto r = k.c.create_topics(create(std::move(topics)), 7, 0);
    k.commit(r.records);
    return r.response;
}

template <class T>
size_t count_records(const std::vector<versioned_record>& records) {
    size_t n = 0;
    for (const auto& r : records) n += std::holds_alternative<T>(r.record) ? 1 : 0;
    return n;
}

}  // namespace eddy::controller_test
