// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
