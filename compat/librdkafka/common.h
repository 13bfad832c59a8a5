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
static void compat_check_brokers(const struct compat_expect *e, struct compat_broker *seen, int count) {
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
