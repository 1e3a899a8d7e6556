#include "protocol/listener.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "protocol/connection.h"
#include "protocol/socket.h"

namespace strata::protocol {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout{5000};

// A raw DEALER that sends whatever bytes a test wants.
std::unique_ptr<internal::Socket> RawClient(Context& context, const std::string& endpoint) {
  internal::SocketOptions options{kDefaultMaxFrameSize, milliseconds(1000), {}};
  Result<std::unique_ptr<internal::Socket>> socket =
      internal::Socket::Create(context, internal::Socket::Kind::kDealer, options);
  EXPECT_TRUE(socket.ok()) << socket.status().ToString();
  EXPECT_TRUE((*socket)->Connect(*ParseEndpoint(endpoint)).ok());
  return std::move(socket).value();
}

// Polls until a message is accepted or `timeout` passes; counts the polls
// that came back empty-handed.
Result<std::optional<Incoming>> PollUntilAccepted(Listener& listener, int* empty_polls) {
  auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::optional<Incoming>> got = listener.Poll(milliseconds(100));
    if (!got.ok() || got->has_value()) return got;
    ++*empty_polls;
  }
  return std::optional<Incoming>();
}

Envelope Ping(uint64_t id) {
  Envelope envelope = NewEnvelope(id);
  envelope.mutable_ping();
  return envelope;
}

TEST(ListenerTest, PollReturnsNothingWhenIdle) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://idle");
  ASSERT_TRUE(listener.ok());
  Result<std::optional<Incoming>> got = (*listener)->Poll(milliseconds(20));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST(ListenerTest, GarbageFramesAreDroppedAndServingGoesOn) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(listener.ok());
  std::unique_ptr<internal::Socket> raw = RawClient(context, (*listener)->endpoint());
  std::string valid = EncodeFrame(Ping(7));
  ASSERT_TRUE(raw->Send({""}).ok());                           // empty frame
  ASSERT_TRUE(raw->Send({"\x01\xff\xff\xff\xff"}).ok());       // not protobuf
  ASSERT_TRUE(raw->Send({"GET / HTTP/1.1\r\n\r\n"}).ok());     // wrong format byte
  ASSERT_TRUE(raw->Send({valid, valid}).ok());                 // two frames
  ASSERT_TRUE(raw->Send({"", valid}).ok());                    // REQ-style delimiter
  ASSERT_TRUE(raw->Send({EncodeFrame(NewEnvelope(8))}).ok());  // no body
  ASSERT_TRUE(raw->Send({valid}).ok());

  int dropped = 0;
  Result<std::optional<Incoming>> got = PollUntilAccepted(**listener, &dropped);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->envelope.request_id(), 7u);
  EXPECT_TRUE((*got)->envelope.has_ping());
  EXPECT_GE(dropped, 6);

  // The no-body envelope was answered with an Error; the garbage was not.
  Result<std::optional<internal::Multipart>> answer = raw->Receive(kTimeout);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  Result<Envelope> error = DecodeFrame((*answer)->parts.at(0));
  ASSERT_TRUE(error.ok()) << error.status().ToString();
  EXPECT_EQ(error->request_id(), 8u);
  EXPECT_TRUE(error->has_error());
}

TEST(ListenerTest, AFloodOfGarbageWritesAFewLogLinesNotOneEach) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(listener.ok());
  std::unique_ptr<internal::Socket> raw = RawClient(context, (*listener)->endpoint());
  constexpr int kGarbage = 2000;
  for (int i = 0; i < kGarbage; ++i) ASSERT_TRUE(raw->Send({"\x01\xff\xff\xff\xff"}).ok());
  ASSERT_TRUE(raw->Send({EncodeFrame(Ping(9))}).ok());
  ::testing::internal::CaptureStderr();
  int dropped = 0;
  Result<std::optional<Incoming>> got = PollUntilAccepted(**listener, &dropped);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_GE(dropped, kGarbage);
  int lines = static_cast<int>(std::count(log.begin(), log.end(), '\n'));
  EXPECT_GE(lines, 1);   // the first ones are still told
  EXPECT_LE(lines, 20);  // a burst and one a second, not 2,000
}

TEST(ListenerTest, OversizedSenderIsCutOffAndOthersAreServed) {
  Context context;
  ListenerOptions options;
  options.max_frame_size = 1024;
  Result<std::unique_ptr<Listener>> listener =
      Listener::Bind(context, "tcp://127.0.0.1:0", options);
  ASSERT_TRUE(listener.ok());
  // Just over the limit: read, logged and dropped. Far over it: libzmq
  // disconnects the sender without reading the frame.
  std::unique_ptr<internal::Socket> slightly = RawClient(context, (*listener)->endpoint());
  Envelope over = NewEnvelope(1);
  over.mutable_blob_put()->set_data(std::string(1500, 'b'));
  ASSERT_TRUE(slightly->Send({EncodeFrame(over)}).ok());
  std::unique_ptr<internal::Socket> raw = RawClient(context, (*listener)->endpoint());
  Envelope big = NewEnvelope(1);
  big.mutable_blob_put()->set_data(std::string(64 * 1024, 'b'));
  ASSERT_TRUE(raw->Send({EncodeFrame(big)}).ok());

  Result<std::unique_ptr<Connection>> good = Connection::Connect(context, (*listener)->endpoint());
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE((*good)->Send(Ping(2)).ok());
  int empty = 0;
  Result<std::optional<Incoming>> got = PollUntilAccepted(**listener, &empty);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->envelope.request_id(), 2u);
  // Nothing else arrives: the big frame never reached the application.
  Result<std::optional<Incoming>> more = (*listener)->Poll(milliseconds(200));
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(more->has_value());
}

TEST(ListenerTest, OtherProtocolVersionIsAnsweredWithAnError) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://versions");
  ASSERT_TRUE(listener.ok());
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, "inproc://versions");
  ASSERT_TRUE(connection.ok());
  Envelope future = Ping(31);
  future.set_version(kProtocolVersion + 1);
  ASSERT_TRUE((*connection)->Send(future).ok());

  Result<std::optional<Incoming>> got = (*listener)->Poll(kTimeout);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());

  Result<Envelope> answer = (*connection)->Receive(kTimeout);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->request_id(), 31u);
  ASSERT_TRUE(answer->has_error());
  Status status = StatusFromError(answer->error());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("version 2"), std::string::npos);
}

TEST(ListenerTest, ReplyToUnknownPeerIsNotFound) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://nopeer");
  ASSERT_TRUE(listener.ok());
  Envelope reply = NewEnvelope(1);
  reply.mutable_ack();
  Status status = (*listener)->Reply(std::string("\0\x12\x34\x56\x78", 5), reply);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("peer-0012345678"), std::string::npos);
}

TEST(ListenerTest, StreamsManyRepliesToOneRequest) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://stream");
  ASSERT_TRUE(listener.ok());
  Result<std::unique_ptr<Connection>> connection = Connection::Connect(context, "inproc://stream");
  ASSERT_TRUE(connection.ok());
  Envelope save = NewEnvelope(3);
  save.mutable_save_image()->add_names("alpine");
  save.mutable_save_image()->set_streamed(true);
  ASSERT_TRUE((*connection)->Send(save).ok());
  Result<std::optional<Incoming>> in = (*listener)->Poll(kTimeout);
  ASSERT_TRUE(in.ok() && in->has_value());
  for (int i = 0; i < 3; ++i) {
    Envelope chunk = NewEnvelope(3);
    chunk.mutable_chunk()->set_offset(i);
    chunk.mutable_chunk()->set_last(i == 2);
    ASSERT_TRUE((*listener)->Reply((*in)->peer, chunk).ok());
  }
  for (int i = 0; i < 3; ++i) {
    Result<Envelope> chunk = (*connection)->Receive(kTimeout);
    ASSERT_TRUE(chunk.ok());
    EXPECT_EQ(chunk->chunk().offset(), uint64_t(i));
  }
}

}  // namespace
}  // namespace strata::protocol
