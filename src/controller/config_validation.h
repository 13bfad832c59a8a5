// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Checking a topic's overrides as Kafka's ControllerConfigurationValidator and
// LogConfig.validate do, and applying IncrementalAlterConfigs operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "controller/api_error.h"
#include "controller/effective_config.h"
#include "metadata/metadata_image.h"

namespace eddy::controller {

// AlterConfigOp.OpType ids.
enum class alter_op : int8_t { set = 0, del = 1, append = 2, subtract = 3 };

// Validates the complete set of a topic's overrides after a change: every name is a
// topic config, every value parses and passes its validator (INVALID_CONFIG with Kafka's
// ConfigException text), min.compaction.lag.ms <= max.compaction.lag.ms (a lag not
// overridden is the one `broker`'s log.cleaner.* configs give), and no tiered storage.
api_error validate_topic_configs(const metadata::config_map& configs, const broker_layers& broker);

// Applies one IncrementalAlterConfigs operation to `configs` (a topic's or a broker's
// overrides). APPEND/SUBTRACT need a LIST config (INVALID_CONFIG otherwise) and start
// from the config's default when it is not set. `list_default` is that default.
api_error apply_alter_op(metadata::config_map& configs, std::string_view name, alter_op op,
                         const std::optional<std::string>& value, bool is_list,
                         std::optional<std::string_view> list_default);

}  // namespace eddy::controller
