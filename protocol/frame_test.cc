#include "protocol/frame.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::protocol {
namespace {

Envelope SampleEnvelope() {
  Envelope envelope = NewEnvelope(99);
  v1::RemoveImage* remove = envelope.mutable_remove_image();
  remove->add_names("alpine:3.19");
  remove->add_names("sha256:abc");
  remove->set_force(true);
  return envelope;
}

TEST(FrameTest, RoundTrip) {
  Envelope sent = SampleEnvelope();
  std::string frame = EncodeFrame(sent);
  ASSERT_EQ(static_cast<uint8_t>(frame[0]), kFrameFormat);
  Result<Envelope> got = DecodeFrame(frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->SerializeAsString(), sent.SerializeAsString());
  EXPECT_EQ(got->remove_image().names(1), "sha256:abc");
}

// A COPY job names its context files, and Linux names are bytes: a name
// that is not UTF-8 (Latin-1 "été") must not make the frame unreadable.
TEST(FrameTest, JobWithAContextPathThatIsNotUtf8RoundTrips) {
  Envelope sent = NewEnvelope(7);
  v1::InputRef* input = sent.mutable_job()->add_inputs();
  input->set_name("names/latin1-\xe9t\xe9");
  input->set_digest("sha256:abc");
  Result<Envelope> got = DecodeFrame(EncodeFrame(sent));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->job().inputs(0).name(), "names/latin1-\xe9t\xe9");
}

// Every text field is bytes: a Dockerfile, a RUN argument, a label and an
// error message that are not UTF-8 cross the wire unchanged (as proto3
// strings, the frame failed to parse and was dropped).
TEST(FrameTest, TextThatIsNotUtf8RoundTripsInEveryKindOfField) {
  const std::string latin1 = "caf\xe9";
  Envelope build = NewEnvelope(8);
  build.mutable_submit_build()->set_dockerfile("FROM scratch\nLABEL a=" + latin1 + "\n");
  (*build.mutable_submit_build()->mutable_labels())["k"] = latin1;
  Result<Envelope> got = DecodeFrame(EncodeFrame(build));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->submit_build().dockerfile(), "FROM scratch\nLABEL a=" + latin1 + "\n");
  EXPECT_EQ(got->submit_build().labels().at("k"), latin1);

  Envelope job = NewEnvelope(9);
  job.mutable_job()->mutable_run()->add_args("touch /tmp/" + latin1);
  got = DecodeFrame(EncodeFrame(job));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->job().run().args(0), "touch /tmp/" + latin1);

  Envelope error = NewEnvelope(10);
  error.mutable_error()->set_message("no such file " + latin1);
  got = DecodeFrame(EncodeFrame(error));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->error().message(), "no such file " + latin1);
}

TEST(FrameTest, EmptyFrameIsRejected) {
  Result<Envelope> got = DecodeFrame("");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("empty"), std::string::npos);
}

TEST(FrameTest, UnknownFormatByteIsRejected) {
  std::string frame = EncodeFrame(SampleEnvelope());
  frame[0] = 0x02;
  Result<Envelope> got = DecodeFrame(frame);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("format byte 2"), std::string::npos);
}

TEST(FrameTest, GarbageIsRejected) {
  Result<Envelope> got = DecodeFrame(std::string("\x01\xff\xff\xff\xff\xff", 6));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("Envelope"), std::string::npos);
  EXPECT_FALSE(DecodeFrame("GET / HTTP/1.1\r\n\r\n").ok());
}

TEST(FrameTest, OversizedFrameIsRejected) {
  Envelope envelope = NewEnvelope(1);
  envelope.mutable_chunk()->set_data(std::string(2048, 'x'));
  std::string frame = EncodeFrame(envelope);
  EXPECT_TRUE(DecodeFrame(frame, frame.size()).ok());
  Result<Envelope> got = DecodeFrame(frame, 1024);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("exceeds the limit of 1024"), std::string::npos);
}

TEST(FrameTest, OtherVersionParsesButFailsTheCheck) {
  Envelope envelope = SampleEnvelope();
  envelope.set_version(kProtocolVersion + 1);
  std::string frame = EncodeFrame(envelope);
  Result<Envelope> parsed = ParseFrame(frame);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->request_id(), 99u);
  Result<Envelope> decoded = DecodeFrame(frame);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("version 2"), std::string::npos);

  envelope.set_version(0);
  EXPECT_FALSE(DecodeFrame(EncodeFrame(envelope)).ok());
}

TEST(FrameTest, EnvelopeWithoutBodyFailsTheCheck) {
  Result<Envelope> got = DecodeFrame(EncodeFrame(NewEnvelope(5)));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("no body"), std::string::npos);
}

TEST(FrameTest, UnknownBodyFromNewerPeerFailsTheCheck) {
  // Field 999 of the envelope, length-delimited, as a newer release might send.
  std::string frame = EncodeFrame(NewEnvelope(5));
  frame += std::string("\xba\x3e\x02hi", 5);  // tag (999 << 3 | 2) as varint, len 2
  Result<Envelope> parsed = ParseFrame(frame);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->body_case(), Envelope::BODY_NOT_SET);
  EXPECT_FALSE(CheckEnvelope(*parsed).ok());
}

TEST(FrameTest, ANameThatIsNotUtf8ParsesWithoutProtobufNoise) {
  // version 1, inspect_image { names: "\xff" }: names are bytes, so this is
  // a valid frame (as a proto3 string it was refused).
  std::string frame("\x01\x08\x01\xc2\x01\x03\x0a\x01\xff", 9);
  ::testing::internal::CaptureStderr();
  Result<Envelope> got = DecodeFrame(frame);
  std::string noise = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->inspect_image().names(0), "\xff");
  EXPECT_EQ(noise.find("libprotobuf"), std::string::npos) << noise;
}

TEST(FrameTest, EncodeForSendStampsVersionAndChecksSize) {
  Envelope envelope;
  envelope.mutable_ping();
  Result<std::string> frame = EncodeFrameForSend(envelope);
  ASSERT_TRUE(frame.ok());
  Result<Envelope> got = DecodeFrame(*frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->version(), kProtocolVersion);

  envelope.mutable_chunk()->set_data(std::string(4096, 'y'));
  Result<std::string> big = EncodeFrameForSend(envelope, 1024);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("chunk"), std::string::npos);
}

TEST(FrameTest, RandomBytesNeverCrash) {
  std::mt19937 random(12345);
  std::string valid = EncodeFrame(SampleEnvelope());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(random() % 64);
      for (char& c : bytes) c = static_cast<char>(random());
      if (!bytes.empty() && i % 4 == 0) bytes[0] = static_cast<char>(kFrameFormat);
    } else {
      bytes = valid;  // flip a few bytes of a valid frame
      for (int flips = 0; flips < 3; ++flips) bytes[random() % bytes.size()] ^= 1 << (random() % 8);
    }
    if (DecodeFrame(bytes).ok()) ++decoded;
  }
  EXPECT_LT(decoded, 20000);
}

}  // namespace
}  // namespace strata::protocol
