#include "image/threaded_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

namespace strata::image {
namespace {

// Bytes 0..n-1 of a pattern that shows reordering and loss.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 251) & 0xff);
  return s;
}

// Writes `data` in pieces of growing, odd sizes.
Status WriteInPieces(ByteSink* sink, const std::string& data) {
  size_t pos = 0;
  for (size_t piece = 1; pos < data.size(); piece = piece * 3 % 1000 + 1) {
    size_t n = std::min(piece, data.size() - pos);
    TRY(sink->Write(data.data() + pos, n));
    pos += n;
  }
  return Status::OK();
}

// Accepts `limit` bytes, then fails every Write; counts Close calls.
class FailingAfterSink : public ByteSink {
 public:
  explicit FailingAfterSink(size_t limit) : limit_(limit) {}
  Status Write(const void*, size_t size) override {
    if (written_ + size > limit_)
      return Status::IOError("disk full after " + std::to_string(limit_));
    written_ += size;
    return Status::OK();
  }
  Status Close() override {
    ++closes;
    return Status::OK();
  }
  std::atomic<int> closes{0};

 private:
  size_t limit_;
  size_t written_ = 0;
};

// Records the order of Close calls across sinks, and can fail its Close.
class CloseOrderSink : public ByteSink {
 public:
  CloseOrderSink(std::vector<int>* order, int id, bool fail = false)
      : order_(order), id_(id), fail_(fail) {}
  Status Write(const void*, size_t) override { return Status::OK(); }
  Status Close() override {
    order_->push_back(id_);
    return fail_ ? Status::IOError("close of sink " + std::to_string(id_) + " failed")
                 : Status::OK();
  }

 private:
  std::vector<int>* order_;
  int id_;
  bool fail_;
};

TEST(ThreadedSinkTest, EveryDownstreamGetsTheWholeStreamInOrder) {
  std::string data = Pattern(100000);
  for (size_t chunk_size : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
    StringSink a, b, c;
    ThreadedSink sink({{&a}, {&b}, {&c}}, chunk_size, /*max_chunks=*/2);
    ASSERT_TRUE(WriteInPieces(&sink, data).ok());
    ASSERT_TRUE(sink.Close().ok());
    for (StringSink* s : {&a, &b, &c}) {
      EXPECT_TRUE(s->closed()) << chunk_size;
      EXPECT_EQ(s->data(), data) << chunk_size;
    }
  }
}

// Keeps the bytes and the size of every Write.
class RecordingSink : public StringSink {
 public:
  Status Write(const void* data, size_t size) override {
    sizes.push_back(size);
    return StringSink::Write(data, size);
  }
  std::vector<size_t> sizes;
};

TEST(ThreadedSinkTest, EachDownstreamGetsPiecesOfItsOwnSize) {
  std::string data = Pattern(10 * 1000 + 123);
  RecordingSink whole, quarter, tenth;
  ThreadedSink sink({{&whole, 0}, {&quarter, 250}, {&tenth, 100}}, /*chunk_size=*/1000,
                    /*max_chunks=*/3);
  ASSERT_TRUE(WriteInPieces(&sink, data).ok());
  ASSERT_TRUE(sink.Close().ok());
  for (auto [s, piece] : {std::pair{&whole, 1000}, {&quarter, 250}, {&tenth, 100}}) {
    EXPECT_EQ(s->data(), data) << piece;
    EXPECT_TRUE(s->closed());
    ASSERT_FALSE(s->sizes.empty());
    for (size_t i = 0; i + 1 < s->sizes.size(); ++i) ASSERT_EQ(s->sizes[i], size_t(piece)) << i;
    EXPECT_EQ(s->sizes.back(), data.size() % piece) << "the last piece is the rest";
  }
}

TEST(ThreadedSinkTest, SingleDownstreamAndEmptyStream) {
  StringSink one;
  ThreadedSink sink(&one);
  ASSERT_TRUE(sink.Write("abc").ok());
  ASSERT_TRUE(sink.Write("").ok());
  ASSERT_TRUE(sink.Write("de").ok());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(one.data(), "abcde");
  EXPECT_TRUE(one.closed());

  StringSink empty;
  ThreadedSink nothing(&empty);
  ASSERT_TRUE(nothing.Close().ok());
  EXPECT_TRUE(empty.closed());
  EXPECT_EQ(empty.data(), "");
}

TEST(ThreadedSinkTest, DownstreamErrorReachesWriteAndCloseAndStopsTheOthers) {
  StringSink good;
  FailingAfterSink bad(5000);
  ThreadedSink sink({{&good}, {&bad}}, /*chunk_size=*/1000, /*max_chunks=*/2);
  // The producer can run at most a few chunks ahead of the failed
  // downstream, so a long stream must see the error in Write.
  std::string data = Pattern(1000);
  Status s;
  for (int i = 0; i < 1000 && s.ok(); ++i) s = sink.Write(data);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("disk full after 5000"), std::string::npos) << s.ToString();
  Status closed = sink.Close();
  EXPECT_EQ(closed.message(), s.message());
  EXPECT_EQ(sink.Close().message(), s.message()) << "a second Close repeats the error";
  // A failed stream closes no downstream: the caller discards them.
  EXPECT_FALSE(good.closed());
  EXPECT_EQ(bad.closes, 0);
  EXPECT_LT(good.data().size(), 1000u * 1000u);
}

TEST(ThreadedSinkTest, ErrorInTheLastChunkIsReportedByClose) {
  StringSink good;
  FailingAfterSink bad(10);
  ThreadedSink sink({{&good}, {&bad}}, /*chunk_size=*/1 << 20);
  ASSERT_TRUE(sink.Write(Pattern(100)).ok());  // stays in the producer's chunk
  Status s = sink.Close();
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_FALSE(good.closed());
}

TEST(ThreadedSinkTest, ClosesDownstreamsInOrderAndReportsTheFirstCloseError) {
  std::vector<int> order;
  CloseOrderSink s1(&order, 1), s2(&order, 2, /*fail=*/true), s3(&order, 3, /*fail=*/true);
  ThreadedSink sink({{&s1}, {&s2}, {&s3}});
  ASSERT_TRUE(sink.Write("x").ok());
  Status s = sink.Close();
  EXPECT_EQ(s.message(), "close of sink 2 failed");
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3})) << "every downstream is closed once";
  EXPECT_EQ(sink.Close().message(), "close of sink 2 failed");
  EXPECT_EQ(order.size(), 3u) << "a second Close closes nothing again";
}

TEST(ThreadedSinkTest, WriteAfterCloseFails) {
  StringSink out;
  ThreadedSink sink(&out);
  ASSERT_TRUE(sink.Close().ok());
  Status s = sink.Write("late");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(out.data(), "");
}

TEST(ThreadedSinkTest, DestroyedUnclosedStopsWithoutClosingDownstreams) {
  StringSink a;
  FailingAfterSink b(1 << 30);
  {
    ThreadedSink sink({{&a}, {&b}}, /*chunk_size=*/64, /*max_chunks=*/1);
    ASSERT_TRUE(WriteInPieces(&sink, Pattern(100000)).ok());
  }
  EXPECT_FALSE(a.closed());
  EXPECT_EQ(b.closes, 0);
  // Whatever reached `a` is a prefix of the stream, in order.
  EXPECT_EQ(a.data(), Pattern(100000).substr(0, a.data().size()));
}

}  // namespace
}  // namespace strata::image
