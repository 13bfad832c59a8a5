// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): three consumers of one group share a 6-partition topic, one leaves and its partitions
// move, committed offsets are where a new member resumes; list, describe and delete the group
// (rd_kafka_ListConsumerGroups, rd_kafka_DescribeConsumerGroups, rd_kafka_DeleteGroups).
// The data set is that of compat/lib/groups.py (read its docstring).
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <time.h>

#include "common.h"

#define PARTITIONS 6
#define MAX_PARTITIONS 16
#define PER_PHASE 20
#define PHASES 3
#define DEADLINE_S 60  // any single wait; only a hung test reaches it
#define MEMBERS 4      // c1..c3, then c4

static const char *bootstrap, *topic_name, *group_name;
static int partitions, mock;
static rd_kafka_t *member[MEMBERS];               // NULL once closed
static int count[MAX_PARTITIONS][PHASES * PER_PHASE];  // times each record was consumed
static int key_problems;

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

static void start_member(int m) {
  char name[16];
  snprintf(name, sizeof(name), "c%d", m + 1);
  rd_kafka_conf_t *conf = compat_new_conf(bootstrap, name);
  compat_set(conf, "group.id", group_name);
  compat_set(conf, "enable.auto.commit", "false");
  compat_set(conf, "auto.offset.reset", "earliest");
  compat_set(conf, "session.timeout.ms", "6000");
  compat_set(conf, "heartbeat.interval.ms", "500");
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

// Bit p set when member m holds partition p.
static unsigned held(int m) {
  rd_kafka_topic_partition_list_t *a = NULL;
  unsigned bits = 0;
  if (rd_kafka_assignment(member[m], &a) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < a->cnt; i++) bits |= 1u << a->elems[i].partition;
    rd_kafka_topic_partition_list_destroy(a);
  }
  return bits;
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
  }
}

// True when the active members' assignments split the partitions: each held by exactly one, none idle.
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

static int all_consumed(int phase_from, int phase_to, int start) {
  for (int p = 0; p < partitions; p++)
    for (int o = phase_from * PER_PHASE + start; o < (phase_to + 1) * PER_PHASE; o++)
      if (!count[p][o]) return 0;
  return 1;
}

static time_t wait_deadline;
#define WAIT(what, condition)                                                              \
  for (wait_deadline = time(NULL) + DEADLINE_S; !(condition); poll_members())             \
    if (time(NULL) > wait_deadline) compat_fail("%s: not reached after %d s; %s", what, DEADLINE_S, compat_problems)

static void print_split(const char *what) {
  printf("%s:", what);
  for (int m = 0; m < MEMBERS; m++)
    if (member[m]) printf(" c%d=0x%x", m + 1, held(m));
  printf(" (partition bit masks)\n");
}

// Every record at offsets [from, to) of each partition consumed exactly once, and no other record at all.
static void exactly_once(const char *what, int from, int to) {
  int missing = 0, twice = 0, extra = 0;
  for (int p = 0; p < partitions; p++) {
    for (int o = 0; o < PHASES * PER_PHASE; o++) {
      int wanted = o >= from && o < to;
      missing += wanted && count[p][o] == 0;
      twice += count[p][o] > 1;
      extra += !wanted && count[p][o] > 0;
    }
  }
  if (missing || twice || extra)
    compat_problem("%s: %d records never consumed, %d more than once, %d that should not have been", what, missing,
                   twice, extra);
}

static void commit(int m, int64_t offset) {  // offset < 0: the positions consumed so far
  rd_kafka_topic_partition_list_t *list = NULL;
  if (offset >= 0) {
    rd_kafka_assignment(member[m], &list);
    for (int i = 0; i < list->cnt; i++) list->elems[i].offset = offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(member[m], list, 0);
  if (err) compat_problem("c%d commit: %s", m + 1, rd_kafka_err2str(err));
  if (list) rd_kafka_topic_partition_list_destroy(list);
}

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
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;  // for the metadata scenario
  bootstrap = expect.bootstrap;
  const char *kind = getenv("COMPAT_BROKER_KIND");
  mock = kind && strcmp(kind, "mock") == 0;
  const char *run_id = getenv("COMPAT_RUN_ID");
  static char name[128];
  snprintf(name, sizeof(name), "compat-groups-librdkafka-%s", run_id && *run_id ? run_id : "manual");
  topic_name = group_name = name;
  printf("librdkafka %s; topic and group %s\n", rd_kafka_version_str(), name);

  char errstr[256];
  rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, compat_new_conf(bootstrap, "eddy-compat-admin"), errstr, sizeof(errstr));
  if (!admin) compat_fail("rd_kafka_new: %s", errstr);
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
  WAIT("consume phase 0", all_consumed(0, 0, 0));
  exactly_once("phase 0 with three members", 0, PER_PHASE);
  for (int m = 0; m < 3; m++) commit(m, -1);

  // c3 leaves: c1 and c2 take over its partitions and start where c3 committed.
  close_member(2);
  WAIT("c1 and c2 share the partitions after c3 left", split());
  print_split("after c3 left");
  if (((held(0) | held(1)) & c3_had) != c3_had) compat_problem("c3's partitions (0x%x) not all taken over", c3_had);
  produce(1);
  WAIT("consume phase 1", all_consumed(0, 1, 0));
  exactly_once("phases 0-1 after c3 left", 0, 2 * PER_PHASE);

  // Commit the middle of phase 2 explicitly: a new member must resume exactly there.
  produce(2);
  WAIT("consume phase 2", all_consumed(0, 2, 0));
  const int64_t middle = 2 * PER_PHASE + PER_PHASE / 2;
  commit(0, middle);
  commit(1, middle);
  close_member(0);
  close_member(1);

  memset(count, 0, sizeof(count));
  start_member(3);
  WAIT("c4 holds every partition", split());
  print_split("new member c4");
  rd_kafka_topic_partition_list_t *committed = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(committed, name, p);
  rd_kafka_resp_err_t err = rd_kafka_committed(member[3], committed, 30000);
  if (err) compat_problem("committed: %s", rd_kafka_err2str(err));
  for (int i = 0; i < committed->cnt; i++)
    if (committed->elems[i].offset != middle)
      compat_problem("committed offset of partition %d: %" PRId64 ", expected %" PRId64, committed->elems[i].partition,
                     committed->elems[i].offset, middle);
  rd_kafka_topic_partition_list_destroy(committed);
  WAIT("c4 consumes from the committed offsets", all_consumed(2, 2, PER_PHASE / 2));
  for (int i = 0; i < 5; i++) poll_members();  // anything before the committed offsets would show up too
  exactly_once("c4 resuming at the committed offsets", (int)middle, PHASES * PER_PHASE);

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
