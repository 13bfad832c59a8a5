// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the librdkafka consumer-group scenarios (groups, cooperative, groups_recovery): the data set of
// compat/lib/groups.py (read its docstring), the tally of what was consumed, producing a phase, consumers,
// and waiting. A scenario defines PHASES (how many phases of records it produces) and poll_members() (what
// WAIT runs until its condition holds), then includes this after common.h.
#pragma once

#include <inttypes.h>
#include <time.h>

#include "common.h"

#ifndef PHASES
#error "define PHASES before including groups.h"
#endif

#define PARTITIONS 6
#define MAX_PARTITIONS 16
#define PER_PHASE 20
#define DEADLINE_S 60  // any single wait; only a hung test reaches it

static const char *bootstrap, *topic_name;
static int partitions;
static int count[MAX_PARTITIONS][PHASES * PER_PHASE];  // times each record was consumed
static int record_problems;
static const int from_start[MAX_PARTITIONS];  // every partition from offset 0

static void poll_members(void);

static void record_key(char *out, size_t size, int phase, int p, int i) { snprintf(out, size, "k%d-p%d-%04d", phase, p, i); }

// The name of this run's topic (and group): compat-<kind>-librdkafka-<run id>.
static void run_name(char *out, size_t size, const char *kind) {
  const char *run_id = getenv("COMPAT_RUN_ID");
  snprintf(out, size, "compat-%s-librdkafka-%s", kind, run_id && *run_id ? run_id : "manual");
}

// The start of a scenario on compat/run's broker: its bootstrap, and this run's topic (and group) name in
// topic_name.
__attribute__((unused)) static void begin(int argc, char **argv, const char *kind) {
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;  // for the metadata scenario
  bootstrap = expect.bootstrap;
  static char name[128];
  run_name(name, sizeof(name), kind);
  topic_name = name;
  printf("librdkafka %s; topic and group %s\n", rd_kafka_version_str(), name);
}

__attribute__((unused)) static int broker_is_mock(void) {
  const char *kind = getenv("COMPAT_BROKER_KIND");
  return kind && strcmp(kind, "mock") == 0;
}

static rd_kafka_t *new_admin(void) {
  char errstr[256];
  rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, compat_new_conf(bootstrap, "eddy-compat-admin"), errstr, sizeof(errstr));
  if (!admin) compat_fail("rd_kafka_new: %s", errstr);
  return admin;
}

// The partitions topic_name has (the mock cluster creates topics with its own count).
__attribute__((unused)) static int partition_count(rd_kafka_t *rk) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic_name, NULL);
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
  if (err) compat_fail("metadata: %s", rd_kafka_err2str(err));
  int n = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  if (n < 1 || n > MAX_PARTITIONS) compat_fail("%s has %d partitions", topic_name, n);
  return n;
}

__attribute__((unused)) static void delete_topic(rd_kafka_t *admin, const char *name) {
  rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(name);
  rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
  rd_kafka_DeleteTopics(admin, &dt, 1, NULL, q);
  rd_kafka_event_destroy(compat_admin_wait(q, "DeleteTopics"));
  rd_kafka_queue_destroy(q);
  rd_kafka_DeleteTopic_destroy(dt);
}

// Phase `phase` of the data set: PER_PHASE records in each partition of topic_name, all acknowledged.
static void produce(int phase) {
  rd_kafka_conf_t *conf = compat_new_conf(bootstrap, "eddy-compat");
  compat_set(conf, "acks", "all");
  compat_set(conf, "max.in.flight", "1");
  compat_set(conf, "message.timeout.ms", "30000");
  char errstr[256];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new: %s", errstr);
  for (int p = 0; p < partitions; p++) {
    for (int i = 0; i < PER_PHASE; i++) {
      char key[32], value[40];
      record_key(key, sizeof(key), phase, p, i);
      snprintf(value, sizeof(value), "%s:v", key);
      rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic_name), RD_KAFKA_V_PARTITION(p),
                                                  RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(value, strlen(value)),
                                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err) compat_fail("producev: %s", rd_kafka_err2str(err));
    }
  }
  if (rd_kafka_flush(rk, DEADLINE_S * 1000)) compat_fail("produce phase %d to %s: records undelivered", phase, topic_name);
  rd_kafka_destroy(rk);
  printf("produced phase %d: %d records in each of %d partitions of %s\n", phase, PER_PHASE, partitions, topic_name);
}

// ---- the tally of what was consumed (one topic at a time)

// One consumed record: counted, its key checked, and it must come from a partition its consumer holds.
static void tally(const char *who, unsigned holder, int p, int64_t offset, const char *key, size_t key_len) {
  if (p < 0 || p >= partitions || offset < 0 || offset >= PHASES * PER_PHASE) {
    compat_problem("%s: unexpected record at partition %d offset %" PRId64, who, p, offset);
    return;
  }
  count[p][offset]++;
  char want[32];
  record_key(want, sizeof(want), (int)offset / PER_PHASE, p, (int)offset % PER_PHASE);
  if ((key_len != strlen(want) || memcmp(key, want, key_len) != 0) && record_problems++ < 5)
    compat_problem("partition %d offset %" PRId64 ": key '%.*s', expected '%s'", p, offset, (int)key_len, key, want);
  if (!(holder & (1u << p)) && record_problems++ < 5) compat_problem("%s got partition %d outside its assignment", who, p);
}

// Every record at offsets [from[p], to) of each partition p consumed, at least once.
static int consumed(const int *from, int to) {
  for (int p = 0; p < partitions; p++)
    for (int o = from[p]; o < to; o++)
      if (!count[p][o]) return 0;
  return 1;
}

// ... and exactly once, and no other record at all.
static void exactly_once(const char *what, const int *from, int to) {
  int missing = 0, twice = 0, extra = 0;
  for (int p = 0; p < partitions; p++) {
    for (int o = 0; o < PHASES * PER_PHASE; o++) {
      int wanted = o >= from[p] && o < to;
      missing += wanted && count[p][o] == 0;
      twice += count[p][o] > 1;
      extra += !wanted && count[p][o] > 0;
    }
  }
  printf("%s: %d records never consumed, %d more than once, %d that should not have been\n", what, missing, twice, extra);
  if (missing || twice || extra)
    compat_problem("%s: %d records never consumed, %d more than once, %d that should not have been", what, missing,
                   twice, extra);
}

// ---- consumers

static unsigned bits_of(const rd_kafka_topic_partition_list_t *list) {
  unsigned bits = 0;
  for (int i = 0; i < list->cnt; i++) bits |= 1u << list->elems[i].partition;
  return bits;
}

// Bit p set when rk holds partition p (none for NULL: a member not started or closed).
static unsigned held_by(rd_kafka_t *rk) {
  rd_kafka_topic_partition_list_t *a = NULL;
  unsigned bits = 0;
  if (rk && rd_kafka_assignment(rk, &a) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    bits = bits_of(a);
    rd_kafka_topic_partition_list_destroy(a);
  }
  return bits;
}

// True when the holdings of the active members split the partitions: each held by exactly one, none idle.
static int is_split(const unsigned *held, int members) {
  unsigned all = 0;
  for (int m = 0; m < members; m++) {
    if (!held[m] || (all & held[m])) return 0;
    all |= held[m];
  }
  return all == (1u << partitions) - 1;
}

// The same for the consumers in rks (NULL: not started or closed; those are not members).
__attribute__((unused)) static int consumers_split(rd_kafka_t *const *rks, int n) {
  unsigned held[n > 0 ? n : 1];
  int members = 0;
  for (int m = 0; m < n; m++)
    if (rks[m]) held[members++] = held_by(rks[m]);
  return is_split(held, members);
}

// "c1", "c2", ...: the client id of member m where the scenario numbers its members.
__attribute__((unused)) static const char *numbered(int m) {
  static char names[32][16];
  snprintf(names[m], sizeof(names[m]), "c%d", m + 1);
  return names[m];
}

// A consumer's settings: group member `name` of `group`, committing only by hand, from the earliest offset.
static rd_kafka_conf_t *member_conf(const char *name, const char *group, const char *session_ms) {
  rd_kafka_conf_t *conf = compat_new_conf(bootstrap, name);
  compat_set(conf, "group.id", group);
  compat_set(conf, "enable.auto.commit", "false");
  compat_set(conf, "auto.offset.reset", "earliest");
  compat_set(conf, "session.timeout.ms", session_ms);
  compat_set(conf, "heartbeat.interval.ms", "500");
  const char *debug = getenv("COMPAT_DEBUG");
  if (debug && *debug) compat_set(conf, "debug", "cgrp,protocol,broker");  // the group's side of the story
  return conf;
}

// A consumer made from `conf` (which it takes), subscribed to topic_name.
static rd_kafka_t *subscribed(rd_kafka_conf_t *conf, const char *name) {
  char errstr[256];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new %s: %s", name, errstr);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic_name, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  if (err) compat_fail("subscribe %s: %s", name, rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(topics);
  return rk;
}

static void close_consumer(rd_kafka_t **rk) {
  rd_kafka_consumer_close(*rk);
  rd_kafka_destroy(*rk);
  *rk = NULL;
}

// Tallies every record `rk` has for us now (waiting 50 ms for the first).
static void poll_consumer(rd_kafka_t *rk, const char *who) {
  for (rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 50); msg; msg = rd_kafka_consumer_poll(rk, 0)) {
    if (msg->err)
      compat_problem("%s: %s", who, rd_kafka_message_errstr(msg));
    else if (strcmp(rd_kafka_topic_name(msg->rkt), topic_name) != 0)
      compat_problem("%s: a record of %s", who, rd_kafka_topic_name(msg->rkt));
    else
      tally(who, held_by(rk), msg->partition, msg->offset, msg->key, msg->key_len);
    rd_kafka_message_destroy(msg);
  }
}

// Commits `offset(p)` for each partition rk holds, or its consumed positions with a NULL function.
static void commit_offsets(rd_kafka_t *rk, const char *who, int (*offset)(int p)) {
  rd_kafka_topic_partition_list_t *list = NULL;
  if (offset) {
    rd_kafka_assignment(rk, &list);
    for (int i = 0; i < list->cnt; i++) list->elems[i].offset = offset(list->elems[i].partition);
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(rk, list, 0);
  if (err) compat_problem("%s commit: %s", who, rd_kafka_err2str(err));
  if (list) rd_kafka_topic_partition_list_destroy(list);
}

// The offsets committed for each partition of topic_name (asked by rk) must be want[p].
__attribute__((unused)) static void expect_committed(rd_kafka_t *rk, const char *who, const int *want) {
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(list, topic_name, p);
  rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 30000);
  if (err) compat_problem("committed: %s", rd_kafka_err2str(err));
  printf("%s: committed offsets", who);
  for (int i = 0; i < list->cnt; i++) {
    printf(" %d:%" PRId64, list->elems[i].partition, list->elems[i].offset);
    if (list->elems[i].offset != want[list->elems[i].partition])
      compat_problem("committed offset of partition %d: %" PRId64 ", expected %d", list->elems[i].partition,
                     list->elems[i].offset, want[list->elems[i].partition]);
  }
  printf("\n");
  rd_kafka_topic_partition_list_destroy(list);
}

// ---- waiting

static time_t wait_deadline;
// Polls the members until `condition` holds; fails the scenario after DEADLINE_S.
#define WAIT(what, condition)                                                              \
  for (wait_deadline = time(NULL) + DEADLINE_S; !(condition); poll_members())             \
    if (time(NULL) > wait_deadline) compat_fail("%s: not reached after %d s; %s", what, DEADLINE_S, compat_problems)
