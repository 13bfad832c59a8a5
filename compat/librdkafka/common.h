// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the librdkafka scenarios: what to expect (from compat/run's environment) and failure reporting.
#pragma once

#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPAT_MAX_BROKERS 64

struct compat_broker {
  int id;
  char host[256];
  int port;
};

struct compat_expect {
  const char *bootstrap;
  struct compat_broker brokers[COMPAT_MAX_BROKERS];
  int broker_count;
  int check_controller;  // 0 when $COMPAT_EXPECT_CONTROLLER is empty: the broker names no real controller
  int controller;
};

// Mismatches so far, joined with "; ": compat_finish() reports them on one FAIL line, as the other clients do.
static char compat_problems[8192];

static void compat_problem(const char *fmt, ...) {
  size_t used = strlen(compat_problems);
  if (used) used += (size_t)snprintf(compat_problems + used, sizeof(compat_problems) - used, "; ");
  if (used >= sizeof(compat_problems)) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(compat_problems + used, sizeof(compat_problems) - used, fmt, ap);
  va_end(ap);
}

static void compat_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FAIL: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static int compat_finish(void) {
  if (compat_problems[0]) {
    fprintf(stderr, "FAIL: %s\n", compat_problems);
    return 1;
  }
  puts("ok");
  return 0;
}

static int compat_broker_cmp(const void *a, const void *b) {
  return ((const struct compat_broker *)a)->id - ((const struct compat_broker *)b)->id;
}

// Parses "id@host:port,..." (default "1@<bootstrap>") and $COMPAT_EXPECT_CONTROLLER (default 1).
static struct compat_expect compat_expectations(int argc, char **argv) {
  struct compat_expect e;
  memset(&e, 0, sizeof(e));
  e.bootstrap = argc > 1 ? argv[1] : getenv("COMPAT_BOOTSTRAP");
  if (!e.bootstrap || !*e.bootstrap) compat_fail("usage: %s BOOTSTRAP (or set COMPAT_BOOTSTRAP)", argv[0]);

  char spec[4096];
  const char *env = getenv("COMPAT_EXPECT_BROKERS");
  if (env && *env)
    snprintf(spec, sizeof(spec), "%s", env);
  else
    snprintf(spec, sizeof(spec), "1@%s", e.bootstrap);
  char *save = NULL;
  for (char *item = strtok_r(spec, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    if (e.broker_count == COMPAT_MAX_BROKERS) compat_fail("too many expected brokers");
    struct compat_broker *b = &e.brokers[e.broker_count++];
    char *at = strchr(item, '@');
    char *colon = strrchr(item, ':');
    if (!at || !colon || colon < at) compat_fail("bad COMPAT_EXPECT_BROKERS item '%s'", item);
    *at = *colon = '\0';
    b->id = atoi(item);
    snprintf(b->host, sizeof(b->host), "%s", at + 1);
    b->port = atoi(colon + 1);
  }
  qsort(e.brokers, e.broker_count, sizeof(e.brokers[0]), compat_broker_cmp);

  const char *controller = getenv("COMPAT_EXPECT_CONTROLLER");
  e.check_controller = !controller || *controller;
  e.controller = controller && *controller ? atoi(controller) : 1;
  return e;
}

// With $COMPAT_DEBUG set, librdkafka logs every request and response (with versions) to stderr.
static void compat_debug(rd_kafka_conf_t *conf) {
  const char *debug = getenv("COMPAT_DEBUG");
  char errstr[256];
  if (debug && *debug) rd_kafka_conf_set(conf, "debug", "protocol,broker,metadata", errstr, sizeof(errstr));
}

// Compares the brokers a client saw (any order; sorted in place) with the expected list.
__attribute__((unused)) static void compat_check_brokers(const struct compat_expect *e, struct compat_broker *seen, int count) {
  qsort(seen, count, sizeof(seen[0]), compat_broker_cmp);
  if (count != e->broker_count) {
    compat_problem("saw %d brokers, expected %d", count, e->broker_count);
    return;
  }
  for (int i = 0; i < count; i++) {
    const struct compat_broker *want = &e->brokers[i];
    if (seen[i].id != want->id || strcmp(seen[i].host, want->host) != 0 || seen[i].port != want->port)
      compat_problem("broker %d: saw %d@%s:%d, expected %d@%s:%d", i, seen[i].id, seen[i].host,
                     seen[i].port, want->id, want->host, want->port);
  }
}

// Sets one client setting; a setting librdkafka refuses fails the scenario.
__attribute__((unused)) static void compat_set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char errstr[256];
  if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
    compat_fail("config %s=%s: %s", name, value, errstr);
}

// A client configuration for `bootstrap` named `client_id` (with $COMPAT_DEBUG's logging).
__attribute__((unused)) static rd_kafka_conf_t *compat_new_conf(const char *bootstrap, const char *client_id) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  compat_set(conf, "bootstrap.servers", bootstrap);
  compat_set(conf, "client.id", client_id);
  compat_debug(conf);
  return conf;
}

// The answer to an admin request on `q`; no answer within 60 s, or a request-level error,
// fails the scenario. The caller destroys the event.
__attribute__((unused)) static rd_kafka_event_t *compat_admin_wait(rd_kafka_queue_t *q, const char *what) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 60000);
  if (!ev) compat_fail("%s: no answer within 60 s", what);
  if (rd_kafka_event_error(ev)) compat_fail("%s: %s", what, rd_kafka_event_error_string(ev));
  return ev;
}

// CreateTopics `topic` with `partitions` and replication factor 1; anything but success fails.
__attribute__((unused)) static void compat_create_topic(rd_kafka_t *rk, const char *topic, int partitions) {
  char errstr[256];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, errstr, sizeof(errstr));
  if (!nt) compat_fail("NewTopic: %s", errstr);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
  rd_kafka_event_t *ev = compat_admin_wait(q, "CreateTopics");
  size_t n = 0;
  const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  if (n != 1 || rd_kafka_topic_result_error(res[0]))
    compat_fail("CreateTopics %s: %s", topic, n ? rd_kafka_topic_result_error_string(res[0]) : "no result");
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
}
