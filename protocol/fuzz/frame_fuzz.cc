// libFuzzer target: DecodeFrame must never crash, whatever the bytes.
// Build with -DSTRATA_FUZZ=ON (clang); run build-dir/bin/frame_fuzz.
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  strata::Result<strata::protocol::Envelope> envelope = strata::protocol::DecodeFrame(bytes);
  if (envelope.ok()) {
    // Whatever decodes must encode and decode again to the same message.
    std::string again = strata::protocol::EncodeFrame(*envelope);
    strata::Result<strata::protocol::Envelope> twice = strata::protocol::DecodeFrame(again);
    if (!twice.ok() || !google::protobuf::util::MessageDifferencer::Equals(*twice, *envelope)) {
      __builtin_trap();
    }
  }
  return 0;
}
