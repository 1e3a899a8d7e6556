#include "cli/format/format_spec.h"

#include <cctype>

#include "cli/format/tabwriter.h"

namespace strata::format {
namespace {

constexpr std::string_view kTableKey = "table";

std::string ReplaceEscapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out += s[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "CreatedSince" -> "CREATED SINCE", "HTTPProxy" -> "HTTP PROXY", "ID" -> "ID".
std::string SplitCamelUpper(std::string_view name) {
  std::string out;
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto lower = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i > 0 && upper(c) &&
        (lower(name[i - 1]) || (upper(name[i - 1]) && i + 1 < name.size() && lower(name[i + 1])))) {
      out += ' ';
    }
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// The data the header row is rendered from: each field path of the template
// leads to its title, so "{{.Config.User}}" finds {"Config": {"User": "USER"}}.
Json HeaderData(const Template& tmpl, const FormatSpec::Headers& headers) {
  Json data = Json::object();
  for (const std::vector<std::string>& path : tmpl.FieldPaths()) {
    Json* node = &data;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      Json& next = (*node)[path[i]];
      if (!next.is_object()) next = Json::object();
      node = &next;
    }
    Json& leaf = (*node)[path.back()];
    if (!leaf.is_object()) leaf = FormatSpec::HeaderTitle(path, headers);
  }
  return data;
}

}  // namespace

std::string FormatSpec::HeaderTitle(const std::vector<std::string>& path, const Headers& headers) {
  std::string whole;
  for (const std::string& name : path) whole += (whole.empty() ? "" : ".") + name;
  if (auto it = headers.find(whole); it != headers.end()) return it->second;
  if (auto it = headers.find(path.back()); it != headers.end()) return it->second;
  return SplitCamelUpper(path.back());
}

Result<FormatSpec> FormatSpec::Parse(std::string_view format, std::string_view default_table) {
  Kind kind = Kind::kTemplate;
  std::string text(format);
  if (format == "json") {
    kind = Kind::kJson;
    text = "{{json .}}";
  } else if (format.starts_with(kTableKey)) {
    kind = Kind::kTable;
    text = std::string(format.substr(kTableKey.size()));
    if (TrimSpaces(text).empty()) text = std::string(default_table);
  }
  text = ReplaceEscapes(TrimSpaces(text));
  Result<Template> parsed = Template::Parse(text);
  if (!parsed.ok()) return parsed.status().Annotate("template parsing error");
  return FormatSpec(kind, std::move(parsed).value());
}

Result<std::string> FormatSpec::Render(const std::vector<Json>& items,
                                       const Headers& headers) const {
  std::string rows;
  for (const Json& item : items) {
    Result<std::string> row = template_.Execute(item);
    if (!row.ok()) return row.status().Annotate("template parsing error");
    rows += *row + "\n";
  }
  if (kind_ != Kind::kTable) return rows;
  Tabwriter writer(10, 1, 3, ' ');
  writer.Write(template_.ExecuteHeader(HeaderData(template_, headers)));
  writer.Write("\n");
  writer.Write(rows);
  return writer.Flush();
}

}  // namespace strata::format
