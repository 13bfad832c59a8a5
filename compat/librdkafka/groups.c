// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): three consumers of one group share a 6-partition topic, one leaves and its partitions
// move, committed offsets are where a new member resumes; list, describe and delete the group
// (rd_kafka_ListConsumerGroups, rd_kafka_DescribeConsumerGroups, rd_kafka_DeleteGroups).
// The data set is that of compat/lib/groups.py (read its docstring).
#include <librdkafka/rdkafka.h>

#include "common.h"

#define PHASES 3
#define MEMBERS 4  // c1..c3, then c4
#include "groups.h"

static const char *group_name;
static int mock;
static rd_kafka_t *member[MEMBERS];  // NULL once closed

static void start_member(int m) { member[m] = subscribed(member_conf(numbered(m), group_name, "6000"), numbered(m)); }

static void close_member(int m) { close_consumer(&member[m]); }

// Bit p set when member m holds partition p.
static unsigned held(int m) { return held_by(member[m]); }

static void poll_members(void) {
  for (int m = 0; m < MEMBERS; m++)
    if (member[m]) poll_consumer(member[m], numbered(m));
}

// True when the active members' assignments split the partitions: each held by exactly one, none idle.
static int split(void) { return consumers_split(member, MEMBERS); }

static void print_split(const char *what) {
  printf("%s:", what);
  for (int m = 0; m < MEMBERS; m++)
    if (member[m]) printf(" c%d=0x%x", m + 1, held(m));
  printf(" (partition bit masks)\n");
}

static const int middle = 2 * PER_PHASE + PER_PHASE / 2;  // where c1 and c2 commit in phase 2
static int at_middle(int p) { (void)p; return middle; }

static void commit(int m, int (*offset)(int p)) { commit_offsets(member[m], numbered(m), offset); }  // NULL: positions consumed

// The group's state and member client ids ("c1,c2,"), or -1 when ListConsumerGroups does not show it.
static int describe_group(rd_kafka_t *admin, char *clients, size_t size) {
  rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
  rd_kafka_ListConsumerGroups(admin, NULL, q);
  rd_kafka_event_t *ev = compat_admin_wait(q, "ListConsumerGroups");
  size_t n = 0;
  const rd_kafka_ConsumerGroupListing_t **listed = rd_kafka_ListConsumerGroups_result_valid(rd_kafka_event_ListConsumerGroups_result(ev), &n);
  int found = 0;
  for (size_t i = 0; i < n; i++) found |= strcmp(rd_kafka_ConsumerGroupListing_group_id(listed[i]), group_name) == 0;
  rd_kafka_event_destroy(ev);
  clients[0] = '\0';
  int state = -1;
  if (found) {
    rd_kafka_DescribeConsumerGroups(admin, &group_name, 1, NULL, q);
    ev = compat_admin_wait(q, "DescribeConsumerGroups");
    const rd_kafka_ConsumerGroupDescription_t **d = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    if (n != 1 || rd_kafka_ConsumerGroupDescription_error(d[0]))
      compat_fail("DescribeConsumerGroups: %s", n ? rd_kafka_error_string(rd_kafka_ConsumerGroupDescription_error(d[0])) : "no group");
    state = (int)rd_kafka_ConsumerGroupDescription_state(d[0]);
    // Members in client id order, so the list reads the same whatever order the broker keeps them in.
    for (int want = 1; want <= MEMBERS; want++) {
      char name[16];
      snprintf(name, sizeof(name), "c%d", want);
      for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(d[0]); i++) {
        if (strcmp(rd_kafka_MemberDescription_client_id(rd_kafka_ConsumerGroupDescription_member(d[0], i)), name) == 0) {
          size_t used = strlen(clients);
          snprintf(clients + used, size - used, "%s,", name);
        }
      }
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  printf("group: %s, state %s, members %s\n", found ? "listed" : "not listed",
         state < 0 ? "-" : rd_kafka_consumer_group_state_name((rd_kafka_consumer_group_state_t)state), clients);
  return state;
}

static void expect_group(rd_kafka_t *admin, const char *what, rd_kafka_consumer_group_state_t state, const char *clients) {
  char seen[64];
  int got = describe_group(admin, seen, sizeof(seen));
  if (got != (int)state || strcmp(seen, clients) != 0)
    compat_problem("%s: state %s, members '%s'; expected %s, '%s'", what,
                   got < 0 ? "not listed" : rd_kafka_consumer_group_state_name((rd_kafka_consumer_group_state_t)got), seen,
                   rd_kafka_consumer_group_state_name(state), clients);
}

static rd_kafka_resp_err_t delete_group(rd_kafka_t *admin) {
  rd_kafka_DeleteGroup_t *dg = rd_kafka_DeleteGroup_new(group_name);
  rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
  rd_kafka_DeleteGroups(admin, &dg, 1, NULL, q);
  rd_kafka_event_t *ev = compat_admin_wait(q, "DeleteGroups");
  size_t n = 0;
  const rd_kafka_group_result_t **res = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
  const rd_kafka_error_t *error = n == 1 ? rd_kafka_group_result_error(res[0]) : NULL;
  rd_kafka_resp_err_t err = error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
  printf("DeleteGroups: %s\n", rd_kafka_err2name(err));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_DeleteGroup_destroy(dg);
  return err;
}

int main(int argc, char **argv) {
  begin(argc, argv, "groups");
  mock = broker_is_mock();
  const char *name = topic_name;
  group_name = name;

  rd_kafka_t *admin = new_admin();
  // librdkafka 2.0's mock cluster has no CreateTopics (Metadata creates the topic, with 4 partitions) and no
  // ListGroups/DescribeGroups/DeleteGroups.
  if (!mock) compat_create_topic(admin, topic_name, PARTITIONS);
  partitions = partition_count(admin);
  printf("%s has %d partitions\n", name, partitions);

  for (int m = 0; m < 3; m++) start_member(m);
  // Records are produced only once the group is stable, so no rebalance happens while they are consumed.
  WAIT("three members share the partitions", split());
  print_split("three members");
  unsigned c3_had = held(2);
  if (!mock) expect_group(admin, "group with three members", RD_KAFKA_CONSUMER_GROUP_STATE_STABLE, "c1,c2,c3,");

  produce(0);
  WAIT("consume phase 0", consumed(from_start, PER_PHASE));
  exactly_once("phase 0 with three members", from_start, PER_PHASE);
  for (int m = 0; m < 3; m++) commit(m, NULL);

  // c3 leaves: c1 and c2 take over its partitions and start where c3 committed.
  close_member(2);
  WAIT("c1 and c2 share the partitions after c3 left", split());
  print_split("after c3 left");
  if (((held(0) | held(1)) & c3_had) != c3_had) compat_problem("c3's partitions (0x%x) not all taken over", c3_had);
  produce(1);
  WAIT("consume phase 1", consumed(from_start, 2 * PER_PHASE));
  exactly_once("phases 0-1 after c3 left", from_start, 2 * PER_PHASE);

  // Commit the middle of phase 2 explicitly: a new member must resume exactly there.
  produce(2);
  WAIT("consume phase 2", consumed(from_start, PHASES * PER_PHASE));
  commit(0, at_middle);
  commit(1, at_middle);
  close_member(0);
  close_member(1);

  memset(count, 0, sizeof(count));
  start_member(3);
  WAIT("c4 holds every partition", split());
  print_split("new member c4");
  int from_middle[MAX_PARTITIONS];
  for (int p = 0; p < partitions; p++) from_middle[p] = middle;
  expect_committed(member[3], "c4", from_middle);
  WAIT("c4 consumes from the committed offsets", consumed(from_middle, PHASES * PER_PHASE));
  for (int i = 0; i < 5; i++) poll_members();  // anything before the committed offsets would show up too
  exactly_once("c4 resuming at the committed offsets", from_middle, PHASES * PER_PHASE);

  if (!mock) {
    expect_group(admin, "group with c4 alone", RD_KAFKA_CONSUMER_GROUP_STATE_STABLE, "c4,");
    if (delete_group(admin) != RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP) compat_problem("DeleteGroups of an active group: expected NON_EMPTY_GROUP");
  }
  close_member(3);
  if (!mock) {
    expect_group(admin, "group after every member left", RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY, "");
    if (delete_group(admin) != RD_KAFKA_RESP_ERR_NO_ERROR) compat_problem("DeleteGroups of the empty group failed");
    char seen[64];
    if (describe_group(admin, seen, sizeof(seen)) >= 0) compat_problem("group still listed after DeleteGroups");
    delete_topic(admin, name);
  }
  rd_kafka_destroy(admin);
  return compat_finish();
}
