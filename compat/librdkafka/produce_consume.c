// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): create a 3-partition topic, produce 10,000 keyed records with headers per codec, read all back.
// The records are those of compat/lib/records.py (see there); this file builds the same ones.
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <time.h>

#include "common.h"

#define PARTITIONS 3
#define COUNT 10000
static const char *codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
#define CODEC_COUNT ((int)(sizeof(codecs) / sizeof(codecs[0])))

struct record {
  int partition;
  char key[32];
  char value[128];
  char seq[16];
  int64_t timestamp;
};

static void make_record(struct record *r, int c, int i, int64_t base) {
  r->partition = i % PARTITIONS;
  snprintf(r->key, sizeof(r->key), "%s-%05d", codecs[c], i);
  int n = snprintf(r->value, sizeof(r->value), "%s:%d:", codecs[c], i);
  for (int k = 0; k < 1 + i % 8; k++) n += snprintf(r->value + n, sizeof(r->value) - (size_t)n, "abcdefghij");
  snprintf(r->seq, sizeof(r->seq), "%d", i);
  r->timestamp = base + (int64_t)c * COUNT + i;
}

// The k-th record expected in partition p: codec by codec, i ascending within a codec.
static void expected_in_partition(struct record *r, int p, long k, int64_t base) {
  long per_codec = (COUNT - p + PARTITIONS - 1) / PARTITIONS;
  make_record(r, (int)(k / per_codec), p + PARTITIONS * (int)(k % per_codec), base);
}

static int delivery_failures;
static char first_delivery_error[256];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if (m->err && delivery_failures++ == 0)
    snprintf(first_delivery_error, sizeof(first_delivery_error), "%s", rd_kafka_err2str(m->err));
}

static void delete_topic(rd_kafka_t *rk, const char *topic) {
  rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 60000);
  // Deleting is checked by the topics scenario; here it is only tidying up, so only report it.
  if (!ev)
    printf("DeleteTopics: no answer (not checked here)\n");
  else if (rd_kafka_event_error(ev))
    printf("DeleteTopics: %s (not checked here)\n", rd_kafka_event_error_string(ev));
  else
    printf("deleted %s\n", topic);
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_DeleteTopic_destroy(dt);
}

static int partition_count(rd_kafka_t *rk, const char *topic) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
  if (err) compat_fail("metadata for %s: %s", topic, rd_kafka_err2str(err));
  int count = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  return count;
}

static void produce_codec(const char *bootstrap, const char *topic, int c, int64_t base) {
  rd_kafka_conf_t *conf = compat_new_conf(bootstrap, "eddy-compat");
  compat_set(conf, "acks", "all");
  compat_set(conf, "compression.codec", codecs[c]);
  compat_set(conf, "linger.ms", "5");
  compat_set(conf, "message.timeout.ms", "30000");  // a record the broker refuses fails with its reason, not a timeout
  compat_set(conf, "max.in.flight", "1");  // no reordering on a retry: the check expects send order per partition
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char errstr[256];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new: %s", errstr);
  delivery_failures = 0;
  for (int i = 0; i < COUNT; i++) {
    struct record r;
    make_record(&r, c, i, base);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(r.partition),
                                    RD_KAFKA_V_KEY(r.key, strlen(r.key)), RD_KAFKA_V_VALUE(r.value, strlen(r.value)),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_HEADER("codec", codecs[c], (ssize_t)strlen(codecs[c])),
                                    RD_KAFKA_V_HEADER("seq", r.seq, (ssize_t)strlen(r.seq)),
                                    RD_KAFKA_V_TIMESTAMP(r.timestamp), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(rk, 100);
    if (err) compat_fail("producev %s: %s", r.key, rd_kafka_err2str(err));
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 60000)) compat_fail("produce %s: %d records undelivered after 60 s", codecs[c], rd_kafka_outq_len(rk));
  if (delivery_failures) compat_fail("produce %s: %d records failed, first: %s", codecs[c], delivery_failures, first_delivery_error);
  printf("produced %d records with compression.codec=%s\n", COUNT, codecs[c]);
  rd_kafka_destroy(rk);
}

// Compares one consumed message with the next one expected in its partition.
static void check_message(const rd_kafka_message_t *m, long k, int64_t base, int *reported) {
  struct record want;
  expected_in_partition(&want, m->partition, k, base);
  char problem[1024] = "";
  size_t n = 0;
#define PROBLEM(...) n += (size_t)snprintf(problem + n, n < sizeof(problem) ? sizeof(problem) - n : 0, __VA_ARGS__)
  if (m->key_len != strlen(want.key) || memcmp(m->key, want.key, m->key_len) != 0)
    PROBLEM(" key '%.*s' != '%s'", (int)m->key_len, (const char *)m->key, want.key);
  if (m->len != strlen(want.value) || memcmp(m->payload, want.value, m->len) != 0)
    PROBLEM(" value '%.*s' != '%s'", (int)m->len, (const char *)m->payload, want.value);
  rd_kafka_timestamp_type_t tstype;
  int64_t ts = rd_kafka_message_timestamp(m, &tstype);
  if (ts != want.timestamp || tstype != RD_KAFKA_TIMESTAMP_CREATE_TIME)
    PROBLEM(" timestamp %" PRId64 " (type %d) != %" PRId64 " (CreateTime)", ts, (int)tstype, want.timestamp);
  rd_kafka_headers_t *hdrs = NULL;
  const char *wanted[2][2] = {{"codec", codecs[(k / ((COUNT - m->partition + PARTITIONS - 1) / PARTITIONS))]}, {"seq", want.seq}};
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || rd_kafka_header_cnt(hdrs) != 2) {
    PROBLEM(" %d headers != 2", hdrs ? (int)rd_kafka_header_cnt(hdrs) : 0);
  } else {
    for (size_t h = 0; h < 2; h++) {
      const char *name;
      const void *value;
      size_t size;
      rd_kafka_header_get_all(hdrs, h, &name, &value, &size);
      if (strcmp(name, wanted[h][0]) != 0 || !value || size != strlen(wanted[h][1]) || memcmp(value, wanted[h][1], size) != 0)
        PROBLEM(" header %zu %s='%.*s' != %s='%s'", h, name, value ? (int)size : 0, value ? (const char *)value : "",
                wanted[h][0], wanted[h][1]);
    }
  }
#undef PROBLEM
  if (problem[0] && (*reported)++ < 8)
    compat_problem("partition %d record #%ld (offset %" PRId64 "):%s", (int)m->partition, k, m->offset, problem);
}

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;  // common.h's broker check is for the metadata scenario
  const char *kind = getenv("COMPAT_BROKER_KIND");
  int mock = kind && strcmp(kind, "mock") == 0;
  const char *run_id = getenv("COMPAT_RUN_ID");
  char topic[128];
  snprintf(topic, sizeof(topic), "compat-pc-librdkafka-%s", run_id && *run_id ? run_id : "manual");
  printf("librdkafka %s; topic %s\n", rd_kafka_version_str(), topic);

  char errstr[256];
  rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, compat_new_conf(expect.bootstrap, "eddy-compat"), errstr, sizeof(errstr));
  if (!admin) compat_fail("rd_kafka_new: %s", errstr);
  // librdkafka 2.0's mock cluster has no CreateTopics; it creates a topic (4 partitions) when Metadata names it.
  if (!mock) {
    compat_create_topic(admin, topic, PARTITIONS);
    printf("created %s with %d partitions\n", topic, PARTITIONS);
  }
  int64_t base = (int64_t)time(NULL) * 1000 - (int64_t)CODEC_COUNT * COUNT;
  for (int c = 0; c < CODEC_COUNT; c++) produce_codec(expect.bootstrap, topic, c, base);

  // Asked after producing, so the new topic's metadata has certainly reached the broker.
  int partitions = partition_count(admin, topic);
  printf("%s has %d partitions\n", topic, partitions);
  if (partitions < PARTITIONS || partitions > 64) compat_fail("%s has %d partitions, expected %d", topic, partitions, PARTITIONS);

  // Read every partition from offset 0 to its end, without a consumer group.
  rd_kafka_conf_t *conf = compat_new_conf(expect.bootstrap, "eddy-compat");
  compat_set(conf, "group.id", "unused");
  compat_set(conf, "enable.auto.commit", "false");
  compat_set(conf, "enable.partition.eof", "true");
  compat_set(conf, "check.crcs", "true");
  rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (!consumer) compat_fail("rd_kafka_new consumer: %s", errstr);
  rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = 0;
  if (rd_kafka_assign(consumer, assignment)) compat_fail("assign failed");
  rd_kafka_topic_partition_list_destroy(assignment);

  long seen[64] = {0};
  int64_t last_offset[64];
  int at_end[64] = {0}, ends = 0, reported = 0;
  for (int p = 0; p < 64; p++) last_offset[p] = -1;
  while (ends < partitions) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 30000);
    if (!m) compat_fail("no message within 30 s; consumed %ld/%ld/%ld", seen[0], seen[1], seen[2]);
    int p = m->partition;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (!at_end[p]) at_end[p] = 1, ends++;
    } else if (m->err) {
      compat_fail("consume: %s", rd_kafka_message_errstr(m));
    } else if (p < 0 || p >= 64) {
      compat_fail("message from partition %d", p);
    } else {
      if (at_end[p]) at_end[p] = 0, ends--;
      if (m->offset <= last_offset[p]) compat_problem("partition %d: offset %" PRId64 " after %" PRId64, p, m->offset, last_offset[p]);
      last_offset[p] = m->offset;
      if (p < PARTITIONS) check_message(m, seen[p], base, &reported);
      seen[p]++;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  for (int p = 0; p < partitions; p++) {
    long want = p < PARTITIONS ? (long)CODEC_COUNT * ((COUNT - p + PARTITIONS - 1) / PARTITIONS) : 0;
    printf("partition %d: %ld records\n", p, seen[p]);
    if (seen[p] != want) compat_problem("partition %d: %ld records, expected %ld", p, seen[p], want);
  }

  if (!mock) delete_topic(admin, topic);  // the mock has no DeleteTopics
  rd_kafka_destroy(admin);
  return compat_finish();
}
