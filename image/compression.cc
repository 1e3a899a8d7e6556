#include "image/compression.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace strata::image {
namespace {

constexpr size_t kBufferSize = 256 * 1024;

// gzip header: magic, deflate, no flags, mtime 0, no extra flags, OS unknown
// (255), as Go's compress/gzip writes it.
constexpr unsigned char kGzipHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

class GzipSink : public ByteSink {
 public:
  GzipSink(ByteSink* out, int level) : out_(out), out_buf_(kBufferSize) {
    isal_deflate_init(&stream_);
    level = std::clamp(level, 0, 3);
    static const uint32_t kLevelBuf[] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                         ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};
    level_buf_.resize(kLevelBuf[level]);
    stream_.level = static_cast<uint32_t>(level);
    stream_.level_buf = level_buf_.data();
    stream_.level_buf_size = static_cast<uint32_t>(level_buf_.size());
    stream_.gzip_flag = IGZIP_GZIP_NO_HDR;  // trailer only; our header is fixed
  }

  Status Write(const void* data, size_t size) override {
    if (!header_written_) {
      TRY(out_->Write(kGzipHeader, sizeof(kGzipHeader)));
      header_written_ = true;
    }
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
      uint32_t chunk = static_cast<uint32_t>(std::min<size_t>(size, 1u << 30));
      TRY(Deflate(p, chunk, /*end=*/false));
      p += chunk;
      size -= chunk;
    }
    return Status::OK();
  }

  Status Close() override {
    if (!header_written_) {
      TRY(out_->Write(kGzipHeader, sizeof(kGzipHeader)));
      header_written_ = true;
    }
    TRY(Deflate(nullptr, 0, /*end=*/true));
    return out_->Close();
  }

 private:
  Status Deflate(const uint8_t* in, uint32_t size, bool end) {
    stream_.next_in = const_cast<uint8_t*>(in);
    stream_.avail_in = size;
    stream_.end_of_stream = end ? 1 : 0;
    stream_.flush = NO_FLUSH;
    do {
      stream_.next_out = out_buf_.data();
      stream_.avail_out = static_cast<uint32_t>(out_buf_.size());
      int rc = isal_deflate(&stream_);
      if (rc != COMP_OK) {
        return Status::Internal("gzip: ISA-L deflate failed with code " + std::to_string(rc));
      }
      size_t produced = out_buf_.size() - stream_.avail_out;
      if (produced > 0) TRY(out_->Write(out_buf_.data(), produced));
    } while (stream_.avail_in > 0 || stream_.avail_out == 0 ||
             (end && stream_.internal_state.state != ZSTATE_END));
    return Status::OK();
  }

  ByteSink* out_;
  isal_zstream stream_;
  std::vector<uint8_t> level_buf_;
  std::vector<uint8_t> out_buf_;
  bool header_written_ = false;
};

class ZstdSink : public ByteSink {
 public:
  ZstdSink(ByteSink* out, const CompressionOptions& options)
      : out_(out), cctx_(ZSTD_createCCtx()), out_buf_(ZSTD_CStreamOutSize()) {
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, options.zstd_level);
    if (options.zstd_workers > 0) {
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, options.zstd_workers);
    }
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  Status Write(const void* data, size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) TRY(Step(&in, ZSTD_e_continue, nullptr));
    return Status::OK();
  }

  Status Close() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    bool done = false;
    while (!done) TRY(Step(&in, ZSTD_e_end, &done));
    return out_->Close();
  }

 private:
  Status Step(ZSTD_inBuffer* in, ZSTD_EndDirective mode, bool* done) {
    ZSTD_outBuffer out{out_buf_.data(), out_buf_.size(), 0};
    size_t rc = ZSTD_compressStream2(cctx_, &out, in, mode);
    if (ZSTD_isError(rc)) {
      return Status::Internal(std::string("zstd: compression failed: ") + ZSTD_getErrorName(rc));
    }
    if (out.pos > 0) TRY(out_->Write(out_buf_.data(), out.pos));
    if (done != nullptr) *done = rc == 0;
    return Status::OK();
  }

  ByteSink* out_;
  ZSTD_CCtx* cctx_;
  std::vector<char> out_buf_;
};

class PassSink : public ByteSink {
 public:
  explicit PassSink(ByteSink* out) : out_(out) {}
  Status Write(const void* data, size_t size) override { return out_->Write(data, size); }
  Status Close() override { return out_->Close(); }

 private:
  ByteSink* out_;
};

// Reads `in` through a buffer that the first bytes can be peeked from.
class InputBuffer {
 public:
  explicit InputBuffer(ByteSource* in) : in_(in), buf_(kBufferSize) {}
  // Refills when empty; false at end of stream.
  Result<bool> Fill() {
    if (pos_ < len_) return true;
    ASSIGN_OR_RETURN(len_, in_->Read(buf_.data(), buf_.size()));
    pos_ = 0;
    return len_ > 0;
  }
  uint8_t* data() { return buf_.data() + pos_; }
  size_t available() const { return len_ - pos_; }
  void Consume(size_t n) { pos_ += n; }

 private:
  ByteSource* in_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, len_ = 0;
};

class GunzipSource : public ByteSource {
 public:
  explicit GunzipSource(InputBuffer* in) : in_(in) { Reset(); }

  Result<size_t> Read(void* buffer, size_t size) override {
    while (true) {
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        // End of one gzip member: another may follow (multi-member files).
        ASSIGN_OR_RETURN(bool more, in_->Fill());
        if (!more) return size_t{0};
        if (in_->available() >= 1 && in_->data()[0] != 0x1f) {
          return Status::Corruption("gzip: unexpected data after the end of the stream");
        }
        Reset();
      }
      ASSIGN_OR_RETURN(bool more, in_->Fill());
      state_.next_in = in_->data();
      state_.avail_in = static_cast<uint32_t>(in_->available());
      state_.next_out = static_cast<uint8_t*>(buffer);
      state_.avail_out = static_cast<uint32_t>(std::min<size_t>(size, 1u << 30));
      int rc = isal_inflate(&state_);
      in_->Consume(in_->available() - state_.avail_in);
      if (rc < 0) {
        return Status::Corruption("gzip: invalid compressed data (ISA-L inflate code " +
                                  std::to_string(rc) + ")");
      }
      size_t produced = size - state_.avail_out;
      if (produced > 0) return produced;
      if (!more && state_.block_state != ISAL_BLOCK_FINISH) {
        return Status::Corruption("gzip: stream truncated before its end");
      }
    }
  }

 private:
  void Reset() {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

  InputBuffer* in_;
  inflate_state state_;
};

class ZstdSource : public ByteSource {
 public:
  explicit ZstdSource(InputBuffer* in) : in_(in), dctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(void* buffer, size_t size) override {
    while (true) {
      ASSIGN_OR_RETURN(bool more, in_->Fill());
      if (!more) {
        if (last_rc_ != 0) return Status::Corruption("zstd: stream truncated before its end");
        return size_t{0};
      }
      ZSTD_inBuffer in{in_->data(), in_->available(), 0};
      ZSTD_outBuffer out{buffer, size, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      in_->Consume(in.pos);
      if (ZSTD_isError(rc)) {
        return Status::Corruption(std::string("zstd: invalid compressed data: ") +
                                  ZSTD_getErrorName(rc));
      }
      last_rc_ = rc;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  InputBuffer* in_;
  ZSTD_DCtx* dctx_;
  size_t last_rc_ = 0;
};

class PlainSource : public ByteSource {
 public:
  explicit PlainSource(InputBuffer* in) : in_(in) {}
  Result<size_t> Read(void* buffer, size_t size) override {
    ASSIGN_OR_RETURN(bool more, in_->Fill());
    if (!more) return size_t{0};
    size_t n = std::min(size, in_->available());
    std::memcpy(buffer, in_->data(), n);
    in_->Consume(n);
    return n;
  }

 private:
  InputBuffer* in_;
};

// Detects the format on the first Read, then delegates.
class DetectingSource : public ByteSource {
 public:
  explicit DetectingSource(ByteSource* in) : input_(in) {}

  Result<size_t> Read(void* buffer, size_t size) override {
    if (!inner_) {
      // Read until at least 4 bytes are buffered or the stream ends.
      ASSIGN_OR_RETURN(bool more, input_.Fill());
      std::string_view head;
      if (more) head = {reinterpret_cast<const char*>(input_.data()), input_.available()};
      switch (DetectCompression(head)) {
        case Compression::kGzip:
          inner_ = std::make_unique<GunzipSource>(&input_);
          break;
        case Compression::kZstd:
          inner_ = std::make_unique<ZstdSource>(&input_);
          break;
        case Compression::kNone:
          inner_ = std::make_unique<PlainSource>(&input_);
          break;
      }
    }
    return inner_->Read(buffer, size);
  }

 private:
  InputBuffer input_;
  std::unique_ptr<ByteSource> inner_;
};

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::unique_ptr<ByteSink> NewCompressingSink(Compression c, ByteSink* out,
                                             const CompressionOptions& options) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipSink>(out, options.gzip_level);
    case Compression::kZstd:
      return std::make_unique<ZstdSink>(out, options);
    case Compression::kNone:
      break;
  }
  return std::make_unique<PassSink>(out);
}

Compression DetectCompression(std::string_view head) {
  auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (head.size() < magic.size()) return false;
    size_t i = 0;
    for (unsigned char m : magic) {
      if (static_cast<unsigned char>(head[i++]) != m) return false;
    }
    return true;
  };
  if (starts({0x1f, 0x8b})) return Compression::kGzip;
  if (starts({0x28, 0xb5, 0x2f, 0xfd})) return Compression::kZstd;
  return Compression::kNone;
}

std::unique_ptr<ByteSource> NewDecompressingSource(ByteSource* in) {
  return std::make_unique<DetectingSource>(in);
}

}  // namespace strata::image
