// Text from the network made safe to print on a terminal or write into a log line.
#pragma once

#include <string>
#include <string_view>

namespace rssflow {

// text with every byte that could steer a terminal shown as an escape instead: C0 controls
// and DEL as "\xNN" (tab, CR, LF too: one message stays one line), C1 controls (U+0080-U+009F,
// UTF-8 C2 80-9F) as "\u00NN", bytes that are not well-formed UTF-8 as "\xNN", and '\' as
// "\\" so an escape in the input cannot pass for one of ours. Well-formed printable UTF-8 is
// kept. Pure, linear, thread-safe.
std::string escape_for_terminal(std::string_view text);

}  // namespace rssflow
