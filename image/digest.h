#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace strata {

// A content digest "algorithm:hex" as the OCI image spec defines it.
// Only sha256 is produced; sha256 and sha512 are accepted when parsing.
class Digest {
 public:
  Digest() = default;

  // Validates "sha256:<64 lowercase hex>" (or sha512 with 128).
  static Result<Digest> Parse(std::string_view text);
  // REQUIRES: hex is 64 lowercase hex characters.
  static Digest Sha256FromHex(std::string hex);
  // SHA-256 of `data` in one call.
  static Digest Sha256Of(std::string_view data);

  bool empty() const { return hex_.empty(); }
  const std::string& algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string ToString() const { return empty() ? "" : algorithm_ + ":" + hex_; }
  // The first 12 hex characters, as Docker shows an IMAGE ID.
  std::string Short() const { return hex_.substr(0, 12); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  std::string algorithm_;
  std::string hex_;
};

// Streaming SHA-256 (OpenSSL EVP behind it; SHA-NI where the CPU has it).
// Not thread-safe: one writer at a time.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Total bytes hashed so far.
  uint64_t size() const { return size_; }
  // Ends the stream; the hasher must not be updated afterwards.
  Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t size_ = 0;
};

}  // namespace strata
