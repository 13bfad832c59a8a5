// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The transaction apis over the wire, against an in-process broker: the answers Kafka gives
// to a producer's requests and to the admin requests, including the error cases librdkafka
// never provokes.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "eddy/error_code.h"
#include "eddy/msg/add_partitions_to_txn_request.h"
#include "eddy/msg/add_partitions_to_txn_response.h"
#include "eddy/msg/describe_transactions_request.h"
#include "eddy/msg/describe_transactions_response.h"
#include "eddy/msg/end_txn_request.h"
#include "eddy/msg/end_txn_response.h"
#include "eddy/msg/find_coordinator_request.h"
#include "eddy/msg/find_coordinator_response.h"
#include "eddy/msg/init_producer_id_request.h"
#include "eddy/msg/init_producer_id_response.h"
#include "eddy/msg/list_transactions_request.h"
#include "eddy/msg/list_transactions_response.h"
#include "eddy/msg/produce_request.h"
#include "eddy/msg/produce_response.h"
#include "batch_builder.h"
#include "kafka_client.h"
#include "rdkafka_client.h"
#include "error_code_value.h"

using namespace eddy;
using cluster::test::create_topic;
using cluster::test::make_client;
using cluster::test::rk_ptr;
using cluster::test::test_broker;

namespace {

bool retriable(int16_t e) {
    return e == code(error_code::coordinator_not_available) ||
           e == code(error_code::coordinator_load_in_progress) ||
           e == code(error_code::not_coordinator);
}

// Retries while the coordinator is being set up (the first FindCoordinator creates
// __transaction_state, which then loads); bounded only against a hang.
template <class Call>
auto until_ready(Call call) {
    auto r = call();
    for (int i = 0; i < 600 && retriable(r.error_code); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        r = call();
    }
    return r;
}

msg::add_partitions_to_txn_request::add_partitions_to_txn_topic topic_of(std::string name,
                                                                         std::vector<int32_t> ps) {
    msg::add_partitions_to_txn_request::add_partitions_to_txn_topic t;
    t.name = std::move(name);
    t.partitions = std::move(ps);
    return t;
}

// AddPartitionsToTxn v0-v3: the error of each partition, "topic-partition" -> code.
std::map<std::string, int16_t> add_v3(test::kafka_client& c, int16_t version, int64_t pid,
                                      int16_t epoch,
                                      std::vector<msg::add_partitions_to_txn_request::add_partitions_to_txn_topic> topics) {
    msg::add_partitions_to_txn_request req;
    req.v3_and_below_transactional_id = "raw";
    req.v3_and_below_producer_id = pid;
    req.v3_and_below_producer_epoch = epoch;
    req.v3_and_below_topics = std::move(topics);
    auto resp = c.call<msg::add_partitions_to_txn_response>(req, version);
    REQUIRE(resp);
    std::map<std::string, int16_t> out;
    for (const auto& t : resp->body.results_by_topic_v3_and_below)
        for (const auto& p : t.results_by_partition)
            out[t.name + "-" + std::to_string(p.partition_index)] = p.partition_error_code;
    return out;
}

// A Produce of one transactional batch per partition of `topic`, each as `batches` gives it
// (partition -> batch); the answers by partition.
std::map<int32_t, msg::produce_response::partition_produce_response> produce_txn(
    test::kafka_client& c, int16_t version, const std::string& transactional_id,
    const std::string& topic, const std::map<int32_t, std::vector<uint8_t>>& batches) {
    msg::produce_request r;
    r.transactional_id = transactional_id;
    r.acks = -1;
    r.timeout_ms = 30000;
    auto& t = r.topic_data.emplace_back();
    t.name = topic;
    for (const auto& [index, batch] : batches) {
        auto& p = t.partition_data.emplace_back();
        p.index = index;
        p.records = codec::bytes_view{batch.data(), batch.size(), false};
    }
    auto resp = c.call<msg::produce_response>(r, version);
    REQUIRE(resp);
    REQUIRE(resp->body.responses.size() == 1);
    std::map<int32_t, msg::produce_response::partition_produce_response> out;
    for (auto& p : resp->body.responses[0].partition_responses) out[p.index] = p;
    return out;
}

std::vector<uint8_t> txn_batch(int64_t pid, int16_t epoch, int32_t sequence) {
    return record::test::producer_batch(pid, epoch, sequence, 2, 1'700'000'000'000, true);
}

}  // namespace

TEST_SUITE("txn.protocol") {
    TEST_CASE("a transactional batch for a partition not in the transaction is refused (KIP-890)") {
        test_broker broker("transaction.state.log.num.partitions=1\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "ver", 3);
        }
        test::kafka_client c(broker.port());
        msg::init_producer_id_request init;
        init.transactional_id = "verified";
        init.transaction_timeout_ms = 60000;
        msg::find_coordinator_request find;
        find.key_type = 1;
        find.key = "verified";
        until_ready([&] {
            auto r = c.call<msg::find_coordinator_response>(find, 3);
            REQUIRE(r);
            return r->body;
        });
        auto id = until_ready([&] {
            auto r = c.call<msg::init_producer_id_response>(init, 4);
            REQUIRE(r);
            return r->body;
        });
        REQUIRE(id.error_code == 0);
        const int64_t pid = id.producer_id;
        msg::add_partitions_to_txn_request add;
        add.v3_and_below_transactional_id = "verified";
        add.v3_and_below_producer_id = pid;
        add.v3_and_below_producer_epoch = 0;
        add.v3_and_below_topics = {topic_of("ver", {0})};
        auto added = c.call<msg::add_partitions_to_txn_response>(add, 3);
        REQUIRE(added);

        // Partition 0 is in the transaction, 1 and 2 are not: v10 clients get
        // INVALID_TXN_STATE, v11 ones TRANSACTION_ABORTABLE, and nothing is written.
        auto first = produce_txn(c, 10, "verified", "ver", {{0, txn_batch(pid, 0, 0)}, {1, txn_batch(pid, 0, 0)}});
        CHECK(first[0].error_code == 0);
        CHECK(first[0].base_offset == 0);
        CHECK(first[1].error_code == code(error_code::invalid_txn_state));
        CHECK(first[1].error_message == "Partition was not added to the transaction");
        CHECK(first[1].base_offset == -1);
        auto v11 = produce_txn(c, 11, "verified", "ver", {{2, txn_batch(pid, 0, 0)}});
        CHECK(v11[2].error_code == code(error_code::transaction_abortable));
        // The open transaction on partition 0 takes more batches without asking again.
        CHECK(produce_txn(c, 11, "verified", "ver", {{0, txn_batch(pid, 0, 2)}})[0].error_code == 0);
        // Another epoch than the coordinator's: INVALID_PRODUCER_EPOCH (PRODUCER_FENCED mapped).
        CHECK(produce_txn(c, 11, "verified", "ver", {{1, txn_batch(pid, 3, 0)}})[1].error_code ==
              code(error_code::invalid_producer_epoch));
        // Two producers in one request: Kafka refuses every partition.
        auto two = produce_txn(c, 11, "verified", "ver", {{0, txn_batch(pid, 0, 4)}, {1, txn_batch(pid + 1, 0, 0)}});
        CHECK(two[0].error_code == code(error_code::invalid_producer_id_mapping));
        CHECK(two[1].error_code == code(error_code::invalid_producer_id_mapping));

        // Once added, partition 1 takes the batch, at offset 0: the refused ones left nothing.
        add.v3_and_below_topics = {topic_of("ver", {1})};
        REQUIRE(c.call<msg::add_partitions_to_txn_response>(add, 3));
        auto later = produce_txn(c, 11, "verified", "ver", {{1, txn_batch(pid, 0, 0)}});
        CHECK(later[1].error_code == 0);
        CHECK(later[1].base_offset == 0);

        // The commit ends the transaction everywhere it was written.
        msg::end_txn_request end;
        end.transactional_id = "verified";
        end.producer_id = pid;
        end.producer_epoch = 0;
        end.committed = true;
        auto ended = c.call<msg::end_txn_response>(end, 3);
        REQUIRE(ended);
        CHECK(ended->body.error_code == 0);
    }

    TEST_CASE("a transaction over the raw protocol: coordinator, producer id, partitions, describe, list, end") {
        test_broker broker("transaction.state.log.num.partitions=3\ntransaction.max.timeout.ms=60000\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "txt", 2);
        }
        test::kafka_client c(broker.port());

        // FindCoordinator for a transactional id: this broker, once the topic exists.
        msg::find_coordinator_request find;
        find.key_type = 1;
        find.key = "raw";
        auto found = until_ready([&] {
            auto r = c.call<msg::find_coordinator_response>(find, 3);
            REQUIRE(r);
            return r->body;
        });
        CHECK(found.error_code == 0);
        CHECK(found.port == broker.port());

        // InitProducerId: the timeout is checked first; then a producer id at epoch 0.
        msg::init_producer_id_request init;
        init.transactional_id = "raw";
        init.transaction_timeout_ms = 60001;
        auto bad = c.call<msg::init_producer_id_response>(init, 4);
        REQUIRE(bad);
        CHECK(bad->body.error_code == code(error_code::invalid_transaction_timeout));
        init.transactional_id = "";
        auto empty = c.call<msg::init_producer_id_response>(init, 4);
        REQUIRE(empty);
        CHECK(empty->body.error_code == code(error_code::invalid_request));
        init.transactional_id = "raw";
        init.transaction_timeout_ms = 60000;
        auto id = until_ready([&] {
            auto r = c.call<msg::init_producer_id_response>(init, 4);
            REQUIRE(r);
            return r->body;
        });
        REQUIRE(id.error_code == 0);
        CHECK(id.producer_id >= 0);
        CHECK(id.producer_epoch == 0);
        const int64_t pid = id.producer_id;

        // AddPartitionsToTxn: an unknown topic fails the request before the coordinator.
        auto unknown = add_v3(c, 3, pid, 0, {topic_of("txt", {0}), topic_of("nope", {0})});
        CHECK(unknown["nope-0"] == code(error_code::unknown_topic_or_partition));
        CHECK(unknown["txt-0"] == code(error_code::operation_not_attempted));
        // A stale epoch: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
        CHECK(add_v3(c, 3, pid, 5, {topic_of("txt", {0})})["txt-0"] == code(error_code::producer_fenced));
        CHECK(add_v3(c, 1, pid, 5, {topic_of("txt", {0})})["txt-0"] == code(error_code::invalid_producer_epoch));
        CHECK(add_v3(c, 3, pid, 0, {topic_of("txt", {0})})["txt-0"] == 0);

        // v4 verification (a partition leader asking): in the transaction or not.
        msg::add_partitions_to_txn_request verify;
        auto& vt = verify.transactions.emplace_back();
        vt.transactional_id = "raw";
        vt.producer_id = pid;
        vt.producer_epoch = 0;
        vt.verify_only = true;
        vt.topics.push_back(topic_of("txt", {0, 1}));
        auto verified = c.call<msg::add_partitions_to_txn_response>(verify, 4);
        REQUIRE(verified);
        REQUIRE(verified->body.results_by_transaction.size() == 1);
        const auto& vr = verified->body.results_by_transaction[0];
        CHECK(vr.transactional_id == "raw");
        REQUIRE(vr.topic_results.size() == 1);
        REQUIRE(vr.topic_results[0].results_by_partition.size() == 2);
        CHECK(vr.topic_results[0].results_by_partition[0].partition_error_code == 0);
        CHECK(vr.topic_results[0].results_by_partition[1].partition_error_code ==
              code(error_code::transaction_abortable));

        // DescribeTransactions: the ongoing transaction, an unknown id, an empty id.
        msg::describe_transactions_request describe;
        describe.transactional_ids = {"raw", "unknown", ""};
        auto described = c.call<msg::describe_transactions_response>(describe, 0);
        REQUIRE(described);
        REQUIRE(described->body.transaction_states.size() == 3);
        const auto& raw = described->body.transaction_states[0];
        CHECK(raw.error_code == 0);
        CHECK(raw.transaction_state == "Ongoing");
        CHECK(raw.producer_id == pid);
        CHECK(raw.transaction_timeout_ms == 60000);
        CHECK(raw.transaction_start_time_ms > 0);
        REQUIRE(raw.topics.size() == 1);
        CHECK(raw.topics[0].topic == "txt");
        CHECK(raw.topics[0].partitions == std::vector<int32_t>{0});
        CHECK(described->body.transaction_states[1].error_code ==
              code(error_code::transactional_id_not_found));
        CHECK(described->body.transaction_states[2].error_code == code(error_code::invalid_request));

        // ListTransactions with a known and an unknown state filter.
        msg::list_transactions_request list;
        list.state_filters = {"Ongoing", "Bogus"};
        auto listed = c.call<msg::list_transactions_response>(list, 1);
        REQUIRE(listed);
        CHECK(listed->body.error_code == 0);
        CHECK(listed->body.unknown_state_filters == std::vector<std::string>{"Bogus"});
        REQUIRE(listed->body.transaction_states.size() == 1);
        CHECK(listed->body.transaction_states[0].transactional_id == "raw");
        CHECK(listed->body.transaction_states[0].transaction_state == "Ongoing");

        // EndTxn: the abort is accepted (answered once PrepareAbort is durable); a commit
        // after it is the wrong outcome.
        msg::end_txn_request end;
        end.transactional_id = "raw";
        end.producer_id = pid;
        end.producer_epoch = 0;
        end.committed = false;
        auto ended = c.call<msg::end_txn_response>(end, 3);
        REQUIRE(ended);
        CHECK(ended->body.error_code == 0);
        end.committed = true;
        auto wrong = c.call<msg::end_txn_response>(end, 3);
        REQUIRE(wrong);
        CHECK(wrong->body.error_code == code(error_code::invalid_txn_state));
    }
}
