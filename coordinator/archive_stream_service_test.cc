// Streamed archive uploads that never finish are dropped with their temp
// files: after two idle minutes, or when their client goes away.

#include "coordinator/archive_stream_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cache/test_util.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "coordinator/testing/recording_outbox.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;

class ArchiveStreamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok()) << store_.status().ToString();
    ASSERT_TRUE(MakeDirs(tmp_, 0700).ok());
    images_ = std::make_unique<ImageService>(**store_, clock_, tmp_);
    service_ = std::make_unique<ArchiveStreamService>(*images_, outbox_, clock_, tmp_);
  }

  // Starts a streamed import as request `id` of `peer` and sends its first chunk.
  void StartImport(const std::string& peer, uint64_t id) {
    Envelope import = protocol::NewEnvelope(id);
    import.mutable_import_image()->set_streamed(true);
    ASSERT_TRUE(service_->Handles(import));
    service_->HandleClient(peer, import);
    Envelope chunk = protocol::NewEnvelope(id);
    chunk.mutable_chunk()->set_offset(0);
    chunk.mutable_chunk()->set_data(std::string(1000, 'x'));
    service_->HandleClient(peer, chunk);
  }
  size_t TempFiles() { return ListDirectory(tmp_)->size(); }
  // The errors sent to `peer` so far.
  size_t ErrorsTo(const std::string& peer) {
    size_t n = 0;
    for (const auto& sent : outbox_.sent()) n += sent.peer == peer && sent.envelope.has_error();
    return n;
  }

  cache::TempDir dir_;
  std::string tmp_ = dir_.path() + "/tmp";
  FakeClock clock_;
  Result<std::unique_ptr<cache::Store>> store_ = cache::Store::Open(dir_.path() + "/store");
  testing::RecordingOutbox outbox_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<ArchiveStreamService> service_;
};

TEST_F(ArchiveStreamServiceTest, AnUploadIdleForTwoMinutesIsDroppedWithItsTempFile) {
  StartImport("peer-a", 1);
  ASSERT_EQ(service_->pending_uploads(), 1u);
  ASSERT_EQ(TempFiles(), 1u);
  clock_.Advance(ArchiveStreamService::kUploadIdleNanos - 1);
  service_->Tick();
  EXPECT_EQ(service_->pending_uploads(), 1u) << "dropped before its time";
  clock_.Advance(1);
  service_->Tick();
  EXPECT_EQ(service_->pending_uploads(), 0u);
  EXPECT_EQ(TempFiles(), 0u);
  EXPECT_EQ(ErrorsTo("peer-a"), 1u);
}

TEST_F(ArchiveStreamServiceTest, AClientGoneLosesItsUploadsOnly) {
  StartImport("peer-a", 1);
  StartImport("peer-a", 2);
  StartImport("peer-b", 1);
  ASSERT_EQ(TempFiles(), 3u);
  service_->OnClientGone("peer-a");
  EXPECT_EQ(service_->pending_uploads(), 1u);
  EXPECT_EQ(TempFiles(), 1u);
  EXPECT_EQ(ErrorsTo("peer-b"), 0u);
}

}  // namespace
}  // namespace strata::coordinator
