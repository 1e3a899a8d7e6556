#include "image/archive_locale.h"

namespace strata::image::archive_internal {
namespace {

locale_t CLocale() {
  static const locale_t c = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return c;
}

locale_t Utf8Locale() {
  static const locale_t utf8 = [] {
    locale_t l = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0));
    return l != static_cast<locale_t>(0) ? l : CLocale();
  }();
  return utf8;
}

}  // namespace

ScopedArchiveLocale::ScopedArchiveLocale(Use use) {
  locale_t wanted = use == Use::kWrite ? Utf8Locale() : CLocale();
  // newlocale("C") cannot fail short of memory; then the thread keeps its own.
  previous_ = wanted != static_cast<locale_t>(0) ? uselocale(wanted) : uselocale(static_cast<locale_t>(0));
}

ScopedArchiveLocale::~ScopedArchiveLocale() { uselocale(previous_); }

bool HasEncodedSurrogate(std::string_view name) {
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    auto b0 = static_cast<unsigned char>(name[i]);
    auto b1 = static_cast<unsigned char>(name[i + 1]);
    if (b0 == 0xED && b1 >= 0xA0 && b1 <= 0xBF) return true;
  }
  return false;
}

}  // namespace strata::image::archive_internal
