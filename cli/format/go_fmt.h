#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/format/value.h"

namespace strata::format {

// Go's fmt.Sprintf over decoded JSON operands. Supported verbs: %v %s %d %q
// %t %x %X %o %b %c %U %e %E %f %F %g %G %%, flags "+- #0", width and
// precision (digits or '*'). Like Go it never fails: a verb that does not fit
// its operand prints "%!d(string=foo)", a missing operand "%!d(MISSING)", and
// unused operands append "%!(EXTRA int=1, string=a)". Arrays and objects apply
// the verb to each element: "[a b]", "map[k:v]".
std::string GoSprintf(std::string_view format, const std::vector<Json>& args);

// Go's fmt.Sprint: operands in %v form, a space between two operands when
// neither is a string.
std::string GoSprint(const std::vector<Json>& args);

// Go's fmt.Sprintln: operands in %v form separated by spaces, then "\n".
std::string GoSprintln(const std::vector<Json>& args);

// Go's strconv.Quote: a double-quoted literal with Go escapes.
std::string GoQuote(std::string_view s);

}  // namespace strata::format
