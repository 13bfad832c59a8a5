// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The load generator of bench/run: a stock librdkafka client that produces, consumes or
// measures end-to-end latency against any broker, and prints one "RESULT {json}" line.
//
//   kbench produce  BOOTSTRAP --topic T --size B --count N [--acks 1|all] [--compression C]
//   kbench consume  BOOTSTRAP --topic T --count N
//   kbench latency  BOOTSTRAP --topic T --size B --rate R --seconds S [--warmup W]
// Common: --partitions P (topics are created with P partitions; default 4, the mock's own
// default) and --auto-create (for librdkafka's mock: it has no CreateTopics, and librdkafka's
// admin request waits forever for the controller the mock does not report; the mock creates
// the topic with 4 partitions on the producer's first Metadata request instead).
// consume --rewind: at the end of a partition, seek back to its start and read on until N
// records. For the mock, which keeps only the newest 5 MB of each partition in memory, so
// a 2-million-record topic cannot be read in one pass from it.
//
// librdkafka's rdkafka_performance example is not used: it includes librdkafka's private
// headers (rd.h, rdtime.h), which librdkafka-dev does not ship, and reports no percentiles.
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct options {
  const char *mode;
  const char *bootstrap;
  const char *topic;
  const char *acks;
  const char *compression;
  int size;
  long count;
  int partitions;
  int rate;
  int auto_create;
  int rewind;
  double seconds;
  double warmup;
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kbench: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  nanosleep(&ts, NULL);
}

// Record values are slices of a pool of word-like text, so that lz4 and zstd see data that
// compresses moderately (roughly 2-3x), not a run of one byte that compresses to nothing.
#define POOL_SIZE (4u << 20)
static char *payload_pool;

static void make_payload_pool(void) {
  static const char *const words[] = {
      "kafka",  "broker", "offset", "segment", "record", "batch",   "topic",  "fetch",
      "eddy",   "leader", "replica", "commit", "index",  "append",  "stream", "value",
      "header", "key",    "event",  "order",  "client", "payload", "time",   "log"};
  const size_t word_count = sizeof(words) / sizeof(words[0]);
  payload_pool = malloc(POOL_SIZE + 65536);
  if (!payload_pool) die("out of memory");
  uint64_t state = 0x9e3779b97f4a7c15u;
  size_t at = 0;
  while (at < POOL_SIZE + 65536 - 32) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    // Mostly words, with a random number now and then to keep the entropy up.
    int n = (state >> 32) % 4 == 0
                ? snprintf(payload_pool + at, 32, "%u ", (unsigned)(state & 0xffffff))
                : snprintf(payload_pool + at, 32, "%s ", words[(state >> 8) % word_count]);
    at += (size_t)n;
  }
}

static const char *payload_for(long i) {
  // A stride coprime with nothing in particular: consecutive records get different slices.
  return payload_pool + ((uint64_t)i * 7919u) % POOL_SIZE;
}

static void set_conf(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
    die("config %s=%s: %s", key, value, errstr);
}

static rd_kafka_t *new_client(rd_kafka_type_t type, rd_kafka_conf_t *conf, const struct options *o) {
  char errstr[512];
  set_conf(conf, "bootstrap.servers", o->bootstrap);
  set_conf(conf, "log_level", "4");
  rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (!rk) die("rd_kafka_new: %s", errstr);
  return rk;
}

// Returns the topic's partition count once every partition has a leader, or -1 on timeout.
static int wait_for_topic(rd_kafka_t *rk, const char *topic, int timeout_ms) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
  int result = -1;
  while (result < 0 && now_ns() < deadline) {
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          md->topics[0].partition_cnt > 0) {
        int ready = 1;
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
          ready &= md->topics[0].partitions[i].leader >= 0;
        if (ready) result = md->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
    }
    if (result < 0) sleep_ns(100 * 1000000u);
  }
  rd_kafka_topic_destroy(rkt);
  return result;
}

static int checked_partitions(rd_kafka_t *rk, const struct options *o) {
  int partitions = wait_for_topic(rk, o->topic, 30000);
  if (partitions < 0) die("topic %s has no leaders after 30 s", o->topic);
  if (partitions != o->partitions)
    die("topic %s has %d partitions, wanted %d", o->topic, partitions, o->partitions);
  return partitions;
}

// Creates the topic with CreateTopics, or with --auto-create lets the broker create it on the
// producer's Metadata request. Returns the partition count.
static int ensure_topic(rd_kafka_t *rk, const struct options *o) {
  if (o->auto_create) return checked_partitions(rk, o);
  char errstr[512];
  rd_kafka_NewTopic_t *nt =
      rd_kafka_NewTopic_new(o->topic, o->partitions, 1, errstr, sizeof(errstr));
  if (!nt) die("NewTopic: %s", errstr);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
  if (!ev) die("CreateTopics: no answer in 30 s");
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_topic_result_t **results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    if (n == 1) err = rd_kafka_topic_result_error(results[0]);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    die("CreateTopics %s: %s", o->topic, rd_kafka_err2str(err));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  return checked_partitions(rk, o);
}

static long delivered, delivery_errors;
static char first_delivery_error[256];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (delivery_errors++ == 0)
      snprintf(first_delivery_error, sizeof(first_delivery_error), "%s", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static rd_kafka_t *new_producer(const struct options *o) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set_conf(conf, "acks", o->acks);
  set_conf(conf, "compression.type", o->compression);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  return new_client(RD_KAFKA_PRODUCER, conf, o);
}

static void produce_one(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *value, int size) {
  while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)value,
                          (size_t)size, NULL, 0, NULL) != 0) {
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: %s", rd_kafka_err2str(err));
    rd_kafka_poll(rk, 1);  // the local queue is full: serve delivery reports, then retry
  }
}

static void flush_all(rd_kafka_t *rk) {
  for (int tries = 0; rd_kafka_flush(rk, 10000) == RD_KAFKA_RESP_ERR__TIMED_OUT; tries++)
    if (tries == 11) die("%d records still undelivered after 120 s", rd_kafka_outq_len(rk));
}

static int run_produce(const struct options *o) {
  rd_kafka_t *rk = new_producer(o);
  ensure_topic(rk, o);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
  uint64_t start = now_ns();
  for (long i = 0; i < o->count; i++) {
    produce_one(rk, rkt, payload_for(i), o->size);
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  flush_all(rk);
  double seconds = (double)(now_ns() - start) / 1e9;
  printf("RESULT {\"records\": %ld, \"bytes\": %ld, \"seconds\": %.6f, \"errors\": %ld, "
         "\"first_error\": \"%s\"}\n",
         delivered, delivered * (long)o->size, seconds, delivery_errors, first_delivery_error);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return delivery_errors ? 1 : 0;
}

// Legacy (simple) consumer on every partition: no group, so no coordinator is involved.
struct simple_consumer {
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *queue;
  int partitions;
};

static void consumer_start(struct simple_consumer *c, const struct options *o) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (o->rewind) set_conf(conf, "enable.partition.eof", "true");
  c->rk = new_client(RD_KAFKA_CONSUMER, conf, o);
  c->partitions = wait_for_topic(c->rk, o->topic, 30000);
  if (c->partitions < 0) die("topic %s not found", o->topic);
  c->rkt = rd_kafka_topic_new(c->rk, o->topic, NULL);
  c->queue = rd_kafka_queue_new(c->rk);
  for (int p = 0; p < c->partitions; p++)
    if (rd_kafka_consume_start_queue(c->rkt, p, RD_KAFKA_OFFSET_BEGINNING, c->queue) != 0)
      die("consume_start %d: %s", p, rd_kafka_err2str(rd_kafka_last_error()));
}

static void consumer_stop(struct simple_consumer *c) {
  for (int p = 0; p < c->partitions; p++) rd_kafka_consume_stop(c->rkt, p);
  rd_kafka_queue_destroy(c->queue);
  rd_kafka_topic_destroy(c->rkt);
  rd_kafka_destroy(c->rk);
}

// Returns 0 and counts a record, or -1 for a consumer error (reported unless benign).
static int check_message(const rd_kafka_message_t *m) {
  if (!m->err) return 0;
  if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
    fprintf(stderr, "kbench: consume error: %s\n", rd_kafka_message_errstr(m));
  return -1;
}

static int run_consume(const struct options *o) {
  struct simple_consumer c;
  uint64_t start = now_ns();
  consumer_start(&c, o);
  long records = 0, bytes = 0, rewinds = 0;
  uint64_t last_seen = now_ns();
  rd_kafka_message_t *batch[1000];
  while (records < o->count) {
    ssize_t n = rd_kafka_consume_batch_queue(c.queue, 1000, batch, 1000);
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = batch[i];
      if (check_message(m) == 0) {
        if (records < o->count) bytes += (long)m->len;  // a last batch may overshoot
        if (records < o->count) records++;
      } else if (o->rewind && m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && records < o->count) {
        rd_kafka_resp_err_t err = rd_kafka_seek(c.rkt, m->partition, RD_KAFKA_OFFSET_BEGINNING, 10000);
        if (err) die("seek %d: %s", (int)m->partition, rd_kafka_err2str(err));
        rewinds++;
      }
      rd_kafka_message_destroy(m);
    }
    if (n > 0) last_seen = now_ns();
    if (now_ns() - last_seen > 30 * 1000000000ull) {
      fprintf(stderr, "kbench: no record for 30 s after %ld of %ld\n", records, o->count);
      break;
    }
  }
  double seconds = (double)(now_ns() - start) / 1e9;
  printf("RESULT {\"records\": %ld, \"bytes\": %ld, \"seconds\": %.6f, \"errors\": %ld, "
         "\"rewinds\": %ld}\n",
         records, bytes, seconds, o->count - records, rewinds);
  consumer_stop(&c);
  return records == o->count ? 0 : 1;
}

// Latency: a producer thread sends at a steady rate with its send time (CLOCK_MONOTONIC,
// so one clock) in the first 8 bytes; the consumer in this process subtracts it on receipt.
struct latency_run {
  const struct options *o;
  rd_kafka_t *producer;
  long total;
  volatile int producer_done;
};

static void *latency_producer(void *arg) {
  struct latency_run *run = arg;
  const struct options *o = run->o;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(run->producer, o->topic, NULL);
  char *value = malloc((size_t)o->size);
  uint64_t start = now_ns();
  long sent = 0;
  while (sent < run->total) {
    // Catch up to the schedule every millisecond: 10 records per tick at 10,000/s.
    long due = (long)((double)(now_ns() - start) / 1e9 * o->rate);
    if (due > run->total) due = run->total;
    for (; sent < due; sent++) {
      memcpy(value, payload_for(sent), (size_t)o->size);
      uint64_t seq = (uint64_t)sent, t = now_ns();
      memcpy(value, &t, 8);
      memcpy(value + 8, &seq, 8);
      produce_one(run->producer, rkt, value, o->size);
    }
    rd_kafka_poll(run->producer, 0);
    sleep_ns(1000000);
  }
  flush_all(run->producer);
  free(value);
  rd_kafka_topic_destroy(rkt);
  run->producer_done = 1;
  return NULL;
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double percentile_ms(const uint64_t *sorted, long n, double q) {
  if (n == 0) return -1;
  long rank = (long)(q * (double)n + 0.999999);  // nearest rank
  if (rank < 1) rank = 1;
  return (double)sorted[rank - 1] / 1e6;
}

static int run_latency(const struct options *o) {
  if (o->size < 16) die("--size must be at least 16 for latency");
  struct latency_run run = {.o = o};
  run.producer = new_producer(o);
  ensure_topic(run.producer, o);
  struct simple_consumer c;
  consumer_start(&c, o);
  sleep_ns(1000000000u);  // let the consumer's first fetches reach the broker

  run.total = (long)((o->warmup + o->seconds) * o->rate);
  long skip = (long)(o->warmup * o->rate);
  uint64_t *lat = calloc((size_t)run.total, sizeof(uint64_t));
  unsigned char *seen = calloc((size_t)run.total, 1);
  pthread_t thread;
  pthread_create(&thread, NULL, latency_producer, &run);

  long received = 0, measured = 0, duplicates = 0;
  uint64_t last_seen = now_ns();
  while (received < run.total) {
    // One message per call: rd_kafka_consume_batch_queue() waits for a full batch or its
    // timeout, which would add up to that timeout to every latency.
    rd_kafka_message_t *m = rd_kafka_consume_queue(c.queue, 100);
    uint64_t t = now_ns();
    if (m) {
      if (check_message(m) == 0 && m->len >= 16) {
        uint64_t sent_at, seq;
        memcpy(&sent_at, m->payload, 8);
        memcpy(&seq, (const char *)m->payload + 8, 8);
        if (seq < (uint64_t)run.total && !seen[seq]) {
          seen[seq] = 1;
          received++;
          if ((long)seq >= skip) lat[measured++] = t - sent_at;
        } else {
          duplicates++;
        }
      }
      rd_kafka_message_destroy(m);
      last_seen = t;
    }
    if (run.producer_done && t - last_seen > 30 * 1000000000ull) {
      fprintf(stderr, "kbench: no record for 30 s after %ld of %ld\n", received, run.total);
      break;
    }
  }
  pthread_join(thread, NULL);
  qsort(lat, (size_t)measured, sizeof(uint64_t), compare_u64);
  printf("RESULT {\"records\": %ld, \"bytes\": %ld, \"seconds\": %.3f, \"errors\": %ld, "
         "\"measured\": %ld, \"duplicates\": %ld, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
         "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"first_error\": \"%s\"}\n",
         received, received * (long)o->size, o->seconds, (run.total - received) + delivery_errors,
         measured, duplicates, percentile_ms(lat, measured, 0.50), percentile_ms(lat, measured, 0.99),
         percentile_ms(lat, measured, 0.999), measured ? (double)lat[measured - 1] / 1e6 : -1.0,
         first_delivery_error);
  consumer_stop(&c);
  rd_kafka_destroy(run.producer);
  free(lat);
  free(seen);
  return received == run.total && delivery_errors == 0 ? 0 : 1;
}

static void usage(void) {
  fputs("usage: kbench produce|consume|latency BOOTSTRAP --topic T [--size B] [--count N]\n"
        "         [--acks 1|all] [--compression none|lz4|zstd|...] [--partitions P]\n"
        "         [--auto-create] [--rewind] [--rate R --seconds S --warmup W]\n",
        stderr);
  exit(2);
}

int main(int argc, char **argv) {
  struct options o = {.acks = "1", .compression = "none", .size = 100, .count = 100000,
                      .partitions = 4, .rate = 10000, .seconds = 10, .warmup = 2};
  if (argc < 3) usage();
  o.mode = argv[1];
  o.bootstrap = argv[2];
  for (int i = 3; i < argc; i++) {
    const char *k = argv[i];
    if (!strcmp(k, "--auto-create") || !strcmp(k, "--rewind")) {
      *(k[2] == 'a' ? &o.auto_create : &o.rewind) = 1;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(k, "--topic")) o.topic = v;
    else if (!strcmp(k, "--size")) o.size = atoi(v);
    else if (!strcmp(k, "--count")) o.count = atol(v);
    else if (!strcmp(k, "--acks")) o.acks = v;
    else if (!strcmp(k, "--compression")) o.compression = v;
    else if (!strcmp(k, "--partitions")) o.partitions = atoi(v);
    else if (!strcmp(k, "--rate")) o.rate = atoi(v);
    else if (!strcmp(k, "--seconds")) o.seconds = atof(v);
    else if (!strcmp(k, "--warmup")) o.warmup = atof(v);
    else usage();
  }
  if (!o.topic || o.size <= 0 || o.size > 65536 || o.count <= 0 || o.partitions <= 0 ||
      o.rate <= 0)
    usage();
  make_payload_pool();
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!strcmp(o.mode, "produce")) return run_produce(&o);
  if (!strcmp(o.mode, "consume")) return run_consume(&o);
  if (!strcmp(o.mode, "latency")) return run_latency(&o);
  usage();
  return 2;
}
