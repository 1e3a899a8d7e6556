#include "protocol/envelope.h"

#include <gtest/gtest.h>

namespace strata::protocol {
namespace {

int FieldNumber(const google::protobuf::Descriptor* message, const char* field) {
  const google::protobuf::FieldDescriptor* descriptor = message->FindFieldByName(field);
  return descriptor == nullptr ? -1 : descriptor->number();
}

TEST(EnvelopeTest, NewEnvelopeCarriesVersionAndId) {
  Envelope envelope = NewEnvelope(42);
  EXPECT_EQ(envelope.version(), kProtocolVersion);
  EXPECT_EQ(envelope.request_id(), 42u);
  EXPECT_EQ(envelope.body_case(), Envelope::BODY_NOT_SET);
}

TEST(EnvelopeTest, ErrorRoundTripsEveryStatusCode) {
  for (int code = 1; code <= static_cast<int>(StatusCode::kInternal); ++code) {
    Status status = Status(static_cast<StatusCode>(code), "what failed").WithRetryable(code % 2);
    v1::Error error = ErrorFromStatus(status);
    EXPECT_EQ(error.code(), code);
    Status back = StatusFromError(error);
    EXPECT_EQ(back, status);
    EXPECT_EQ(back.retryable(), status.retryable());
  }
}

TEST(EnvelopeTest, UnknownErrorCodeBecomesInternal) {
  v1::Error error;
  error.set_code(99);
  error.set_message("from the future");
  Status status = StatusFromError(error);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("99"), std::string::npos);
  EXPECT_NE(status.message().find("from the future"), std::string::npos);

  error.set_code(0);
  EXPECT_EQ(StatusFromError(error).code(), StatusCode::kInternal);
}

TEST(EnvelopeTest, ErrorReplyEchoesRequestId) {
  Envelope reply = ErrorReply(7, Status::NotFound("no such image: foo"));
  EXPECT_EQ(reply.request_id(), 7u);
  ASSERT_TRUE(reply.has_error());
  EXPECT_EQ(reply.error().code(), 1);
  EXPECT_EQ(reply.error().message(), "no such image: foo");
}

TEST(EnvelopeTest, BodyNameNamesTheField) {
  Envelope envelope = NewEnvelope(1);
  EXPECT_STREQ(BodyName(envelope), "none");
  envelope.mutable_list_images();
  EXPECT_STREQ(BodyName(envelope), "list_images");
  envelope.mutable_register_worker();
  EXPECT_STREQ(BodyName(envelope), "register_worker");
}

// Field numbers cross the wire: this test fails when one moves. Never
// "fix" it by editing the numbers here; see docs/protocol.md.
TEST(EnvelopeTest, FieldNumbersAreStable) {
  const auto* envelope = Envelope::descriptor();
  EXPECT_EQ(FieldNumber(envelope, "version"), 1);
  EXPECT_EQ(FieldNumber(envelope, "request_id"), 2);
  EXPECT_EQ(FieldNumber(envelope, "ping"), 10);
  EXPECT_EQ(FieldNumber(envelope, "pong"), 11);
  EXPECT_EQ(FieldNumber(envelope, "error"), 12);
  EXPECT_EQ(FieldNumber(envelope, "ack"), 13);
  EXPECT_EQ(FieldNumber(envelope, "shutdown"), 14);
  EXPECT_EQ(FieldNumber(envelope, "import_image"), 20);
  EXPECT_EQ(FieldNumber(envelope, "list_images"), 22);
  EXPECT_EQ(FieldNumber(envelope, "inspect_image"), 24);
  EXPECT_EQ(FieldNumber(envelope, "tag_image"), 26);
  EXPECT_EQ(FieldNumber(envelope, "remove_image"), 27);
  EXPECT_EQ(FieldNumber(envelope, "save_image"), 29);
  EXPECT_EQ(FieldNumber(envelope, "load_image"), 31);
  EXPECT_EQ(FieldNumber(envelope, "load_result"), 32);
  EXPECT_EQ(FieldNumber(envelope, "pull_image"), 36);
  EXPECT_EQ(FieldNumber(envelope, "pull_progress"), 37);
  EXPECT_EQ(FieldNumber(envelope, "pull_result"), 38);
  EXPECT_EQ(FieldNumber(envelope, "push_image"), 40);
  EXPECT_EQ(FieldNumber(envelope, "push_progress"), 41);
  EXPECT_EQ(FieldNumber(envelope, "push_result"), 42);
  EXPECT_EQ(FieldNumber(envelope, "submit_build"), 50);
  EXPECT_EQ(FieldNumber(envelope, "build_result"), 53);
  EXPECT_EQ(FieldNumber(envelope, "register_worker"), 80);
  EXPECT_EQ(FieldNumber(envelope, "job_result"), 85);
  EXPECT_EQ(FieldNumber(envelope, "blob_get"), 110);
  EXPECT_EQ(FieldNumber(envelope, "blob_put"), 111);
  EXPECT_EQ(FieldNumber(envelope, "chunk"), 112);

  const auto* error = v1::Error::descriptor();
  EXPECT_EQ(FieldNumber(error, "code"), 1);
  EXPECT_EQ(FieldNumber(error, "message"), 2);
  EXPECT_EQ(FieldNumber(error, "retryable"), 3);

  const auto* summary = v1::ImageSummary::descriptor();
  EXPECT_EQ(FieldNumber(summary, "id"), 1);
  EXPECT_EQ(FieldNumber(summary, "dangling"), 7);
}

}  // namespace
}  // namespace strata::protocol
