// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What the parts of one coordinator shard share: settings, the time of the call being
// handled, timers, the records written so far and the replies waiting to be made.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "group/classic_group.h"
#include "group/coordinator_shard.h"
#include "group/timer_queue.h"

namespace eddy::group {

// Lives on: the shard's executor.
struct shard_context {
    explicit shard_context(coordinator_config c);

    coordinator_config config;
    // The time of the call being handled; every public entry point sets it first.
    int64_t now_ms = 0;
    timer_queue timers;
    outbox replies;
    std::vector<coordinator_record> records;
    // The replay path of the shard, through which records that change durable state
    // (offsets, deletions) are applied as they are written.
    std::function<void(const coordinator_record&)> apply;

    // Writes a record; applies it too when `apply_now`. Group metadata values are written
    // without being applied, as Kafka does: the live group already holds that state and
    // more (parked replies, timers) that a replayed record would wipe.
    void append(coordinator_record record, bool apply_now);
    // A random (version 4) UUID in Java's UUID.toString() form.
    std::string random_uuid();
    // A random Kafka Uuid in its toString() form (22 characters of unpadded base64url),
    // never one that starts with '-': Kafka's Uuid.randomUuid(), which names KIP-848 members.
    std::string random_kafka_uuid();
    // Makes every queued reply.
    void flush_replies();

private:
    std::mt19937_64 rng_;
};

}  // namespace eddy::group
