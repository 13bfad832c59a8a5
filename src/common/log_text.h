// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Text a client chose (a client id, a transactional id), made fit for a log line. Such
// text may hold any bytes: a newline in it would start a log line of the client's own
// making, and a terminal escape would act on whoever reads the log. Kafka logs it as
// it comes; Eddy writes every byte outside printable ASCII (and the backslash, so that
// the escaping itself is unambiguous) as \xNN, and cuts long text short.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eddy {

// At most this many bytes of the text are shown; the rest is replaced by a note of how
// many more there were. A client id may be 32,767 bytes long.
inline constexpr size_t log_text_limit = 256;

std::string log_text(std::string_view text, size_t limit = log_text_limit);

}  // namespace eddy
