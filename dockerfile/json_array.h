#pragma once

// The exec-form test of BuildKit's parser: is the rest of an instruction a
// JSON array of strings? Validation and string decoding follow Go's
// encoding/json (nesting limit 10000, invalid UTF-8 and lone surrogates
// become U+FFFD, a number out of float64 range is an error).

#include <string>
#include <string_view>
#include <vector>

namespace strata::dockerfile {

enum class JsonArrayKind {
  kStringArray,     // valid JSON array of strings; elements in *out
  kNotJsonArray,    // not valid JSON (or not an array): use the shell form
  kNotStringArray,  // valid JSON array with a non-string element: an error
};

// Decodes `text` (leading whitespace ignored) as BuildKit's parseJSON does.
// `out` is filled only for kStringArray.
JsonArrayKind ParseJsonStringArray(std::string_view text, std::vector<std::string>* out);

}  // namespace strata::dockerfile
