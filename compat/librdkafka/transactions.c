// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka C API: a transactional producer (rd_kafka_init_transactions, begin, commit, abort) commits and
// aborts transactions, interleaved, over a 3-partition topic. A read_committed consumer sees exactly the
// committed records, in order per partition, and nothing of a transaction still open; a read_uncommitted
// consumer sees every record; no control record surfaces as a message. After the open transaction commits,
// read_committed sees it too.
//
// The mock cluster (librdkafka 2.0.2) writes no transaction markers and keeps no last stable offset:
// there only the producer's calls and read_uncommitted are checked.
#include <inttypes.h>
#include <time.h>

#include "common.h"

#define PARTITIONS 3
#define MAX_PARTITIONS 16
#define PER_PARTITION 10
// The outcome of each transaction: Commit, Abort, or Open (flushed, committed only after the first reads).
static const char OUTCOMES[] = "CACCAACAO";
#define TXNS ((int)sizeof(OUTCOMES) - 1)
#define MAX_SEEN (TXNS * PER_PARTITION + 16)

static char topic[128];
static int partitions;
static int delivery_failures;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if (m->err && delivery_failures++ < 3) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
}

static void must(rd_kafka_error_t *error, const char *what) {
  if (error) compat_fail("%s: %s%s", what, rd_kafka_error_string(error), rd_kafka_error_is_fatal(error) ? " (fatal)" : "");
}

// Transaction t: PER_PARTITION records "t<t>-p<p>-<i>" in every partition, flushed (so an aborted one is in the log).
static void write_transaction(rd_kafka_t *rk, int t) {
  must(rd_kafka_begin_transaction(rk), "begin_transaction");
  for (int p = 0; p < partitions; p++) {
    for (int i = 0; i < PER_PARTITION; i++) {
      char key[64];
      snprintf(key, sizeof(key), "t%d-p%d-%03d", t, p, i);
      rd_kafka_resp_err_t err;
      while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p),
                                      RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(key, strlen(key)),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
             RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(rk, 50);
      if (err) compat_fail("producev %s: %s", key, rd_kafka_err2str(err));
    }
  }
  if (rd_kafka_flush(rk, 60000)) compat_fail("flush of transaction %d: records left undelivered", t);
  if (delivery_failures) compat_fail("transaction %d: %d delivery failures", t, delivery_failures);
}

// One partition's view: transaction number and index of each record, in log order.
struct view {
  int count[MAX_PARTITIONS];
  int txn[MAX_PARTITIONS][MAX_SEEN];
  int index[MAX_PARTITIONS][MAX_SEEN];
};

// Whether transaction t belongs in a view: `include` lists the outcomes it holds ("C", "CAO", ...).
static int expected_count(const char *include) {
  int n = 0;
  for (int t = 0; t < TXNS; t++) n += strchr(include, OUTCOMES[t]) ? PER_PARTITION : 0;
  return n;
}

// Reads the topic from offset 0 at `isolation` until every partition holds `want` records, then 2 s more
// (a record that should not be there gets its chance), or for at most 90 s (then the comparison reports).
static void read_view(const char *isolation, int want, struct view *v) {
  memset(v, 0, sizeof(*v));
  rd_kafka_conf_t *conf = compat_new_conf(getenv("COMPAT_BOOTSTRAP"), "eddy-compat-reader");
  compat_set(conf, "group.id", "unused");
  compat_set(conf, "enable.auto.commit", "false");
  compat_set(conf, "isolation.level", isolation);
  char errstr[256];
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (!c) compat_fail("rd_kafka_new consumer: %s", errstr);
  rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = 0;
  if (rd_kafka_assign(c, assignment)) compat_fail("assign failed");
  rd_kafka_topic_partition_list_destroy(assignment);
  time_t end = time(NULL) + 90, quiet_end = 0;
  while (time(NULL) < (quiet_end ? quiet_end : end)) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
    if (m) {
      if (m->err) compat_fail("%s consumer: %s", isolation, rd_kafka_message_errstr(m));
      int p = m->partition, t = -1, i = -1;
      char key[64] = "";
      if (m->key_len < sizeof(key)) memcpy(key, m->key, m->key_len);
      if (sscanf(key, "t%d-p%*d-%d", &t, &i) != 2) compat_problem("%s: partition %d offset %" PRId64 ": unexpected key '%s'", isolation, p, m->offset, key);
      if (p >= 0 && p < partitions && v->count[p] < MAX_SEEN) {
        v->txn[p][v->count[p]] = t;
        v->index[p][v->count[p]++] = i;
      }
      rd_kafka_message_destroy(m);
    }
    int done = 1;
    for (int p = 0; p < partitions; p++) done &= v->count[p] >= want;
    if (done && !quiet_end) quiet_end = time(NULL) + 3;  // whole seconds: at least 2 s
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
}

// Per partition, exactly the records of the transactions whose outcome is in `include`, in order.
static void compare(const char *what, const struct view *v, const char *include) {
  for (int p = 0; p < partitions; p++) {
    int k = 0, bad = -1;
    for (int t = 0; t < TXNS && bad < 0; t++) {
      if (!strchr(include, OUTCOMES[t])) continue;
      for (int i = 0; i < PER_PARTITION && bad < 0; i++, k++)
        if (k >= v->count[p] || v->txn[p][k] != t || v->index[p][k] != i) bad = k;
    }
    if (bad < 0 && k != v->count[p]) bad = k;
    if (bad >= 0)
      compat_problem("%s, partition %d: %d records, expected %d; first difference at position %d (saw t%d #%d)", what, p,
                     v->count[p], k, bad, bad < v->count[p] ? v->txn[p][bad] : -1, bad < v->count[p] ? v->index[p][bad] : -1);
  }
}

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;
  setenv("COMPAT_BOOTSTRAP", expect.bootstrap, 1);
  const char *kind = getenv("COMPAT_BROKER_KIND");
  int mock = kind && strcmp(kind, "mock") == 0;
  const char *run_id = getenv("COMPAT_RUN_ID");
  run_id = run_id && *run_id ? run_id : "manual";
  snprintf(topic, sizeof(topic), "compat-txn-librdkafka-%s", run_id);

  rd_kafka_conf_t *conf = compat_new_conf(expect.bootstrap, "eddy-compat");
  char txn_id[160];
  snprintf(txn_id, sizeof(txn_id), "compat-txn-librdkafka-%s", run_id);
  compat_set(conf, "transactional.id", txn_id);
  compat_set(conf, "linger.ms", "5");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char errstr[256];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new: %s", errstr);
  // librdkafka 2.0's mock cluster has no CreateTopics; it creates a topic (4 partitions) when Metadata names it.
  if (!mock) compat_create_topic(rk, topic, PARTITIONS);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 30000) || md->topic_cnt != 1) compat_fail("metadata for %s failed", topic);
  partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  if (partitions < 1 || partitions > MAX_PARTITIONS) compat_fail("%s has %d partitions", topic, partitions);
  printf("librdkafka %s; topic %s with %d partitions; transactions %s\n", rd_kafka_version_str(), topic, partitions, OUTCOMES);

  must(rd_kafka_init_transactions(rk, 60000), "init_transactions");
  for (int t = 0; t < TXNS; t++) {
    write_transaction(rk, t);
    if (OUTCOMES[t] == 'C') must(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
    if (OUTCOMES[t] == 'A') must(rd_kafka_abort_transaction(rk, 60000), "abort_transaction");
  }
  printf("wrote %d transactions of %d records per partition; the last is open\n", TXNS, PER_PARTITION);

  static struct view v;
  if (!mock) {
    read_view("read_committed", expected_count("C"), &v);
    compare("read_committed while a transaction is open", &v, "C");
    printf("read_committed with the last transaction open: %d records in partition 0\n", v.count[0]);
  } else {
    printf("mock cluster: no transaction markers, so read_committed is not checked\n");
  }
  read_view("read_uncommitted", expected_count("CAO"), &v);
  compare("read_uncommitted", &v, "CAO");
  printf("read_uncommitted: %d records in partition 0\n", v.count[0]);

  must(rd_kafka_commit_transaction(rk, 60000), "commit_transaction of the open transaction");
  if (!mock) {
    read_view("read_committed", expected_count("CO"), &v);
    compare("read_committed after the last commit", &v, "CO");
    printf("read_committed after the last commit: %d records in partition 0\n", v.count[0]);
  }
  rd_kafka_destroy(rk);
  return compat_finish();
}
