// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C) admin API: create a topic with 3 partitions, see it in metadata, describe and
// alter a config, add partitions, delete it and see it gone.
#include <librdkafka/rdkafka.h>

#include "common.h"

static rd_kafka_t *rk;
static rd_kafka_queue_t *queue;

// Waits (bounded by the request timeout) for the admin result of `type`; fails on anything else.
static rd_kafka_event_t *wait_result(rd_kafka_event_type_t type, const char *what) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, 60000);
  if (!ev) compat_fail("%s: no result", what);
  if (rd_kafka_event_type(ev) != type) compat_fail("%s: unexpected event %s", what, rd_kafka_event_name(ev));
  if (rd_kafka_event_error(ev)) compat_fail("%s: %s", what, rd_kafka_event_error_string(ev));
  return ev;
}

static void check_topic_results(const rd_kafka_topic_result_t **results, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++) {
    if (rd_kafka_topic_result_error(results[i]))
      compat_fail("%s %s: %s", what, rd_kafka_topic_result_name(results[i]),
                  rd_kafka_topic_result_error_string(results[i]));
  }
}

static rd_kafka_AdminOptions_t *options(rd_kafka_admin_op_t op) {
  rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(o, 30000, errstr, sizeof(errstr));
  return o;
}

// The partition count of `topic` in fresh metadata, or -1 when it is not listed.
static int partitions(const char *topic) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, 30000);
  if (err) compat_fail("rd_kafka_metadata: %s", rd_kafka_err2str(err));
  int n = -1;
  for (int i = 0; i < md->topic_cnt; i++) {
    if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err) n = md->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return n;
}

// The value of `name` for `topic` (copied into `out`).
static void topic_config(const char *topic, const char *name, char *out, size_t size) {
  rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
  rd_kafka_AdminOptions_t *opts_describeconfigs = options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_DescribeConfigs(rk, &res, 1, opts_describeconfigs, queue);
  rd_kafka_AdminOptions_destroy(opts_describeconfigs);
  rd_kafka_event_t *ev = wait_result(RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, "DescribeConfigs");
  size_t n = 0;
  const rd_kafka_ConfigResource_t **rs =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
  snprintf(out, size, "<missing>");
  for (size_t i = 0; i < n; i++) {
    if (rd_kafka_ConfigResource_error(rs[i]))
      compat_fail("DescribeConfigs %s: %s", topic, rd_kafka_ConfigResource_error_string(rs[i]));
    size_t count = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(rs[i], &count);
    for (size_t j = 0; j < count; j++) {
      if (strcmp(rd_kafka_ConfigEntry_name(entries[j]), name) == 0) {
        const char *v = rd_kafka_ConfigEntry_value(entries[j]);
        snprintf(out, size, "%s", v ? v : "<null>");
      }
    }
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_ConfigResource_destroy(res);
}

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  printf("librdkafka %s\n", rd_kafka_version_str());
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", expect.bootstrap, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "client.id", "eddy-compat", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
    compat_fail("config: %s", errstr);
  compat_debug(conf);
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new: %s", errstr);
  queue = rd_kafka_queue_new(rk);

  char topic[256];
  const char *run_id = getenv("COMPAT_RUN_ID");
  snprintf(topic, sizeof(topic), "compat-topics-%s", run_id && *run_id ? run_id : "local");

  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 3, 1, errstr, sizeof(errstr));
  if (!nt) compat_fail("NewTopic: %s", errstr);
  rd_kafka_AdminOptions_t *opts_createtopics = options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_CreateTopics(rk, &nt, 1, opts_createtopics, queue);
  rd_kafka_AdminOptions_destroy(opts_createtopics);
  rd_kafka_event_t *ev = wait_result(RD_KAFKA_EVENT_CREATETOPICS_RESULT, "CreateTopics");
  size_t n = 0;
  const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  check_topic_results(tr, n, "CreateTopics");
  rd_kafka_event_destroy(ev);
  rd_kafka_NewTopic_destroy(nt);
  int count = partitions(topic);
  printf("created %s: %d partitions (librdkafka 2.0 exposes no topic ids)\n", topic, count);
  if (count != 3) compat_problem("partitions after create: saw %d, expected 3", count);

  char value[256];
  topic_config(topic, "retention.ms", value, sizeof(value));
  printf("retention.ms = %s\n", value);
  if (strcmp(value, "604800000") != 0) compat_problem("default retention.ms: saw %s, expected 604800000", value);

  rd_kafka_ConfigResource_t *alter = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
  rd_kafka_ConfigResource_set_config(alter, "retention.ms", "3600000");
  rd_kafka_AdminOptions_t *opts_alterconfigs = options(RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
  rd_kafka_AlterConfigs(rk, &alter, 1, opts_alterconfigs, queue);
  rd_kafka_AdminOptions_destroy(opts_alterconfigs);
  ev = wait_result(RD_KAFKA_EVENT_ALTERCONFIGS_RESULT, "AlterConfigs");
  const rd_kafka_ConfigResource_t **ar = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
  for (size_t i = 0; i < n; i++)
    if (rd_kafka_ConfigResource_error(ar[i])) compat_fail("AlterConfigs: %s", rd_kafka_ConfigResource_error_string(ar[i]));
  rd_kafka_event_destroy(ev);
  rd_kafka_ConfigResource_destroy(alter);
  topic_config(topic, "retention.ms", value, sizeof(value));
  printf("after AlterConfigs: retention.ms = %s\n", value);
  if (strcmp(value, "3600000") != 0) compat_problem("retention.ms after AlterConfigs: saw %s, expected 3600000", value);

  rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(topic, 5, errstr, sizeof(errstr));
  rd_kafka_AdminOptions_t *opts_createpartitions = options(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
  rd_kafka_CreatePartitions(rk, &np, 1, opts_createpartitions, queue);
  rd_kafka_AdminOptions_destroy(opts_createpartitions);
  ev = wait_result(RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, "CreatePartitions");
  tr = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
  check_topic_results(tr, n, "CreatePartitions");
  rd_kafka_event_destroy(ev);
  rd_kafka_NewPartitions_destroy(np);
  count = partitions(topic);
  printf("after CreatePartitions: %d partitions\n", count);
  if (count != 5) compat_problem("partitions after CreatePartitions: saw %d, expected 5", count);

  rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
  rd_kafka_AdminOptions_t *opts_deletetopics = options(RD_KAFKA_ADMIN_OP_DELETETOPICS);
  rd_kafka_DeleteTopics(rk, &dt, 1, opts_deletetopics, queue);
  rd_kafka_AdminOptions_destroy(opts_deletetopics);
  ev = wait_result(RD_KAFKA_EVENT_DELETETOPICS_RESULT, "DeleteTopics");
  tr = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
  check_topic_results(tr, n, "DeleteTopics");
  rd_kafka_event_destroy(ev);
  rd_kafka_DeleteTopic_destroy(dt);
  count = partitions(topic);
  printf("after DeleteTopics: %s\n", count < 0 ? "gone" : "still listed");
  if (count >= 0) compat_problem("%s still listed after DeleteTopics", topic);

  rd_kafka_queue_destroy(queue);
  rd_kafka_destroy(rk);
  return compat_finish();
}
