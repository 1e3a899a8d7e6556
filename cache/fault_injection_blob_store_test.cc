#include "cache/fault_injection_blob_store.h"

#include <gtest/gtest.h>

#include "cache/memory_blob_store.h"
#include "cache/test_util.h"

namespace strata::cache {
namespace {

class FaultInjectionBlobStoreTest : public ::testing::Test {
 protected:
  FaultInjectionBlobStore store_{std::make_unique<MemoryBlobStore>()};
};

TEST_F(FaultInjectionBlobStoreTest, ForwardsWhenNoFaultIsPlanned) {
  auto digest = store_.Put("data");
  ASSERT_OK(digest);
  EXPECT_TRUE(*store_.base().Has(*digest));
  EXPECT_EQ(*store_.ReadAll(*digest), "data");
  EXPECT_EQ(store_.Calls(BlobFault::kCommit), 1);
}

TEST_F(FaultInjectionBlobStoreTest, FailsExactlyTheNthWrite) {
  store_.FailNth(BlobFault::kWrite, 2);
  auto writer = store_.Create();
  ASSERT_OK(writer);
  EXPECT_OK((*writer)->Write("a", 1));
  Status second = (*writer)->Write("b", 1);
  EXPECT_EQ(second.code(), StatusCode::kIOError);
  EXPECT_NE(second.message().find("injected"), std::string::npos);
  EXPECT_OK((*writer)->Write("c", 1));
}

TEST_F(FaultInjectionBlobStoreTest, StickyFaultKeepsFailing) {
  store_.FailNth(BlobFault::kCreate, 1, /*sticky=*/true);
  EXPECT_FALSE(store_.Create().ok());
  EXPECT_FALSE(store_.Create().ok());
  store_.Clear();
  EXPECT_TRUE(store_.Create().ok());
}

TEST_F(FaultInjectionBlobStoreTest, FailedCommitPublishesNothing) {
  store_.FailNth(BlobFault::kCommit, 1);
  auto result = store_.Put("never visible");
  EXPECT_EQ(result.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(store_.base().List()->empty());
}

TEST_F(FaultInjectionBlobStoreTest, CommitAfterPublishLeavesTheBlobButFails) {
  store_.FailNth(BlobFault::kCommitAfterPublish, 1);
  auto result = store_.Put("visible");
  EXPECT_EQ(result.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(*store_.base().Has(Digest::Sha256Of("visible")));
}

TEST_F(FaultInjectionBlobStoreTest, DeleteOpenAndPutFileFaults) {
  auto digest = store_.Put("x");
  ASSERT_OK(digest);
  store_.FailNth(BlobFault::kDelete, 1);
  EXPECT_EQ(store_.Delete(*digest).code(), StatusCode::kIOError);
  EXPECT_TRUE(*store_.Has(*digest));
  store_.FailNth(BlobFault::kOpen, 1);
  EXPECT_EQ(store_.Open(*digest).status().code(), StatusCode::kIOError);
  store_.FailNth(BlobFault::kPutFile, 1);
  EXPECT_EQ(store_.PutFile("/nonexistent", std::nullopt).status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace strata::cache
