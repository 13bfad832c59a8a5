// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): bootstrap, negotiate versions, read brokers, cluster id and controller id.
#include <librdkafka/rdkafka.h>

#include "common.h"

int main(int argc, char **argv) {
  struct compat_expect expect = compat_expectations(argc, argv);
  printf("librdkafka %s\n", rd_kafka_version_str());

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", expect.bootstrap, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "client.id", "eddy-compat", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
    compat_fail("config: %s", errstr);
  compat_debug(conf);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) compat_fail("rd_kafka_new: %s", errstr);

  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1 /* all topics */, NULL, &md, 30000);
  if (err) compat_fail("rd_kafka_metadata: %s", rd_kafka_err2str(err));

  printf("answered by broker %d (%s), %d brokers, %d topics\n", md->orig_broker_id, md->orig_broker_name,
         md->broker_cnt, md->topic_cnt);
  struct compat_broker seen[COMPAT_MAX_BROKERS];
  int count = md->broker_cnt < COMPAT_MAX_BROKERS ? md->broker_cnt : COMPAT_MAX_BROKERS;
  for (int i = 0; i < count; i++) {
    seen[i].id = md->brokers[i].id;
    snprintf(seen[i].host, sizeof(seen[i].host), "%s", md->brokers[i].host);
    seen[i].port = md->brokers[i].port;
    printf("broker %d at %s:%d\n", seen[i].id, seen[i].host, seen[i].port);
  }
  compat_check_brokers(&expect, seen, md->broker_cnt);
  rd_kafka_metadata_destroy(md);

  char *cluster_id = rd_kafka_clusterid(rk, 30000);
  int32_t controller = rd_kafka_controllerid(rk, 30000);
  printf("cluster id: %s, controller id: %d\n", cluster_id ? cluster_id : "(none)", controller);
  if (!cluster_id || !*cluster_id) compat_problem("cluster id should be a non-empty string");
  if (expect.check_controller && controller != expect.controller)
    compat_problem("controller id: saw %d, expected %d", controller, expect.controller);
  if (cluster_id) rd_kafka_mem_free(rk, cluster_id);

  rd_kafka_destroy(rk);
  return compat_finish();
}
