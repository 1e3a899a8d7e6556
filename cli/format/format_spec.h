#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/format/template.h"
#include "common/result.h"

namespace strata::format {

// A --format value as Docker's list and inspect commands read it:
//   "json"           each item as one compact JSON line ({{json .}})
//   "table"          the command's default table format
//   "table <tmpl>"   a header row, then one row per item, aligned into columns
//   "<tmpl>"         one rendering per item, each followed by "\n"
// As in Docker, the literal two-character sequences \t and \n in the format
// become a tab and a newline, and surrounding spaces are trimmed.
class FormatSpec {
 public:
  enum class Kind { kTemplate, kTable, kJson };

  // Column titles by field name ("ID" -> "IMAGE ID"). A field path is looked
  // up whole ("Config.User") and then by its last name; otherwise its title
  // is the last name split at case changes and upper-cased ("CreatedSince" ->
  // "CREATED SINCE").
  using Headers = std::map<std::string, std::string, std::less<>>;

  // `default_table` is the template (without "table ") used for a bare
  // "table". Errors are parse errors, prefixed "template parsing error: ".
  static Result<FormatSpec> Parse(std::string_view format, std::string_view default_table = "");

  Kind kind() const { return kind_; }
  const Template& tmpl() const { return template_; }

  // Renders the items. A table gets its header row even with no items, and
  // columns aligned by Tabwriter(10, 1, 3, ' ').
  Result<std::string> Render(const std::vector<Json>& items, const Headers& headers = {}) const;

  // The header title for a field path, as described at Headers.
  static std::string HeaderTitle(const std::vector<std::string>& path, const Headers& headers);

 private:
  FormatSpec(Kind kind, Template tmpl) : kind_(kind), template_(std::move(tmpl)) {}

  Kind kind_;
  Template template_;
};

}  // namespace strata::format
