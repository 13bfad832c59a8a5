// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (C): a consumer group recovers from failures.
//  1. kill: a member process is SIGKILLed (it sends no LeaveGroup); once its session times out (6 s, the
//     smallest session Eddy allows) the others take over its partitions from its commits.
//  2. restart: the members commit a different offset in each partition and leave; the broker is SIGKILLed
//     and started again on the same data directory; a new member sees exactly those committed offsets and
//     consumes exactly from them.
//  3. static: three static members (group.instance.id, KIP-345); s3 closes (no LeaveGroup for a static
//     member) and starts again within its session timeout: it gets the same partitions back, s1 and s2 get
//     no rebalance callback at all, and the records after the restart are consumed exactly once.
//
// The scenario starts its own Eddy from $COMPAT_BROKER_BIN (as lib/own_broker.py does) so it can kill and
// restart it on the same data directory; the harness's broker is left alone. SKIP without a binary.
// The killed member is this program run again as `groups_recovery --member NAME BOOTSTRAP TOPIC GROUP`: it
// reports on a pipe what it holds, every record it consumed and its commits (it commits after each batch).
// The data set is that of compat/lib/groups.py (read its docstring).
#include <librdkafka/rdkafka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define SKIP_EXIT_CODE 77
#define PHASES 3
#define MAX_MEMBERS 8
#define MAX_EVENTS 256
#include "groups.h"

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

// ---- the scenario's own Eddy

static struct {
  const char *binary;
  char data_dir[512], log_path[600], bootstrap[64];
  pid_t pid;  // 0 when not running
  int starts;
} eddy;

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || getsockname(fd, (struct sockaddr *)&addr, &len))
    compat_fail("no free port: %s", strerror(errno));
  close(fd);
  return ntohs(addr.sin_port);
}

static int port_open(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

// Starts Eddy on eddy.bootstrap and eddy.data_dir (its output appended to eddy.log_path) and waits until it
// accepts connections. Same process group as the scenario: when compat/run stops the scenario, Eddy goes too.
static void eddy_start(void) {
  eddy.starts++;
  FILE *log = fopen(eddy.log_path, "a");
  if (!log) compat_fail("%s: %s", eddy.log_path, strerror(errno));
  fprintf(log, "\n=== start #%d\n", eddy.starts);
  fflush(log);
  char listeners[128], advertised[128], dirs[600];
  snprintf(listeners, sizeof(listeners), "listeners=PLAINTEXT://%s", eddy.bootstrap);
  snprintf(advertised, sizeof(advertised), "advertised.listeners=PLAINTEXT://%s", eddy.bootstrap);
  snprintf(dirs, sizeof(dirs), "log.dirs=%s", eddy.data_dir);
  char *args[] = {(char *)eddy.binary, "--override", listeners, "--override", advertised,
                  "--override", dirs, "--override", "node.id=1", NULL};
  pid_t pid = fork();
  if (pid < 0) compat_fail("fork: %s", strerror(errno));
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fileno(log), 1);
    dup2(fileno(log), 2);
    execv(eddy.binary, args);
    _exit(127);
  }
  fclose(log);
  eddy.pid = pid;
  int port = atoi(strrchr(eddy.bootstrap, ':') + 1);
  for (time_t end = time(NULL) + DEADLINE_S; !port_open(port); sleep_ms(50)) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      eddy.pid = 0;
      compat_fail("eddy exited with status %d while starting (start #%d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1, eddy.starts);
    }
    if (time(NULL) > end) compat_fail("eddy did not accept connections within %d s (start #%d)", DEADLINE_S, eddy.starts);
  }
}

// SIGTERM (a clean shutdown) or SIGKILL; waits for Eddy to end. -1 when SIGTERM did not end it within 30 s
// (it is SIGKILLed then). Does not fail the scenario itself: it also runs at exit.
static int eddy_stop(int sig) {
  if (!eddy.pid) return 0;
  kill(eddy.pid, sig);
  int status, ended = 0;
  for (time_t end = time(NULL) + 30; !ended && time(NULL) <= end; sleep_ms(50)) ended = waitpid(eddy.pid, &status, WNOHANG) == eddy.pid;
  if (!ended) {
    kill(eddy.pid, SIGKILL);
    waitpid(eddy.pid, &status, 0);
  }
  eddy.pid = 0;
  return ended ? 0 : -1;
}

static void eddy_log_tail(void) {
  FILE *f = fopen(eddy.log_path, "r");
  if (!f) return;
  static char lines[30][512];
  int n = 0;
  while (fgets(lines[n % 30], sizeof(lines[0]), f)) n++;
  fclose(f);
  fputs("--- last lines of the broker log\n", stderr);
  for (int i = n > 30 ? n - 30 : 0; i < n; i++) fputs(lines[i % 30], stderr);
}

// ---- consumers

static rd_kafka_t *new_consumer(const char *name, const char *group, const char *instance, const char *session_ms,
                                void (*rebalance)(rd_kafka_t *, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t *, void *),
                                void *opaque) {
  rd_kafka_conf_t *conf = member_conf(name, group, session_ms);
  if (instance) compat_set(conf, "group.instance.id", instance);
  if (rebalance) rd_kafka_conf_set_rebalance_cb(conf, rebalance);
  rd_kafka_conf_set_opaque(conf, opaque);
  return subscribed(conf, name);
}

// The members in this process; every rebalance callback they get is logged in `events`.
static struct member {
  char name[16];
  rd_kafka_t *rk;  // NULL once closed
} members[MAX_MEMBERS];
static int member_count;
static struct event {
  int member, assign;
  unsigned parts;
} events[MAX_EVENTS];
static int event_count;

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
  int assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  if (event_count < MAX_EVENTS) events[event_count++] = (struct event){(int)(intptr_t)opaque, assign, bits_of(parts)};
  rd_kafka_assign(rk, assign ? parts : NULL);
}

static int add_member(const char *name, const char *group, const char *instance, const char *session_ms) {
  if (member_count == MAX_MEMBERS) compat_fail("too many members");
  int m = member_count++;
  snprintf(members[m].name, sizeof(members[m].name), "%s", name);
  members[m].rk = new_consumer(name, group, instance, session_ms, rebalance_cb, (void *)(intptr_t)m);
  return m;
}

static void close_member(int m) { close_consumer(&members[m].rk); }

// The member in another process (the one that gets killed), as it reports itself on its pipe.
static struct {
  pid_t pid;  // 0 when none runs
  int fd;     // its stdout, -1 once read to the end
  char buf[8192];
  size_t used;
  unsigned held;
  int records, committed;  // records consumed so far; how many of them its last commit covers
} child = {.fd = -1};

static void child_line(char *line) {
  int p, n;
  int64_t offset;
  unsigned bits;
  int key_at = 0;
  if (sscanf(line, "held %u", &bits) == 1) {
    child.held = bits;
  } else if (sscanf(line, "rec %d %" SCNd64 " %n", &p, &offset, &key_at) == 2 && key_at) {
    child.records++;
    tally("k3", child.held, p, offset, line + key_at, strlen(line + key_at));
  } else if (sscanf(line, "committed %d", &n) == 1) {
    child.committed = n;
  } else {
    compat_problem("k3: %s", line);
  }
}

// Reads what the child wrote so far; with `to_end`, until it closes its stdout (it has been killed).
static void read_child(int to_end) {
  if (child.fd < 0) return;
  for (;;) {
    ssize_t n = read(child.fd, child.buf + child.used, sizeof(child.buf) - 1 - child.used);
    if (n < 0 && errno == EAGAIN && to_end) {
      sleep_ms(10);
      continue;
    }
    if (n <= 0) {
      if (n == 0) {
        close(child.fd);
        child.fd = -1;
      }
      return;
    }
    child.used += (size_t)n;
    child.buf[child.used] = '\0';
    char *start = child.buf, *nl;
    while ((nl = strchr(start, '\n'))) {
      *nl = '\0';
      child_line(start);
      start = nl + 1;
    }
    child.used = strlen(start);
    memmove(child.buf, start, child.used + 1);
  }
}

static void start_child(const char *group) {
  int fds[2];
  if (pipe(fds)) compat_fail("pipe: %s", strerror(errno));
  char *args[] = {"groups_recovery", "--member", "k3", (char *)bootstrap, (char *)topic_name, (char *)group, NULL};
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) compat_fail("fork: %s", strerror(errno));
  if (pid == 0) {  // only exec: the parent's librdkafka threads do not exist here
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execv("/proc/self/exe", args);
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  child.pid = pid;
  child.fd = fds[0];
}

static void kill_child(void) {
  if (!child.pid) return;
  kill(child.pid, SIGKILL);
  waitpid(child.pid, NULL, 0);
  child.pid = 0;
}

// The child: one consumer that commits after each batch and reports everything on stdout, until it is killed
// (or this scenario is gone).
static int member_main(char **argv) {
  bootstrap = argv[3];
  topic_name = argv[4];
  pid_t parent = getppid();
  rd_kafka_t *rk = new_consumer(argv[2], argv[5], NULL, "6000", NULL, NULL);
  unsigned reported = ~0u;
  int records = 0;
  while (getppid() == parent) {
    int batch = 0;
    for (rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 200); msg; msg = rd_kafka_consumer_poll(rk, 0)) {
      unsigned h = held_by(rk);
      if (h != reported) printf("held %u\n", reported = h);
      if (msg->err)
        printf("consumer error %s\n", rd_kafka_message_errstr(msg));
      else
        printf("rec %d %" PRId64 " %.*s\n", msg->partition, msg->offset, (int)msg->key_len, (const char *)msg->key);
      records += !msg->err;
      batch += !msg->err;
      rd_kafka_message_destroy(msg);
    }
    unsigned h = held_by(rk);
    if (h != reported) printf("held %u\n", reported = h);
    if (batch) {
      rd_kafka_resp_err_t err = rd_kafka_commit(rk, NULL, 0);
      if (err)
        printf("commit failed: %s\n", rd_kafka_err2str(err));
      else
        printf("committed %d\n", records);
    }
    fflush(stdout);
  }
  return 0;
}

// ---- waiting

static void poll_members(void) {
  for (int m = 0; m < member_count; m++)
    if (members[m].rk) poll_consumer(members[m].rk, members[m].name);
  read_child(0);
}

// True when the active members' assignments (the child's included) split the partitions: each held by
// exactly one, none idle.
static int split(void) {
  unsigned held[MAX_MEMBERS + 1];
  int n = 0;
  for (int m = 0; m < member_count; m++)
    if (members[m].rk) held[n++] = held_by(members[m].rk);
  if (child.pid) held[n++] = child.held;
  return is_split(held, n);
}

static void print_split(const char *what) {
  printf("%s:", what);
  for (int m = 0; m < member_count; m++)
    if (members[m].rk) printf(" %s=0x%x", members[m].name, held_by(members[m].rk));
  if (child.pid) printf(" k3=0x%x", child.held);
  printf(" (partition bit masks)\n");
}

// ---- offsets

// Commits `offset(p)` for each partition member m holds, or its consumed positions with a NULL function.
static void commit(int m, int (*offset)(int p)) { commit_offsets(members[m].rk, members[m].name, offset); }

static int restart_offset(int p) { return PER_PHASE + 3 + p; }  // a different offset in each partition

// ---- the three parts

static rd_kafka_t *admin;

static void use_topic(const char *name) {
  topic_name = name;
  compat_create_topic(admin, name, PARTITIONS);
  partitions = PARTITIONS;
  memset(count, 0, sizeof(count));
}

static const int from_start[MAX_PARTITIONS];

// 1. A member is SIGKILLed: after its session timeout the others take over its partitions from its commits.
static void member_killed(const char *group) {
  int c1 = add_member("c1", group, NULL, "6000"), c2 = add_member("c2", group, NULL, "6000");
  start_child(group);
  // Records are produced only once the group is stable, so no rebalance happens while they are consumed.
  WAIT("c1, c2 and k3 (another process) share the partitions", split());
  print_split("three members");
  unsigned k3_had = child.held;
  produce(0);
  WAIT("consume phase 0 and k3 commits all it consumed", consumed(from_start, PER_PHASE) && child.committed == child.records);
  commit(c1, NULL);
  commit(c2, NULL);

  kill_child();
  time_t killed = time(NULL);
  read_child(1);
  printf("k3 SIGKILLed after consuming and committing %d records\n", child.records);
  WAIT("c1 and c2 share the partitions after k3 was killed", split());
  print_split("after k3 was killed");
  printf("(the partitions moved about %ld s after the kill; k3's session timeout is 6 s)\n", (long)(time(NULL) - killed));
  if (((held_by(members[c1].rk) | held_by(members[c2].rk)) & k3_had) != k3_had || !k3_had)
    compat_problem("k3's partitions (0x%x) not all taken over", k3_had);
  produce(1);
  WAIT("consume phase 1", consumed(from_start, 2 * PER_PHASE));
  exactly_once("phases 0-1 across k3's kill", from_start, 2 * PER_PHASE);
}

// 2. Committed offsets survive a SIGKILL of the broker; a new member resumes exactly there.
static void broker_killed(const char *group) {
  int want[MAX_PARTITIONS];
  for (int p = 0; p < partitions; p++) want[p] = restart_offset(p);
  for (int m = 0; m < member_count; m++) {
    if (!members[m].rk) continue;
    commit(m, restart_offset);
    close_member(m);
  }
  if (eddy_stop(SIGKILL)) compat_fail("eddy did not end after SIGKILL");
  eddy_start();
  printf("broker SIGKILLed and started again on the same data directory\n");
  produce(2);
  memset(count, 0, sizeof(count));
  int c4 = add_member("c4", group, NULL, "6000");
  WAIT("c4 holds every partition after the restart", split());
  expect_committed(members[c4].rk, "c4", want);
  WAIT("c4 consumes from the committed offsets", consumed(want, PHASES * PER_PHASE));
  for (int i = 0; i < 5; i++) poll_members();  // anything before the committed offsets would show up too
  exactly_once("c4 resuming at the offsets committed before the broker was killed", want, PHASES * PER_PHASE);
  close_member(c4);
}

static void print_events(const char *what, int mark) {
  printf("%s:", what);
  for (int i = mark; i < event_count; i++)
    printf(" %s %s 0x%x;", members[events[i].member].name, events[i].assign ? "assign" : "revoke", events[i].parts);
  printf("\n");
}

// Rebalance callbacks since `mark` of members other than `except`.
static int others_events(int mark, const char *except) {
  int n = 0;
  for (int i = mark; i < event_count; i++) n += strcmp(members[events[i].member].name, except) != 0;
  return n;
}

// 3. A static member restarts within its session timeout: same partitions, no rebalance for the others.
// The restarted member is not the group's leader: Kafka rebalances when a static leader is replaced by a
// client older than KIP-814 (JoinGroup < v9, librdkafka 2.0 sends v5), so s1, which joins first and
// therefore leads, is not the one restarted.
static void static_restart(const char *group) {
  char instance[3][200];
  int s[3];
  // A session timeout long enough that the restart below always fits in it.
  for (int i = 0; i < 3; i++) {
    char name[8];
    snprintf(name, sizeof(name), "s%d", i + 1);
    snprintf(instance[i], sizeof(instance[i]), "%s-%s", group, name);
    s[i] = add_member(name, group, instance[i], "45000");
    if (i == 0) WAIT("s1 alone", split());  // s1 first and alone, so it becomes the leader
  }
  WAIT("three static members share the partitions", split());
  print_split("three static members");
  unsigned s3_had = held_by(members[s[2]].rk);
  produce(0);
  WAIT("consume phase 0", consumed(from_start, PER_PHASE));
  for (int i = 0; i < 3; i++) commit(s[i], NULL);

  int mark = event_count;
  close_member(s[2]);
  printf("s3 closed (no LeaveGroup for a static member); starting it again with the same group.instance.id\n");
  s[2] = add_member("s3", group, instance[2], "45000");
  WAIT("the restarted s3 gets partitions", split());
  print_split("after s3's restart");
  print_events("rebalance callbacks since s3 closed", mark);
  if (held_by(members[s[2]].rk) != s3_had)
    compat_problem("the restarted s3 holds 0x%x, before 0x%x", held_by(members[s[2]].rk), s3_had);
  if (others_events(mark, "s3")) compat_problem("s1 or s2 got %d rebalance callbacks during s3's restart", others_events(mark, "s3"));

  produce(1);
  WAIT("consume phase 1", consumed(from_start, 2 * PER_PHASE));
  exactly_once("phases 0-1 across the restart of s3", from_start, 2 * PER_PHASE);
  if (others_events(mark, "s3")) {
    print_events("rebalance callbacks since s3 closed", mark);
    compat_problem("s1 or s2 got rebalance callbacks after s3's restart");
  }
  for (int i = 0; i < 3; i++) close_member(s[i]);
}

static int succeeded;

static void cleanup(void) {
  kill_child();
  eddy_stop(SIGTERM);
  if (!succeeded && eddy.starts) eddy_log_tail();
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "--member") == 0) return member_main(argv);
  struct compat_expect expect = compat_expectations(argc, argv);
  (void)expect;
  (void)compat_check_brokers;  // for the metadata scenario
  eddy.binary = getenv("COMPAT_BROKER_BIN");
  if (!eddy.binary || !*eddy.binary || access(eddy.binary, X_OK) != 0) {
    puts("SKIP: restarting the broker needs an Eddy binary ($COMPAT_BROKER_BIN, set by compat/run when it starts Eddy)");
    return SKIP_EXIT_CODE;
  }
  const char *scratch = getenv("COMPAT_SCRATCH");
  static char manual_scratch[] = "/tmp/compat-recovery-XXXXXX";  // a run by hand: left for the reader
  if ((!scratch || !*scratch) && !(scratch = mkdtemp(manual_scratch))) compat_fail("mkdtemp: %s", strerror(errno));
  snprintf(eddy.data_dir, sizeof(eddy.data_dir), "%s/data", scratch);
  snprintf(eddy.log_path, sizeof(eddy.log_path), "%s/broker.log", scratch);
  snprintf(eddy.bootstrap, sizeof(eddy.bootstrap), "127.0.0.1:%d", free_port());
  atexit(cleanup);
  eddy_start();
  bootstrap = eddy.bootstrap;

  char name[128], topic2[160], group1[160], group2[160];
  run_name(name, sizeof(name), "recovery");
  snprintf(topic2, sizeof(topic2), "%s-static", name);
  snprintf(group1, sizeof(group1), "%s-kill", name);
  snprintf(group2, sizeof(group2), "%s-static", name);
  printf("librdkafka %s; own broker %s (data and log in %s); topics %s and %s\n", rd_kafka_version_str(), bootstrap, scratch,
         name, topic2);

  admin = new_admin();

  use_topic(name);
  member_killed(group1);
  broker_killed(group1);
  use_topic(topic2);
  static_restart(group2);

  rd_kafka_destroy(admin);
  int status = compat_finish();
  succeeded = status == 0;
  return status;
}
