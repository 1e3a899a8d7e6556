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

// One decompression format, driven from either side: Step consumes what it
// can of `in` and writes at most `out_size` bytes to `out`; Finish, at the
// end of the input, reports a stream cut short. Not thread-safe.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Advances in/in_size past what was consumed; returns the bytes produced.
  virtual Result<size_t> Step(const uint8_t** in, size_t* in_size, uint8_t* out,
                              size_t out_size) = 0;
  virtual Status Finish() = 0;
};

class GunzipDecoder : public Decoder {
 public:
  GunzipDecoder() { Reset(); }

  Result<size_t> Step(const uint8_t** in, size_t* in_size, uint8_t* out,
                      size_t out_size) override {
    if (state_.block_state == ISAL_BLOCK_FINISH) {
      // End of one gzip member: another may follow (multi-member files).
      if (*in_size == 0) return size_t{0};
      if ((*in)[0] != 0x1f) {
        return Status::Corruption("gzip: unexpected data after the end of the stream");
      }
      Reset();
    }
    state_.next_in = const_cast<uint8_t*>(*in);
    state_.avail_in = static_cast<uint32_t>(std::min<size_t>(*in_size, 1u << 30));
    state_.next_out = out;
    state_.avail_out = static_cast<uint32_t>(std::min<size_t>(out_size, 1u << 30));
    uint32_t offered = state_.avail_in;
    int rc = isal_inflate(&state_);
    size_t consumed = offered - state_.avail_in;
    *in += consumed;
    *in_size -= consumed;
    if (rc < 0) {
      return Status::Corruption("gzip: invalid compressed data (ISA-L inflate code " +
                                std::to_string(rc) + ")");
    }
    return std::min<size_t>(out_size, 1u << 30) - state_.avail_out;
  }

  Status Finish() override {
    if (state_.block_state != ISAL_BLOCK_FINISH) {
      return Status::Corruption("gzip: stream truncated before its end");
    }
    return Status::OK();
  }

 private:
  void Reset() {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

  inflate_state state_;
};

class ZstdDecoder : public Decoder {
 public:
  ZstdDecoder() : dctx_(ZSTD_createDCtx()) {}
  ~ZstdDecoder() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Step(const uint8_t** in, size_t* in_size, uint8_t* out,
                      size_t out_size) override {
    ZSTD_inBuffer input{*in, *in_size, 0};
    ZSTD_outBuffer output{out, out_size, 0};
    size_t rc = ZSTD_decompressStream(dctx_, &output, &input);
    *in += input.pos;
    *in_size -= input.pos;
    if (ZSTD_isError(rc)) {
      return Status::Corruption(std::string("zstd: invalid compressed data: ") +
                                ZSTD_getErrorName(rc));
    }
    // A call that moved nothing (empty input at the end) says nothing new
    // about where the frame stands.
    if (input.pos > 0 || output.pos > 0) last_rc_ = rc;
    return output.pos;
  }

  Status Finish() override {
    if (last_rc_ != 0) return Status::Corruption("zstd: stream truncated before its end");
    return Status::OK();
  }

 private:
  ZSTD_DCtx* dctx_;
  size_t last_rc_ = 0;
};

class PlainDecoder : public Decoder {
 public:
  Result<size_t> Step(const uint8_t** in, size_t* in_size, uint8_t* out,
                      size_t out_size) override {
    size_t n = std::min(*in_size, out_size);
    if (n > 0) std::memcpy(out, *in, n);
    *in += n;
    *in_size -= n;
    return n;
  }
  Status Finish() override { return Status::OK(); }
};

std::unique_ptr<Decoder> NewDecoder(std::string_view head) {
  switch (DetectCompression(head)) {
    case Compression::kGzip:
      return std::make_unique<GunzipDecoder>();
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>();
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainDecoder>();
}

// Pulls `in` through a buffer and a decoder chosen from the first bytes.
class DecompressingSource : public ByteSource {
 public:
  explicit DecompressingSource(ByteSource* in) : in_(in), buf_(kBufferSize) {}

  Result<size_t> Read(void* buffer, size_t size) override {
    while (true) {
      if (pos_ == len_ && !eof_) {
        ASSIGN_OR_RETURN(len_, in_->Read(buf_.data(), buf_.size()));
        pos_ = 0;
        eof_ = len_ == 0;
      }
      if (!decoder_) {
        decoder_ = NewDecoder({reinterpret_cast<const char*>(buf_.data()), len_});
      }
      const uint8_t* next = buf_.data() + pos_;
      size_t avail = len_ - pos_;
      ASSIGN_OR_RETURN(size_t produced,
                       decoder_->Step(&next, &avail, static_cast<uint8_t*>(buffer), size));
      pos_ = len_ - avail;
      if (produced > 0) return produced;
      if (eof_) {
        TRY(decoder_->Finish());
        return size_t{0};
      }
    }
  }

 private:
  ByteSource* in_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  std::unique_ptr<Decoder> decoder_;
};

// Takes compressed bytes as they come and writes their decompression to
// `out`; the format is chosen once the first four bytes are in.
class DecompressingSink : public ByteSink {
 public:
  explicit DecompressingSink(ByteSink* out) : out_(out), buf_(kBufferSize) {}

  Status Write(const void* data, size_t size) override {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    if (!decoder_) {
      size_t take = std::min(size, 4 - head_.size());
      head_.append(reinterpret_cast<const char*>(p), take);
      p += take;
      size -= take;
      if (head_.size() < 4) return Status::OK();
      TRY(Start());
    }
    return Feed(p, size);
  }

  Status Close() override {
    if (!decoder_) TRY(Start());
    TRY(Feed(nullptr, 0));
    TRY(decoder_->Finish());
    return out_->Close();
  }

 private:
  Status Start() {
    decoder_ = NewDecoder(head_);
    return Feed(reinterpret_cast<const uint8_t*>(head_.data()), head_.size());
  }

  // Steps until the input is used up and the decoder has nothing pending.
  Status Feed(const uint8_t* p, size_t size) {
    while (true) {
      size_t before = size;
      ASSIGN_OR_RETURN(size_t produced, decoder_->Step(&p, &size, buf_.data(), buf_.size()));
      if (produced > 0) TRY(out_->Write(buf_.data(), produced));
      if (produced == buf_.size()) continue;  // more may be pending
      if (size == 0) return Status::OK();
      if (produced == 0 && size == before) {
        return Status::Corruption("decompression made no progress on its input");
      }
    }
  }

  ByteSink* out_;
  std::vector<uint8_t> buf_;
  std::string head_;
  std::unique_ptr<Decoder> decoder_;
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
  return std::make_unique<DecompressingSource>(in);
}

std::unique_ptr<ByteSink> NewDecompressingSink(ByteSink* out) {
  return std::make_unique<DecompressingSink>(out);
}

}  // namespace strata::image
