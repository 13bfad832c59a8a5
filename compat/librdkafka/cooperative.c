// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): the cooperative-sticky assignor rebalances incrementally (KIP-429).
//
// Members join one at a time, then one leaves. With cooperative rebalancing a member that keeps a partition
// is never told to give it up: its rebalance callbacks only revoke the partitions that move away and only
// assign the ones that arrive (rd_kafka_incremental_unassign / rd_kafka_incremental_assign; an eager
// rebalance would revoke everything, then assign), and it holds the partitions it keeps at every poll in
// between. The broker only has to behave as Kafka does (the protocol is client-side), which is what this checks.
// The data set is that of compat/lib/groups.py (read its docstring).
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <stdint.h>
#include <time.h>

#include "common.h"

#define PARTITIONS 6
#define MAX_PARTITIONS 16
#define PER_PHASE 20
#define PHASES 2
#define DEADLINE_S 60  // any single wait; only a hung test reaches it
#define MEMBERS 3
#define MAX_EVENTS 256

static const char *bootstrap, *topic_name;
static int partitions, mock;
static rd_kafka_t *member[MEMBERS];                    // NULL before it joins and once closed
static int count[MAX_PARTITIONS][PHASES * PER_PHASE];  // times each record was consumed
static int key_problems;

// Every rebalance callback, in order.
static struct event {
  int member, assign, lost;
  unsigned parts;
} events[MAX_EVENTS];
static int event_count;
static unsigned kept_throughout[MEMBERS];  // since a mark: the partitions a member held at every poll

static void record_key(char *out, size_t size, int phase, int p, int i) { snprintf(out, size, "k%d-p%d-%04d", phase, p, i); }

static int partition_count(rd_kafka_t *rk) {
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
  if (rd_kafka_flush(rk, DEADLINE_S * 1000)) compat_fail("produce phase %d: records undelivered", phase);
  rd_kafka_destroy(rk);
  printf("produced phase %d: %d records in each of %d partitions\n", phase, PER_PHASE, partitions);
}

static unsigned bits_of(const rd_kafka_topic_partition_list_t *list) {
  unsigned bits = 0;
  for (int i = 0; i < list->cnt; i++) bits |= 1u << list->elems[i].partition;
  return bits;
}

// Bit p set when member m holds partition p.
static unsigned held(int m) {
  rd_kafka_topic_partition_list_t *a = NULL;
  unsigned bits = 0;
  if (member[m] && rd_kafka_assignment(member[m], &a) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    bits = bits_of(a);
    rd_kafka_topic_partition_list_destroy(a);
  }
  return bits;
}

// The cooperative way to follow a rebalance: add or remove only the partitions named.
static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
  int m = (int)(intptr_t)opaque, assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  if (event_count < MAX_EVENTS)
    events[event_count++] = (struct event){m, assign, !assign && rd_kafka_assignment_lost(rk), bits_of(parts)};
  const char *protocol = rd_kafka_rebalance_protocol(rk);
  static int protocol_reported;
  if (strcmp(protocol, "COOPERATIVE") != 0 && !protocol_reported++)
    compat_problem("c%d: rebalance protocol %s, expected COOPERATIVE", m + 1, protocol);
  rd_kafka_error_t *error = assign ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts);
  if (error) {
    compat_problem("c%d: incremental %s: %s", m + 1, assign ? "assign" : "unassign", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

static void start_member(int m, const char *group) {
  char name[16];
  snprintf(name, sizeof(name), "c%d", m + 1);
  rd_kafka_conf_t *conf = compat_new_conf(bootstrap, name);
  compat_set(conf, "group.id", group);
  compat_set(conf, "partition.assignment.strategy", "cooperative-sticky");
  compat_set(conf, "enable.auto.commit", "false");
  compat_set(conf, "auto.offset.reset", "earliest");
  compat_set(conf, "session.timeout.ms", "6000");
  compat_set(conf, "heartbeat.interval.ms", "500");
  const char *debug = getenv("COMPAT_DEBUG");
  if (debug && *debug) compat_set(conf, "debug", "cgrp,protocol,broker");  // the group's side of the story
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
  rd_kafka_conf_set_opaque(conf, (void *)(intptr_t)m);
  char errstr[256];
  member[m] = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (!member[m]) compat_fail("rd_kafka_new %s: %s", name, errstr);
  rd_kafka_poll_set_consumer(member[m]);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic_name, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(member[m], topics);
  if (err) compat_fail("subscribe %s: %s", name, rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(topics);
}

static void close_member(int m) {
  rd_kafka_consumer_close(member[m]);
  rd_kafka_destroy(member[m]);
  member[m] = NULL;
}

static void poll_members(void) {
  for (int m = 0; m < MEMBERS; m++) {
    if (!member[m]) continue;
    rd_kafka_message_t *msg = rd_kafka_consumer_poll(member[m], 50);
    for (; msg; msg = rd_kafka_consumer_poll(member[m], 0)) {
      int p = msg->partition;
      if (msg->err) {
        compat_problem("c%d: %s", m + 1, rd_kafka_message_errstr(msg));
      } else if (p < 0 || p >= partitions || msg->offset < 0 || msg->offset >= PHASES * PER_PHASE) {
        compat_problem("c%d: unexpected record at partition %d offset %" PRId64, m + 1, p, msg->offset);
      } else {
        count[p][msg->offset]++;
        char want[32];
        record_key(want, sizeof(want), (int)msg->offset / PER_PHASE, p, (int)msg->offset % PER_PHASE);
        if ((msg->key_len != strlen(want) || memcmp(msg->key, want, msg->key_len) != 0) && key_problems++ < 5)
          compat_problem("partition %d offset %" PRId64 ": key '%.*s', expected '%s'", p, msg->offset, (int)msg->key_len,
                         (const char *)msg->key, want);
        if (!(held(m) & (1u << p))) compat_problem("c%d got partition %d outside its assignment", m + 1, p);
      }
      rd_kafka_message_destroy(msg);
    }
    kept_throughout[m] &= held(m);
  }
}

// True when the active members' assignments split the partitions: each held by exactly one, none idle.
// Once a member joined this holds only after both rounds of the cooperative rebalance: after the first one
// the partitions that move are held by nobody and the newcomer by nothing.
static int split(void) {
  unsigned all = 0;
  for (int m = 0; m < MEMBERS; m++) {
    if (!member[m]) continue;
    unsigned h = held(m);
    if (!h || (all & h)) return 0;
    all |= h;
  }
  return all == (1u << partitions) - 1;
}

static int all_consumed(int phases) {
  for (int p = 0; p < partitions; p++)
    for (int o = 0; o < phases * PER_PHASE; o++)
      if (!count[p][o]) return 0;
  return 1;
}

static time_t wait_deadline;
#define WAIT(what, condition)                                                              \
  for (wait_deadline = time(NULL) + DEADLINE_S; !(condition); poll_members())             \
    if (time(NULL) > wait_deadline) compat_fail("%s: not reached after %d s; %s", what, DEADLINE_S, compat_problems)

// The members' holdings now, and a mark in the event log: what a rebalance is checked against.
struct snapshot {
  unsigned held[MEMBERS];
  int mark;
};

static struct snapshot snapshot(void) {
  struct snapshot s = {.mark = event_count};
  for (int m = 0; m < MEMBERS; m++) kept_throughout[m] = s.held[m] = held(m);
  return s;
}

// Each member's callbacks since `before` must move it from what it held then to what it holds now by revoking
// only what it lost and assigning only what it gained; the partitions it kept it must have held at every poll.
// Fills `kept` with the partitions each member kept.
static void check_incremental(const char *what, const struct snapshot *before, unsigned kept[MEMBERS]) {
  printf("%s:", what);
  for (int m = 0; m < MEMBERS; m++)
    if (member[m]) printf(" c%d 0x%x -> 0x%x", m + 1, before->held[m], held(m));
  printf(" (partition bit masks); callbacks:");
  for (int i = before->mark; i < event_count; i++)
    printf(" c%d %s 0x%x%s;", events[i].member + 1, events[i].assign ? "assign" : "revoke", events[i].parts,
           events[i].lost ? " (lost)" : "");
  printf("\n");
  for (int m = 0; m < MEMBERS; m++) {
    if (!member[m]) continue;
    unsigned after = held(m), now = before->held[m];
    kept[m] = before->held[m] & after;
    for (int i = before->mark; i < event_count; i++) {
      const struct event *e = &events[i];
      if (e->member != m) continue;
      if (e->lost) compat_problem("%s: c%d lost 0x%x", what, m + 1, e->parts);
      if (!e->assign && (e->parts & after))
        compat_problem("%s: c%d had 0x%x revoked although it keeps them", what, m + 1, e->parts & after);
      if (e->assign && (e->parts & now))
        compat_problem("%s: c%d was assigned 0x%x it already held", what, m + 1, e->parts & now);
      now = e->assign ? now | e->parts : now & ~e->parts;
    }
    if (now != after) compat_problem("%s: c%d's callbacks add up to 0x%x, it holds 0x%x", what, m + 1, now, after);
    if ((kept_throughout[m] & kept[m]) != kept[m])
      compat_problem("%s: c%d did not hold 0x%x at every poll although it kept them", what, m + 1,
                     kept[m] & ~kept_throughout[m]);
  }
}

// A synchronous commit of what member m consumed so far.
static void commit(int m) {
  rd_kafka_resp_err_t err = rd_kafka_commit(member[m], NULL, 0);
  if (err) compat_problem("c%d commit: %s", m + 1, rd_kafka_err2str(err));
}

// Every record of the phases so far consumed exactly once.
static void exactly_once(const char *what, int phases) {
  int missing = 0, twice = 0;
  for (int p = 0; p < partitions; p++) {
    for (int o = 0; o < phases * PER_PHASE; o++) {
      missing += count[p][o] == 0;
      twice += count[p][o] > 1;
    }
  }
  printf("%s: %d records never consumed, %d more than once\n", what, missing, twice);
  if (missing || twice) compat_problem("%s: %d records never consumed, %d more than once", what, missing, twice);
}

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;  // for the metadata scenario
  bootstrap = expect.bootstrap;
  const char *kind = getenv("COMPAT_BROKER_KIND");
  mock = kind && strcmp(kind, "mock") == 0;
  const char *run_id = getenv("COMPAT_RUN_ID");
  static char name[128];
  snprintf(name, sizeof(name), "compat-coop-librdkafka-%s", run_id && *run_id ? run_id : "manual");
  topic_name = name;
  printf("librdkafka %s; topic and group %s\n", rd_kafka_version_str(), name);

  char errstr[256];
  rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, compat_new_conf(bootstrap, "eddy-compat-admin"), errstr, sizeof(errstr));
  if (!admin) compat_fail("rd_kafka_new: %s", errstr);
  // librdkafka 2.0's mock cluster has no CreateTopics (Metadata creates the topic, with 4 partitions).
  if (!mock) compat_create_topic(admin, topic_name, PARTITIONS);
  partitions = partition_count(admin);

  start_member(0, name);
  WAIT("c1 holds every partition", split());
  produce(0);
  WAIT("consume phase 0", all_consumed(1));
  commit(0);

  for (int joiner = 1; joiner < MEMBERS; joiner++) {
    struct snapshot before = snapshot();
    start_member(joiner, name);
    char what[64];
    snprintf(what, sizeof(what), "c%d joins", joiner + 1);
    WAIT(what, split());
    unsigned kept[MEMBERS];
    check_incremental(what, &before, kept);
    for (int m = 0; m < joiner; m++)
      if (!kept[m]) compat_problem("%s: c%d kept none of its partitions", what, m + 1);
  }

  produce(1);
  WAIT("consume phase 1", all_consumed(2));
  exactly_once("phases 0-1 across the incremental rebalances", 2);
  for (int m = 0; m < MEMBERS; m++) commit(m);

  struct snapshot before = snapshot();
  close_member(2);
  WAIT("c1 and c2 share the partitions after c3 left", split());
  unsigned kept[MEMBERS];
  check_incremental("c3 leaves", &before, kept);
  for (int m = 0; m < 2; m++)
    if (kept[m] != before.held[m]) compat_problem("c3 leaves: c%d lost 0x%x", m + 1, before.held[m] & ~kept[m]);

  close_member(0);
  close_member(1);
  if (!mock) {
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(name);
    rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
    rd_kafka_DeleteTopics(admin, &dt, 1, NULL, q);
    rd_kafka_event_destroy(compat_admin_wait(q, "DeleteTopics"));
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteTopic_destroy(dt);
  }
  rd_kafka_destroy(admin);
  return compat_finish();
}
