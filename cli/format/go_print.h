#pragma once

#include <string>
#include <vector>

#include "cli/format/value.h"

namespace strata::format {

// Go's fmt %v rendering of decoded JSON, which is what {{.X}} prints:
// strings as is, integers in decimal, floats as FormatGoFloat, true/false,
// null as "<nil>", arrays as "[a b c]", objects as "map[k1:v1 k2:v2]" with
// keys sorted.
std::string FormatGoValue(const Json& json);

// As FormatGoValue, except that a missing value prints "<no value>", as
// text/template prints an absent map key.
std::string FormatTemplateValue(const Value& value);

// Go's %v of a float64 (strconv 'g' with shortest precision): shortest
// round-trip digits, exponent form ("1e+06", "1.5e-07") when the decimal
// exponent is below -4 or at least 6; plain decimal otherwise ("123456").
std::string FormatGoFloat(double v);

// Go's encoding/json rendering of a float64: shortest digits, plain decimal
// unless |v| < 1e-6 or |v| >= 1e21, exponent without padding ("1e-7").
std::string FormatJsonFloat(double v);

// The keys of an object in Go's map printing order (bytewise sorted).
std::vector<std::string> SortedKeys(const Json& object);

}  // namespace strata::format
