#pragma once

// The `created` time of an image config ("2024-01-02T03:04:05.5Z", any UTC
// offset) as unix nanoseconds, for the ImageRecord of a loaded or pulled
// image. 0 when the text is empty or unreadable (Docker then shows no age).

#include <cstdint>
#include <string>

namespace strata::coordinator {

int64_t CreatedUnixNanos(const std::string& rfc3339);

}  // namespace strata::coordinator
