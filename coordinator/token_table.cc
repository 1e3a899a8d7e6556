#include "coordinator/token_table.h"

#include <utility>
#include <vector>

#include "common/file_util.h"
#include "image/digest.h"
#include "protocol/security.h"

namespace strata::coordinator {
namespace {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string TokenHash(std::string_view token) { return Digest::Sha256Of(token).hex(); }

Result<TokenTable> TokenTable::Parse(std::string_view text, const std::string& source) {
  TokenTable table;
  size_t number = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    // A comment starts with '#' at the start of a line or after a blank ('#'
    // is also a letter of Z85, inside a key).
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = line.substr(0, i);
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> fields = Fields(line);
    if (fields.empty()) {
      if (end == text.size()) break;
      continue;
    }
    auto bad = [&](const std::string& what) {
      return Status::InvalidArgument(source + ":" + std::to_string(number) + ": " + what);
    };
    if (fields.size() != 3) {
      return bad("expected 'sha256:<hex of the token's SHA-256> NAMESPACE ROLE' or "
                 "'curve:<public key> NAMESPACE ROLE', found " +
                 std::to_string(fields.size()) + " fields");
    }
    Grant grant;
    grant.ns = std::string(fields[1]);
    if (!protocol::IsNamespaceName(grant.ns)) {
      return bad("namespace '" + grant.ns +
                 "' is not a name (1-63 of a-z, 0-9, '.', '_', '-', starting with a letter or "
                 "digit)");
    }
    std::optional<Role> role = protocol::ParseRole(fields[2]);
    if (!role) return bad("role '" + std::string(fields[2]) + "' is not member, admin or worker");
    grant.role = *role;
    std::string_view id = fields[0];
    if (id.starts_with("sha256:")) {
      std::string_view hex = id.substr(7);
      if (hex.size() != 64 || !IsLowerHex(hex)) {
        return bad("'sha256:' must be followed by 64 lowercase hex digits (the SHA-256 of the "
                   "token; 'strata system token create' prints the line)");
      }
      if (!table.hashes_.emplace(std::string(hex), grant).second) {
        return bad("this token is listed twice");
      }
    } else if (id.starts_with("curve:")) {
      std::string key(id.substr(6));
      if (!protocol::IsCurveKey(key)) {
        return bad("'curve:' must be followed by a public key (40 characters of Z85 text, the "
                   "contents of a .pub file from 'strata system keygen')");
      }
      if (!table.keys_.emplace(std::move(key), grant).second) {
        return bad("this key is listed twice");
      }
    } else {
      return bad("a grant starts with 'sha256:' or 'curve:', not '" +
                 std::string(id.substr(0, 16)) + "'");
    }
    if (end == text.size()) break;
  }
  return table;
}

Result<TokenTable> TokenTable::Load(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate("tokens file");
  return Parse(*text, path);
}

std::optional<Grant> TokenTable::ForToken(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = hashes_.find(TokenHash(token));
  if (it == hashes_.end()) return std::nullopt;
  return it->second;
}

std::optional<Grant> TokenTable::ForCurveKey(const std::string& key) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace strata::coordinator
