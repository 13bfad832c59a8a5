// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ListGroups' states and types filters, one matcher for classic and consumer groups.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>

namespace eddy::group {

// Matches as Kafka's GroupMetadataManager.listGroups does: a state filter ignores case and
// surrounding whitespace, a type filter ignores case; an empty filter matches everything.
class list_filter {
public:
    list_filter(std::span<const std::string> states, std::span<const std::string> types);

    bool wants_type(std::string_view type) const;
    bool wants_state(std::string_view state) const;

private:
    std::set<std::string> states_;
    std::set<std::string> types_;
};

}  // namespace eddy::group
