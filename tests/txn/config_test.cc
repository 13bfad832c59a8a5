// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The transaction coordinator's broker settings: Kafka's names, defaults and bounds, read
// at startup and listed by DescribeConfigs.
#include <doctest/doctest.h>

#include "config/broker_config.h"
#include "config/config_error.h"
#include "controller/config_defs.h"

using namespace eddy;

TEST_SUITE("txn.config") {
    TEST_CASE("the transaction settings start at Kafka's defaults and take server.properties values") {
        config::broker_config d = config::config_from_properties({});
        CHECK(d.transaction_max_timeout_ms == 900000);
        CHECK(d.transactional_id_expiration_ms == 604800000);
        CHECK(d.transaction_abort_timed_out_transaction_cleanup_interval_ms == 10000);
        CHECK(d.transaction_remove_expired_transaction_cleanup_interval_ms == 3600000);
        CHECK(d.transaction_state_log_num_partitions == 50);
        CHECK(d.transaction_state_log_replication_factor == 3);
        CHECK(d.transaction_state_log_min_isr == 2);
        CHECK(d.transaction_state_log_segment_bytes == 104857600);
        CHECK(d.transaction_state_log_load_buffer_size == 5242880);

        config::properties p;
        p["transaction.max.timeout.ms"] = "60000";
        p["transaction.state.log.num.partitions"] = "3";
        p["transaction.state.log.replication.factor"] = "1";
        config::broker_config c = config::config_from_properties(p);
        CHECK(c.transaction_max_timeout_ms == 60000);
        CHECK(c.transaction_state_log_num_partitions == 3);
        CHECK(c.transaction_state_log_replication_factor == 1);
    }

    TEST_CASE("a transaction setting below 1 is refused as Kafka words it") {
        config::properties p;
        p["transaction.state.log.num.partitions"] = "0";
        CHECK_THROWS_WITH_AS(config::config_from_properties(p),
                             "Invalid value 0 for configuration transaction.state.log.num.partitions: "
                             "Value must be at least 1",
                             config::config_error);
    }

    TEST_CASE("DescribeConfigs knows every transaction setting with Kafka's default") {
        const std::pair<const char*, const char*> expected[] = {
            {"transaction.max.timeout.ms", "900000"},
            {"transactional.id.expiration.ms", "604800000"},
            {"transaction.abort.timed.out.transaction.cleanup.interval.ms", "10000"},
            {"transaction.remove.expired.transaction.cleanup.interval.ms", "3600000"},
            {"transaction.state.log.num.partitions", "50"},
            {"transaction.state.log.replication.factor", "3"},
            {"transaction.state.log.min.isr", "2"},
            {"transaction.state.log.segment.bytes", "104857600"},
            {"transaction.state.log.load.buffer.size", "5242880"},
        };
        for (const auto& [name, value] : expected) {
            const controller::config_def* def = controller::find_broker_config(name);
            REQUIRE_MESSAGE(def != nullptr, name);
            CHECK(def->default_value == value);
        }
    }
}
