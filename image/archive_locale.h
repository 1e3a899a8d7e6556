#pragma once

// libarchive converts entry names through the calling thread's locale
// (nl_langinfo(CODESET) and the C library's multibyte functions), and the
// process may run in any locale: strata calls no setlocale, so it is
// usually "C". Two failures follow from that. A name given only through
// the *_utf8 setters and written in the C locale crashes libarchive 3.6:
// its pax writer asks for the name in the locale's charset, the UTF-8 ->
// ASCII conversion fails, it gets NULL back with success and passes it to
// strlen (SIGSEGV). And in a UTF-8 locale the tar reader NFC-normalises
// UTF-8 names, so a name stored in NFD comes back with other bytes.
//
// Linux names are bytes, so every libarchive call of image/ runs under one
// of these scopes (names are set and read with the plain, multibyte
// accessors) and names are carried byte for byte whatever the locale:
//
//   kWrite  C.UTF-8: a name that is valid UTF-8 goes into a pax "path" /
//           "linkpath" record unchanged, as Docker writes it; a name that
//           is not makes libarchive write that entry's records with
//           hdrcharset=BINARY, still unchanged (archive_write_header then
//           says ARCHIVE_WARN). Without a C.UTF-8 locale every non-ASCII
//           name is written the BINARY way.
//   kRead   C: a non-ASCII name cannot be converted to the locale's
//           charset, so libarchive keeps the stored bytes (and says
//           ARCHIVE_WARN) instead of normalising them.

#include <locale.h>

#include <string_view>

namespace strata::image::archive_internal {

class ScopedArchiveLocale {
 public:
  enum class Use { kWrite, kRead };
  explicit ScopedArchiveLocale(Use use);
  ~ScopedArchiveLocale();
  ScopedArchiveLocale(const ScopedArchiveLocale&) = delete;
  ScopedArchiveLocale& operator=(const ScopedArchiveLocale&) = delete;

 private:
  locale_t previous_;
};

// Whether `name` holds a UTF-16 surrogate in 3-byte form (ED A0..BF): not
// UTF-8, and the one byte string libarchive's UTF-8 copy does not keep (it
// rewrites a CESU-8 surrogate pair as the 4-byte UTF-8 sequence).
bool HasEncodedSurrogate(std::string_view name);

}  // namespace strata::image::archive_internal
