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

#include <stdint.h>

#include "common.h"

#define PHASES 2
#define MEMBERS 3
#define MAX_EVENTS 256
#include "groups.h"

static int mock;
static rd_kafka_t *member[MEMBERS];  // NULL before it joins and once closed

// Every rebalance callback, in order.
static struct event {
  int member, assign, lost;
  unsigned parts;
} events[MAX_EVENTS];
static int event_count;
static unsigned kept_throughout[MEMBERS];  // since a mark: the partitions a member held at every poll

// Bit p set when member m holds partition p.
static unsigned held(int m) { return held_by(member[m]); }

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
  rd_kafka_conf_t *conf = member_conf(numbered(m), group, "6000");
  compat_set(conf, "partition.assignment.strategy", "cooperative-sticky");
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
  rd_kafka_conf_set_opaque(conf, (void *)(intptr_t)m);
  member[m] = subscribed(conf, numbered(m));
}

static void close_member(int m) { close_consumer(&member[m]); }

static void poll_members(void) {
  for (int m = 0; m < MEMBERS; m++) {
    if (!member[m]) continue;
    poll_consumer(member[m], numbered(m));
    kept_throughout[m] &= held(m);
  }
}

// True when the active members' assignments split the partitions: each held by exactly one, none idle.
// Once a member joined this holds only after both rounds of the cooperative rebalance: after the first one
// the partitions that move are held by nobody and the newcomer by nothing.
static int split(void) { return consumers_split(member, MEMBERS); }

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
static void commit(int m) { commit_offsets(member[m], numbered(m), NULL); }

int main(int argc, char **argv) {
  begin(argc, argv, "coop");
  mock = broker_is_mock();
  const char *name = topic_name;

  rd_kafka_t *admin = new_admin();
  // librdkafka 2.0's mock cluster has no CreateTopics (Metadata creates the topic, with 4 partitions).
  if (!mock) compat_create_topic(admin, topic_name, PARTITIONS);
  partitions = partition_count(admin);

  start_member(0, name);
  WAIT("c1 holds every partition", split());
  produce(0);
  WAIT("consume phase 0", consumed(from_start, PER_PHASE));
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
  WAIT("consume phase 1", consumed(from_start, 2 * PER_PHASE));
  exactly_once("phases 0-1 across the incremental rebalances", from_start, 2 * PER_PHASE);
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
    delete_topic(admin, name);
  }
  rd_kafka_destroy(admin);
  return compat_finish();
}
