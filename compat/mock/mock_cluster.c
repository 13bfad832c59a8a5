// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A stand-in Kafka cluster (librdkafka's mock) for checking the compat harness and for benchmarks.

// Usage: mock_cluster [BROKER_COUNT]
// Prints "mock: listening on <bootstrap servers>" once the brokers accept connections,
// then runs until SIGTERM or SIGINT.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

int main(int argc, char **argv) {
  int broker_count = argc > 1 ? atoi(argv[1]) : 1;
  if (broker_count < 1) {
    fprintf(stderr, "usage: %s [BROKER_COUNT >= 1]\n", argv[0]);
    return 2;
  }

  // The mock cluster lives inside an rd_kafka_t instance; a producer handle is the cheapest host.
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "mock: rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, broker_count);
  if (!cluster) {
    fprintf(stderr, "mock: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  struct sigaction action = {0};
  action.sa_handler = on_signal;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  printf("mock: listening on %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  // pause() would race with a signal arriving between the check and the call; a short sleep does not.
  const struct timespec tick = {0, 100 * 1000 * 1000};
  while (!stop_requested) nanosleep(&tick, NULL);

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
