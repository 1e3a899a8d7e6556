#include "registry/registry_error.h"

#include <nlohmann/json.hpp>

namespace strata::registry {
namespace {

nlohmann::json Errors(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return nlohmann::json::array();
  auto it = doc.find("errors");
  if (it == doc.end() || !it->is_array()) return nlohmann::json::array();
  return *it;
}

std::string StringField(const nlohmann::json& e, const char* name) {
  auto it = e.find(name);
  return it != e.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string RegistryErrorMessage(std::string_view body) {
  std::string out;
  for (const nlohmann::json& e : Errors(body)) {
    if (!e.is_object()) continue;
    std::string code = StringField(e, "code");
    for (char& c : code)
      c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string message = StringField(e, "message");
    std::string one = code.empty()                         ? message
                      : message.empty() || message == code ? code
                                                           : code + ": " + message;
    if (one.empty()) continue;
    if (!out.empty()) out += "; ";
    out += one;
  }
  return out;
}

bool RegistryErrorHasCode(std::string_view body, std::string_view code) {
  for (const nlohmann::json& e : Errors(body)) {
    if (e.is_object() && StringField(e, "code") == code) return true;
  }
  return false;
}

}  // namespace strata::registry
