#include "coordinator/build_session.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "coordinator/build_session_table.h"
#include "coordinator/testing/recording_outbox.h"

namespace strata::coordinator {
namespace {

using std::chrono::milliseconds;

using testing::RecordingOutbox;

// The first `n` envelopes sent, each checked to go to the session's client.
std::vector<protocol::Envelope> WaitFor(const RecordingOutbox& outbox, size_t n) {
  std::vector<protocol::Envelope> out;
  for (const RecordingOutbox::Sent& s : outbox.WaitForCount(n)) {
    EXPECT_EQ(s.endpoint, Endpoint::kClient);
    EXPECT_EQ(s.peer, "peer-1");
    out.push_back(s.envelope);
  }
  EXPECT_GE(out.size(), n) << "timed out";
  return out;
}

class BuildSessionTest : public ::testing::Test {
 protected:
  BuildSession NewSession(milliseconds upload_timeout = milliseconds(60'000)) {
    return BuildSession("peer-1", 7, "b1", outbox_, clock_, upload_timeout);
  }
  RecordingOutbox outbox_;
  FakeClock clock_;
  const Digest digest_ = Digest::Sha256Of("a");
};

TEST_F(BuildSessionTest, AnEventKeepsItsOwnStepNumber) {
  BuildSession session = NewSession();
  session.OnEvent({.kind = BuildEvent::Kind::kStarted, .stage = "a", .index = 2, .total = 5,
                   .text = "RUN make"});
  session.OnEvent({.kind = BuildEvent::Kind::kStarted, .stage = "b", .index = 4, .total = 5,
                   .text = "RUN test"});
  session.OnEvent(
      {.kind = BuildEvent::Kind::kLog, .stage = "a", .index = 2, .total = 5, .text = "compiling\n"});
  std::vector<protocol::Envelope> sent = WaitFor(outbox_, 3);
  const v1::BuildEvent& log = sent[2].build_event();
  EXPECT_EQ(sent[2].request_id(), 7u);
  EXPECT_EQ(log.build_id(), "b1");
  EXPECT_EQ(log.step(), 2u);
  EXPECT_EQ(log.total_steps(), 5u);
  EXPECT_EQ(log.log().data(), "compiling\n");
  EXPECT_EQ(sent[1].build_event().started().instruction(), "RUN test");
}

TEST_F(BuildSessionTest, ItsScopeIsTheBuildsIdentity) {
  BuildSession session = NewSession();
  EXPECT_EQ(session.scope().id(), "b1");
  EXPECT_EQ(session.scope().events(), &session);
  EXPECT_EQ(session.scope().uploader(), &session);
  session.Cancel(Status::Cancelled("client gone"));
  EXPECT_EQ(session.scope().cancelled().message(), "client gone");
}

TEST_F(BuildSessionTest, UploadAsksForTheDigestsAndReturnsAtContextUploaded) {
  BuildSession session = NewSession();
  Status uploaded = Status::Internal("not returned");
  std::thread build([&] { uploaded = session.Upload({digest_}); });
  std::vector<protocol::Envelope> sent = WaitFor(outbox_, 1);
  ASSERT_TRUE(sent[0].has_missing_blobs());
  EXPECT_EQ(sent[0].missing_blobs().digests(0), digest_.ToString());
  session.ContextUploaded();
  build.join();
  EXPECT_TRUE(uploaded.ok()) << uploaded.ToString();
}

TEST_F(BuildSessionTest, AFailedUploadEndsTheRoundWithItsError) {
  BuildSession session = NewSession();
  Status uploaded;
  std::thread build([&] { uploaded = session.Upload({digest_}); });
  WaitFor(outbox_, 1);
  session.UploadFailed(Status::Corruption("digest mismatch"));
  session.ContextUploaded();
  build.join();
  EXPECT_TRUE(uploaded.code() == StatusCode::kCorruption) << uploaded.ToString();
}

TEST_F(BuildSessionTest, CancelEndsTheWaitAndEveryLaterRound) {
  BuildSession session = NewSession();
  Status uploaded;
  std::thread build([&] { uploaded = session.Upload({digest_}); });
  WaitFor(outbox_, 1);
  session.Cancel(Status::Cancelled("shutting down"));
  build.join();
  EXPECT_TRUE(uploaded.code() == StatusCode::kCancelled) << uploaded.ToString();
  EXPECT_TRUE(session.Upload({digest_}).code() == StatusCode::kCancelled);
}

TEST_F(BuildSessionTest, AClientThatNeverUploadsTimesOut) {
  BuildSession session = NewSession(milliseconds(1));
  Status uploaded = session.Upload({digest_});
  EXPECT_TRUE(uploaded.code() == StatusCode::kTimedOut) << uploaded.ToString();
}

TEST(BuildSessionTableTest, FindsSessionsByPeerAndRequest) {
  RecordingOutbox outbox;
  FakeClock clock;
  BuildSessionTable table;
  auto first = std::make_shared<BuildSession>("peer-1", 1, "b1", outbox, clock, milliseconds(1));
  auto second = std::make_shared<BuildSession>("peer-1", 2, "b2", outbox, clock, milliseconds(1));
  EXPECT_TRUE(table.Add(first));
  EXPECT_TRUE(table.Add(second));
  EXPECT_FALSE(table.Add(std::make_shared<BuildSession>("peer-1", 1, "b3", outbox, clock,
                                                        milliseconds(1))));
  EXPECT_EQ(table.Find("peer-1", 2), second);
  EXPECT_EQ(table.Find("peer-2", 2), nullptr);
  EXPECT_EQ(table.All().size(), 2u);
  table.CancelAll(Status::Cancelled("shutting down"));
  EXPECT_EQ(first->scope().cancelled().code(), StatusCode::kCancelled);
  EXPECT_EQ(second->scope().cancelled().code(), StatusCode::kCancelled);
  table.Remove(second);
  EXPECT_EQ(table.Find("peer-1", 2), nullptr);
  EXPECT_EQ(table.All().size(), 1u);
}

}  // namespace
}  // namespace strata::coordinator
