// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): watermarks and rd_kafka_offsets_for_times (ListOffsets) on records with known timestamps.
// The records and lookups are those of compat/lib/records.py (time_record, time_queries).
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <time.h>

#include "common.h"

#define PARTITIONS 3
#define TIME_COUNT 100
#define QUERIES 6

// Lookup k for partition p: the timestamp to ask for and the offset expected (-1: no such record).
static void query(int p, int k, int64_t base, int64_t *ts, int64_t *want) {
  int64_t first = base + 1000 * p;
  int last_pair = (TIME_COUNT - 1) / 2;
  const int64_t table[QUERIES][2] = {
      {first - 1, 0},                              // before everything: the first record
      {first, 0},                                  // exactly the first timestamp
      {first + 10 * 7, 14},                        // a shared timestamp: the first of the pair
      {first + 10 * 7 + 5, 16},                    // between two timestamps: the next pair
      {first + 10 * last_pair, 2 * last_pair},     // the last timestamp
      {first + 10 * last_pair + 1, -1}};           // after everything: none
  *ts = table[k][0];
  *want = table[k][1];
}

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)compat_check_brokers;  // common.h's broker check is for the metadata scenario
  const char *kind = getenv("COMPAT_BROKER_KIND");
  int mock = kind && strcmp(kind, "mock") == 0;
  const char *run_id = getenv("COMPAT_RUN_ID");
  char topic[128];
  snprintf(topic, sizeof(topic), "compat-oft-librdkafka-%s", run_id && *run_id ? run_id : "manual");
  printf("librdkafka %s; topic %s\n", rd_kafka_version_str(), topic);

  char errstr[256];
  rd_kafka_conf_t *conf = compat_new_conf(expect.bootstrap, "eddy-compat");
  compat_set(conf, "acks", "all");
  compat_set(conf, "linger.ms", "5");
  compat_set(conf, "message.timeout.ms", "30000");  // a record the broker refuses fails with its reason, not a timeout
  rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!producer) compat_fail("rd_kafka_new: %s", errstr);
  // librdkafka 2.0's mock cluster has no CreateTopics; it creates a topic when it is first produced to.
  if (!mock) compat_create_topic(producer, topic, PARTITIONS);

  int64_t base = (int64_t)time(NULL) * 1000 - 50000;
  for (int p = 0; p < PARTITIONS; p++) {
    for (int j = 0; j < TIME_COUNT; j++) {
      char key[32], value[32];
      snprintf(key, sizeof(key), "t-%d-%d", p, j);
      snprintf(value, sizeof(value), "time %d %d", p, j);
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p), RD_KAFKA_V_KEY(key, strlen(key)),
          RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_TIMESTAMP(base + 1000 * p + 10 * (j / 2)), RD_KAFKA_V_END);
      if (err) compat_fail("producev: %s", rd_kafka_err2str(err));
    }
  }
  if (rd_kafka_flush(producer, 60000)) compat_fail("%d records undelivered after 60 s", rd_kafka_outq_len(producer));
  printf("produced %d records to each of %d partitions, base timestamp %" PRId64 "\n", TIME_COUNT, PARTITIONS, base);

  for (int p = 0; p < PARTITIONS; p++) {
    int64_t low = -100, high = -100;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(producer, topic, p, &low, &high, 30000);
    printf("partition %d: watermarks %" PRId64 "..%" PRId64 " (%s)\n", p, low, high, rd_kafka_err2str(err));
    if (err || low != 0 || high != TIME_COUNT)
      compat_problem("partition %d watermarks: %" PRId64 "..%" PRId64 " (%s), expected 0..%d", p, low, high,
                     rd_kafka_err2str(err), TIME_COUNT);
  }

  // One ListOffsets per lookup, naming every partition (a partition may appear only once per request).
  int answered_by_timestamp = 0;
  char lines[QUERIES * PARTITIONS][200];
  int64_t got[QUERIES][PARTITIONS], want[QUERIES][PARTITIONS], asked[QUERIES][PARTITIONS];
  for (int k = 0; k < QUERIES; k++) {
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      query(p, k, base, &asked[k][p], &want[k][p]);
      rd_kafka_topic_partition_list_add(list, topic, p)->offset = asked[k][p];
    }
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(producer, list, 30000);
    if (err) compat_fail("offsets_for_times: %s", rd_kafka_err2str(err));
    for (int p = 0; p < PARTITIONS; p++) {
      rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(list, topic, p);
      got[k][p] = tp ? tp->offset : -100;
      if (tp && tp->err) compat_problem("partition %d timestamp %" PRId64 ": %s", p, asked[k][p], rd_kafka_err2str(tp->err));
      if (got[k][p] >= 0) answered_by_timestamp = 1;
      snprintf(lines[k * PARTITIONS + p], sizeof(lines[0]), "partition %d timestamp base%+" PRId64 ": offset %" PRId64,
               p, asked[k][p] - base, got[k][p]);
      puts(lines[k * PARTITIONS + p]);
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  rd_kafka_destroy(producer);

  if (mock && !answered_by_timestamp && !compat_problems[0]) {
    puts("SKIP: librdkafka 2.0's mock cluster does not look offsets up by timestamp (it answers -1)");
    return 77;
  }
  for (int k = 0; k < QUERIES; k++)
    for (int p = 0; p < PARTITIONS; p++)
      if (got[k][p] != want[k][p])  // librdkafka reports "no such record" as -1 (RD_KAFKA_OFFSET_END)
        compat_problem("partition %d offset for timestamp base%+" PRId64 ": saw %" PRId64 ", expected %" PRId64, p,
                       asked[k][p] - base, got[k][p], want[k][p]);
  return compat_finish();
}
