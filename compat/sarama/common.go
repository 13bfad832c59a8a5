// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the Sarama scenarios: what to expect (from compat/run's environment) and failure reporting.

package main

import (
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/Shopify/sarama"
)

type brokerInfo struct {
	ID   int32
	Addr string // host:port
}

func (b brokerInfo) String() string { return fmt.Sprintf("%d@%s", b.ID, b.Addr) }

type expectations struct {
	bootstrap       string
	brokers         []brokerInfo // sorted by id
	checkController bool         // false when COMPAT_EXPECT_CONTROLLER is empty
	controller      int32
}

// readExpectations parses argv[1] (or COMPAT_BOOTSTRAP), COMPAT_EXPECT_BROKERS ("id@host:port,...",
// default 1@bootstrap) and COMPAT_EXPECT_CONTROLLER (default 1).
func readExpectations() expectations {
	var e expectations
	if len(os.Args) > 1 {
		e.bootstrap = os.Args[1]
	} else {
		e.bootstrap = os.Getenv("COMPAT_BOOTSTRAP")
	}
	if e.bootstrap == "" {
		fail("usage: %s BOOTSTRAP (or set COMPAT_BOOTSTRAP)", os.Args[0])
	}
	spec := os.Getenv("COMPAT_EXPECT_BROKERS")
	if spec == "" {
		spec = "1@" + e.bootstrap
	}
	for _, item := range strings.Split(spec, ",") {
		parts := strings.SplitN(item, "@", 2)
		id, err := strconv.Atoi(parts[0])
		if len(parts) != 2 || err != nil {
			fail("bad COMPAT_EXPECT_BROKERS item %q", item)
		}
		e.brokers = append(e.brokers, brokerInfo{int32(id), parts[1]})
	}
	sortBrokers(e.brokers)
	controller, set := os.LookupEnv("COMPAT_EXPECT_CONTROLLER")
	e.checkController = !set || controller != ""
	e.controller = 1
	if set && controller != "" {
		id, err := strconv.Atoi(controller)
		if err != nil {
			fail("bad COMPAT_EXPECT_CONTROLLER %q", controller)
		}
		e.controller = int32(id)
	}
	return e
}

func sortBrokers(brokers []brokerInfo) {
	sort.Slice(brokers, func(i, j int) bool { return brokers[i].ID < brokers[j].ID })
}

// checker collects mismatches so one run reports all of them.
type checker struct {
	expect   expectations
	problems []string
}

func (c *checker) problem(format string, args ...interface{}) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *checker) brokers(what string, seen []brokerInfo) {
	sortBrokers(seen)
	if fmt.Sprint(seen) != fmt.Sprint(c.expect.brokers) {
		c.problem("%s: saw %v, expected %v", what, seen, c.expect.brokers)
	}
}

func (c *checker) controller(what string, seen int32) {
	if c.expect.checkController && seen != c.expect.controller {
		c.problem("%s: saw %d, expected %d", what, seen, c.expect.controller)
	}
}

func (c *checker) finish() {
	if len(c.problems) > 0 {
		fail("%s", strings.Join(c.problems, "; "))
	}
	fmt.Println("ok")
	os.Exit(0)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// Sarama's own log on stderr when $COMPAT_DEBUG is set.
func enableDebugLog() {
	if os.Getenv("COMPAT_DEBUG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	}
}

// Whether compat/run started librdkafka's mock cluster instead of Eddy.
func brokerIsMock() bool { return os.Getenv("COMPAT_BROKER_KIND") == "mock" }

// prefix + this run's id ($COMPAT_RUN_ID; "manual" outside the harness).
func runTopic(prefix string) string {
	runID := os.Getenv("COMPAT_RUN_ID")
	if runID == "" {
		runID = "manual"
	}
	return prefix + runID
}
