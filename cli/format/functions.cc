#include "cli/format/functions.h"

#include <cctype>

#include "cli/format/go_fmt.h"
#include "cli/format/go_json.h"
#include "cli/format/go_print.h"
#include "common/utf8.h"

namespace strata::format {
namespace {

Status WrongType(std::string_view expected, const Value& v) {
  return Status::InvalidArgument("wrong type for value; expected " + std::string(expected) +
                                 "; got " + GoTypeName(v.json()));
}

Result<std::string> StringArg(const Value& v) {
  if (!v.json().is_string()) return WrongType("string", v);
  return v.json().get<std::string>();
}

Result<int64_t> IntArg(const Value& v) {
  if (!v.json().is_number_integer()) return WrongType("int", v);
  return v.json().get<int64_t>();
}

std::vector<Json> ToJson(const std::vector<Value>& args, size_t from = 0) {
  std::vector<Json> out;
  for (size_t i = from; i < args.size(); ++i) out.push_back(args[i].json());
  return out;
}

// --- comparison (Go's eq/lt semantics on decoded JSON) ---

enum class Basic { kBool, kNumber, kString, kNil, kOther };

Basic BasicKind(const Json& j) {
  if (j.is_boolean()) return Basic::kBool;
  if (j.is_number()) return Basic::kNumber;
  if (j.is_string()) return Basic::kString;
  if (j.is_null()) return Basic::kNil;
  return Basic::kOther;
}

// <0, 0, >0; numbers compare by value whether integer or float.
int CompareNumbers(const Json& a, const Json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    double x = a.get<double>();
    double y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  bool a_neg = a.is_number_integer() && a.get<int64_t>() < 0;
  bool b_neg = b.is_number_integer() && b.get<int64_t>() < 0;
  if (a_neg != b_neg) return a_neg ? -1 : 1;
  if (a_neg) {
    int64_t x = a.get<int64_t>();
    int64_t y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  uint64_t x = a.get<uint64_t>();
  uint64_t y = b.get<uint64_t>();
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<bool> Equal(const Json& a, const Json& b) {
  Basic ka = BasicKind(a);
  Basic kb = BasicKind(b);
  if (ka == Basic::kOther || kb == Basic::kOther) {
    return Status::InvalidArgument("invalid type for comparison");
  }
  if (ka == Basic::kNil || kb == Basic::kNil) return ka == kb;
  if (ka != kb) return Status::InvalidArgument("incompatible types for comparison");
  if (ka == Basic::kNumber) return CompareNumbers(a, b) == 0;
  return a == b;
}

Result<int> Order(const Json& a, const Json& b) {
  Basic ka = BasicKind(a);
  Basic kb = BasicKind(b);
  if (ka == Basic::kBool || ka == Basic::kNil || ka == Basic::kOther || kb == Basic::kBool ||
      kb == Basic::kNil || kb == Basic::kOther) {
    return Status::InvalidArgument("invalid type for comparison");
  }
  if (ka != kb) return Status::InvalidArgument("incompatible types for comparison");
  if (ka == Basic::kNumber) return CompareNumbers(a, b);
  return a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
}

Result<Value> Eq(const std::vector<Value>& args) {
  if (args.size() < 2) return Status::InvalidArgument("missing argument for comparison");
  for (size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(bool equal, Equal(args[0].json(), args[i].json()));
    if (equal) return Value::Of(true);
  }
  return Value::Of(false);
}

template <typename Pred>
Function Comparison(Pred pred) {
  return {2, 2, [pred](const std::vector<Value>& args) -> Result<Value> {
            ASSIGN_OR_RETURN(int order, Order(args[0].json(), args[1].json()));
            return Value::Of(pred(order));
          }};
}

// --- index and slice ---

// The zero value Go returns for an absent key: "" for a map of strings (Docker's
// labels, also when empty or null), null otherwise.
Json ZeroElement(const Json& map) {
  for (const auto& item : map.items()) {
    if (!item.value().is_string()) return Json();
  }
  return "";
}

Result<Value> IndexOnce(const Value& item, const Value& index) {
  const Json& j = item.json();
  const Json& k = index.json();
  if (j.is_object() || j.is_null()) {
    if (!k.is_string()) return WrongType("string", index);
    if (j.is_null()) return Value::Of("");
    Value member = item.Member(k.get<std::string>());
    return member.missing() ? Value::Of(ZeroElement(j)) : member;
  }
  if (j.is_array() || j.is_string()) {
    if (!k.is_number_integer()) {
      return Status::InvalidArgument("cannot index slice/array with type " + GoTypeName(k));
    }
    int64_t i = k.get<int64_t>();
    size_t size = j.is_array() ? j.size() : j.get_ref<const std::string&>().size();
    if (i < 0 || static_cast<size_t>(i) >= size) {
      return Status::InvalidArgument("index out of range: " + std::to_string(i));
    }
    if (j.is_array()) return item.Element(static_cast<size_t>(i));
    return Value::Of(static_cast<int64_t>(static_cast<unsigned char>(j.get<std::string>()[i])));
  }
  return Status::InvalidArgument("can't index item of type " + GoTypeName(j));
}

Result<Value> Index(const std::vector<Value>& args) {
  if (args[0].missing()) return Status::InvalidArgument("index of untyped nil");
  Value item = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(item, IndexOnce(item, args[i]));
  }
  return item;
}

Result<Value> Slice(const std::vector<Value>& args) {
  const Json& j = args[0].json();
  if (!j.is_array() && !j.is_string()) {
    return Status::InvalidArgument("can't slice item of type " + GoTypeName(j));
  }
  if (args.size() > 3)
    return Status::InvalidArgument("too many slice indexes: " + std::to_string(args.size() - 1));
  size_t size = j.is_array() ? j.size() : j.get_ref<const std::string&>().size();
  int64_t bounds[2] = {0, static_cast<int64_t>(size)};
  for (size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(bounds[i - 1], IntArg(args[i]));
    if (bounds[i - 1] < 0 || bounds[i - 1] > static_cast<int64_t>(size)) {
      return Status::InvalidArgument("index out of range: " + std::to_string(bounds[i - 1]));
    }
  }
  if (bounds[0] > bounds[1]) {
    return Status::InvalidArgument("invalid slice index: " + std::to_string(bounds[0]) + " > " +
                                   std::to_string(bounds[1]));
  }
  if (j.is_string())
    return Value::Of(j.get<std::string>().substr(bounds[0], bounds[1] - bounds[0]));
  Json out = Json::array();
  for (int64_t i = bounds[0]; i < bounds[1]; ++i) out.push_back(j[i]);
  return Value::Of(std::move(out));
}

Result<Value> Len(const std::vector<Value>& args) {
  const Json& j = args[0].json();
  if (j.is_string()) return Value::Of(static_cast<int64_t>(j.get_ref<const std::string&>().size()));
  if (j.is_array() || j.is_object()) return Value::Of(static_cast<int64_t>(j.size()));
  if (j.is_null()) return Status::InvalidArgument("len of nil pointer");
  return Status::InvalidArgument("len of type " + GoTypeName(j));
}

// --- Docker's string functions ---

Result<Value> Split(const std::vector<Value>& args) {
  ASSIGN_OR_RETURN(std::string s, StringArg(args[0]));
  ASSIGN_OR_RETURN(std::string sep, StringArg(args[1]));
  Json out = Json::array();
  if (sep.empty()) {  // Go splits into UTF-8 sequences
    for (size_t i = 0, size; i < s.size(); i += size) {
      size = DecodeRune(std::string_view(s).substr(i)).width;
      out.push_back(s.substr(i, size));
    }
    return Value::Of(std::move(out));
  }
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    out.push_back(s.substr(start, at - start));
  }
  out.push_back(s.substr(start));
  return Value::Of(std::move(out));
}

Result<Value> Join(const std::vector<Value>& args) {
  const Json& list = args[0].json();
  ASSIGN_OR_RETURN(std::string sep, StringArg(args[1]));
  if (list.is_null()) return Value::Of("");
  if (!list.is_array()) return WrongType("[]string", args[0]);
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) {
      return Status::InvalidArgument("wrong type for value; expected []string; got element " +
                                     std::to_string(i) + " of type " + GoTypeName(list[i]));
    }
    if (i > 0) out += sep;
    out += list[i].get<std::string>();
  }
  return Value::Of(std::move(out));
}

template <typename Transform>
Function StringFunction(Transform transform) {
  return {1, 1, [transform](const std::vector<Value>& args) -> Result<Value> {
            ASSIGN_OR_RETURN(std::string s, StringArg(args[0]));
            return Value::Of(transform(std::move(s)));
          }};
}

bool IsAsciiAlnum(unsigned char c) { return std::isalnum(c) || c == '_'; }

// Go's strings.Title: the first letter of each word upper-cased, where words
// are separated by ASCII characters other than letters, digits and '_'.
std::string Title(std::string s) {
  bool after_separator = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (after_separator) c = static_cast<char>(std::toupper(u));
    after_separator = u < 0x80 && !IsAsciiAlnum(u);
  }
  return s;
}

Result<Value> Pad(const std::vector<Value>& args) {
  ASSIGN_OR_RETURN(std::string s, StringArg(args[0]));
  ASSIGN_OR_RETURN(int64_t prefix, IntArg(args[1]));
  ASSIGN_OR_RETURN(int64_t suffix, IntArg(args[2]));
  if (prefix < 0 || suffix < 0) return Status::InvalidArgument("negative padding");
  // The same bound as printf widths: a template cannot ask for gigabytes.
  constexpr int64_t kMaxPadding = 1000000;
  if (prefix > kMaxPadding || suffix > kMaxPadding) {
    return Status::InvalidArgument("padding larger than " + std::to_string(kMaxPadding));
  }
  if (s.empty()) return Value::Of("");
  return Value::Of(std::string(prefix, ' ') + s + std::string(suffix, ' '));
}

Result<Value> Truncate(const std::vector<Value>& args) {
  ASSIGN_OR_RETURN(std::string s, StringArg(args[0]));
  ASSIGN_OR_RETURN(int64_t n, IntArg(args[1]));
  if (n < 0) return Status::InvalidArgument("negative length " + std::to_string(n));
  if (s.size() < static_cast<size_t>(n)) return Value::Of(std::move(s));
  return Value::Of(s.substr(0, n));
}

Result<Value> Identity(const std::vector<Value>& args) {
  ASSIGN_OR_RETURN(std::string s, StringArg(args[0]));
  return Value::Of(std::move(s));
}

FunctionTable MakeDefaults() {
  FunctionTable t;
  t["and"] = {1, -1, [](const std::vector<Value>& args) -> Result<Value> {
                for (const Value& v : args) {
                  if (!IsTrue(v)) return v;
                }
                return args.back();
              }};
  t["or"] = {1, -1, [](const std::vector<Value>& args) -> Result<Value> {
               for (const Value& v : args) {
                 if (IsTrue(v)) return v;
               }
               return args.back();
             }};
  t["not"] = {1, 1, [](const std::vector<Value>& args) -> Result<Value> {
                return Value::Of(!IsTrue(args[0]));
              }};
  t["len"] = {1, 1, Len};
  t["index"] = {1, -1, Index};
  t["slice"] = {1, -1, Slice};
  t["eq"] = {1, -1, Eq};
  t["ne"] = {2, 2, [](const std::vector<Value>& args) -> Result<Value> {
               ASSIGN_OR_RETURN(bool equal, Equal(args[0].json(), args[1].json()));
               return Value::Of(!equal);
             }};
  t["lt"] = Comparison([](int o) { return o < 0; });
  t["le"] = Comparison([](int o) { return o <= 0; });
  t["gt"] = Comparison([](int o) { return o > 0; });
  t["ge"] = Comparison([](int o) { return o >= 0; });
  t["print"] = {0, -1, [](const std::vector<Value>& args) -> Result<Value> {
                  return Value::Of(GoSprint(ToJson(args)));
                }};
  t["println"] = {0, -1, [](const std::vector<Value>& args) -> Result<Value> {
                    return Value::Of(GoSprintln(ToJson(args)));
                  }};
  t["printf"] = {1, -1, [](const std::vector<Value>& args) -> Result<Value> {
                   ASSIGN_OR_RETURN(std::string format, StringArg(args[0]));
                   return Value::Of(GoSprintf(format, ToJson(args, 1)));
                 }};
  t["json"] = {1, 1, [](const std::vector<Value>& args) -> Result<Value> {
                 return Value::Of(EncodeGoJson(args[0].json()));
               }};
  t["split"] = {2, 2, Split};
  t["join"] = {2, 2, Join};
  t["title"] = StringFunction(Title);
  t["lower"] = StringFunction([](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  });
  t["upper"] = StringFunction([](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  });
  t["pad"] = {3, 3, Pad};
  t["truncate"] = {2, 2, Truncate};
  return t;
}

FunctionTable MakeHeaders() {
  FunctionTable t;
  for (const char* name : {"json", "title", "lower", "upper"}) t[name] = {1, 1, Identity};
  for (const char* name : {"split", "join", "truncate"}) t[name] = {2, 2, Identity};
  return t;
}

}  // namespace

const FunctionTable& DefaultFunctions() {
  static const FunctionTable* table = new FunctionTable(MakeDefaults());
  return *table;
}

const FunctionTable& HeaderFunctions() {
  static const FunctionTable* table = new FunctionTable(MakeHeaders());
  return *table;
}

}  // namespace strata::format
