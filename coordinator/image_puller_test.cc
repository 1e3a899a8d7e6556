#include "coordinator/image_puller.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <thread>

#include "cache/test_util.h"
#include "coordinator/registry_image_fixture.h"
#include "registry/platform_match.h"

namespace strata::coordinator {
namespace {

using registry::testing::FakeRegistryClient;
using testing::SeedImage;

// Holds every FetchBlob until opened, so that pulls overlap.
class GatedRegistry : public FakeRegistryClient {
 public:
  Status FetchBlob(const image::Reference& repo, const image::Descriptor& blob,
                   const std::string& dest, const registry::ProgressFn& progress,
                   registry::BlobObserver* observer) override {
    {
      std::unique_lock lock(mu_);
      ++arrived_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    }
    return FakeRegistryClient::FetchBlob(repo, blob, dest, progress, observer);
  }
  void WaitArrived(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return arrived_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

class ImagePullerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = cache::Store::Open(dir_.path() + "/store");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    std::filesystem::create_directories(dir_.path() + "/tmp");
    puller_ = std::make_unique<ImagePuller>(*store_, registry_,
                                            ImagePullerOptions{3, dir_.path() + "/tmp"});
  }

  image::Reference Ref(const std::string& text) { return *image::ParseReference(text); }

  Result<PullOutcome> Pull(const std::string& ref, const std::string& platform = "linux/amd64") {
    events_.clear();
    return puller_->Pull(Ref(ref), platform,
                         [&](const PullEvent& e) { events_.push_back(e.id + ": " + e.status); });
  }

  bool Saw(const std::string& line) const {
    return std::find(events_.begin(), events_.end(), line) != events_.end();
  }

  std::vector<Digest> Blobs() { return *store_->blobs().List(); }

  cache::TempDir dir_;
  std::unique_ptr<cache::Store> store_;
  GatedRegistry registry_;
  std::unique_ptr<ImagePuller> puller_;
  std::vector<std::string> events_;
};

constexpr char kRepo[] = "docker.io/library/app";

TEST_F(ImagePullerTest, PullIntoAnEmptyStoreKeepsTheRegistrysManifestBytes) {
  registry_.Open();
  testing::SeededImage img = SeedImage(registry_, kRepo, "latest", {"layer-one", "layer-two!"});
  Result<PullOutcome> out = Pull("app");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->newer);
  EXPECT_EQ(out->blobs_fetched, 3);  // config and the two layers
  EXPECT_EQ(registry_.blob_fetches(), 3);
  EXPECT_EQ(out->digest, img.manifest_digest);

  const cache::ImageRecord& r = out->record;
  EXPECT_EQ(r.id, img.config_digest);
  EXPECT_EQ(r.manifest_digest, img.manifest_digest);
  EXPECT_EQ(*store_->blobs().ReadAll(r.manifest_digest), img.manifest_bytes);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].digest, img.layers[0].digest);
  EXPECT_EQ(r.layers[0].diff_id, Digest::Sha256Of("layer-one"));
  EXPECT_EQ(r.layers[1].uncompressed_size, 10u);
  EXPECT_EQ(r.platform, "linux/amd64");
  EXPECT_EQ(r.repo_digests,
            std::vector<std::string>{std::string(kRepo) + "@" + img.manifest_digest.ToString()});
  auto tag = store_->metadata().ResolveTag("docker.io/library/app:latest");
  ASSERT_TRUE(tag.ok() && tag->has_value());
  EXPECT_EQ(**tag, r.id);
  ASSERT_TRUE(store_->Fsck().ok());

  EXPECT_EQ(events_.front(), "latest: Pulling from library/app");
  std::string id = img.layers[0].digest.hex().substr(0, 12);
  EXPECT_TRUE(Saw(id + ": Pulling fs layer"));
  EXPECT_TRUE(Saw(id + ": Download complete"));
  EXPECT_TRUE(Saw(id + ": Pull complete"));
}

TEST_F(ImagePullerTest, SecondPullDownloadsNothingAndIsUpToDate) {
  registry_.Open();
  SeedImage(registry_, kRepo, "latest", {"a", "b"});
  ASSERT_TRUE(Pull("app").ok());
  int fetches = registry_.blob_fetches();
  Result<PullOutcome> again = Pull("app:latest");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->newer);
  EXPECT_EQ(again->blobs_fetched, 0);
  EXPECT_EQ(registry_.blob_fetches(), fetches);
  EXPECT_TRUE(Saw(Digest::Sha256Of("a").hex().substr(0, 12) + ": Already exists"));
}

TEST_F(ImagePullerTest, LayersTheStoreHasAreNotDownloadedAgain) {
  registry_.Open();
  SeedImage(registry_, kRepo, "1", {"base", "one"});
  SeedImage(registry_, kRepo, "2", {"base", "two"});
  ASSERT_TRUE(Pull("app:1").ok());
  int fetches = registry_.blob_fetches();
  Result<PullOutcome> second = Pull("app:2");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(registry_.blob_fetches(), fetches + 2);  // its config and layer "two"
  EXPECT_TRUE(Saw(Digest::Sha256Of("base").hex().substr(0, 12) + ": Already exists"));
  EXPECT_TRUE(second->newer);
}

TEST_F(ImagePullerTest, ACorruptBlobLeavesTheStoreAsItWas) {
  registry_.Open();
  SeedImage(registry_, kRepo, "old", {"kept"});
  ASSERT_TRUE(Pull("app:old").ok());
  std::vector<Digest> before = Blobs();
  testing::SeededImage img = SeedImage(registry_, kRepo, "latest", {"kept", "fine", "bad"});
  registry_.CorruptBlob(img.layers[2].digest);
  Result<PullOutcome> out = Pull("app");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  EXPECT_NE(out.status().message().find("does not match its digest"), std::string::npos)
      << out.status().message();
  EXPECT_EQ(Blobs(), before);
  EXPECT_FALSE(store_->metadata().ResolveTag("docker.io/library/app:latest")->has_value());
  EXPECT_TRUE(store_->Fsck().ok());
  // The registry is fine again: the next pull succeeds.
  ASSERT_TRUE(Pull("app").ok());
}

TEST_F(ImagePullerTest, ALayerThatDoesNotMatchItsDiffIdFailsAndStoresNothing) {
  registry_.Open();
  testing::SeededImage img = SeedImage(registry_, kRepo, "latest", {"one"});
  // A manifest naming a layer whose content is not the config's diff_id.
  image::Descriptor other =
      registry_.AddBlob(kRepo, "other", "application/vnd.oci.image.layer.v1.tar");
  image::Manifest m = *image::Manifest::FromJson(img.manifest_bytes);
  m.layers[0] = other;
  registry_.AddManifest(kRepo, "broken", m.media_type, m.ToJson());
  Result<PullOutcome> out = Pull("app:broken");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  EXPECT_NE(out.status().message().find("diff_id"), std::string::npos) << out.status().message();
  EXPECT_TRUE(Blobs().empty());
}

TEST_F(ImagePullerTest, ConcurrentPullsOfOneReferenceDownloadOnce) {
  SeedImage(registry_, kRepo, "latest", {"l1", "l2", "l3"});
  constexpr int kPulls = 4;
  std::vector<Result<PullOutcome>> results(kPulls, Status::Internal("not run"));
  std::vector<std::vector<std::string>> seen(kPulls);  // each caller's events
  std::vector<std::thread> threads;
  for (int i = 0; i < kPulls; ++i) {
    threads.emplace_back([&, i] {
      results[i] = puller_->Pull(Ref("app"), "linux/amd64", [&, i](const PullEvent& e) {
        if (e.status != "Downloading") seen[i].push_back(e.id + ": " + e.status);
      });
    });
  }
  registry_.WaitArrived(1);  // the leader is downloading the config
  while (puller_->waiting() < kPulls - 1) std::this_thread::yield();
  registry_.Open();
  for (std::thread& t : threads) t.join();
  int fetched = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->record.id, results[0]->record.id);
    fetched += r->blobs_fetched;
  }
  EXPECT_EQ(fetched, 4);                   // all by the one leader
  EXPECT_EQ(registry_.blob_fetches(), 4);  // config + 3 layers, once
  // The waiters saw the shared download's layers complete, as the leader did.
  for (int i = 0; i < kPulls; ++i) {
    int complete = 0;
    for (const std::string& line : seen[i]) complete += line.ends_with(": Pull complete");
    EXPECT_EQ(complete, 3) << "caller " << i;
  }
}

TEST_F(ImagePullerTest, ImagesSharingALayerDownloadItOnceWhenPulledTogether) {
  SeedImage(registry_, "docker.io/library/one", "latest", {"shared"});
  SeedImage(registry_, "docker.io/library/two", "latest", {"shared"}, "amd64", {"TWO=2"});
  Result<PullOutcome> a = Status::Internal("not run"), b = Status::Internal("not run");
  std::thread ta([&] { a = puller_->Pull(Ref("one"), "linux/amd64", {}); });
  std::thread tb([&] { b = puller_->Pull(Ref("two"), "linux/amd64", {}); });
  registry_.WaitArrived(2);  // both configs
  registry_.Open();
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(registry_.blob_fetches(), 3);  // two configs, the shared layer once
  EXPECT_TRUE(store_->Fsck().ok());
}

TEST_F(ImagePullerTest, RegistryDownIsAClearErrorAndChangesNothing) {
  registry_.Open();
  SeedImage(registry_, kRepo, "latest", {"x"});
  registry_.SetDown(true);
  Result<PullOutcome> out = Pull("app");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(out.status().message().find("docker.io"), std::string::npos);
  EXPECT_TRUE(Blobs().empty());
  EXPECT_TRUE(store_->metadata().ListImages()->empty());
}

TEST_F(ImagePullerTest, IndexPicksThePlatformAndRecordsTheIndexDigest) {
  registry_.Open();
  testing::SeededImage amd = SeedImage(registry_, kRepo, "", {"amd-layer"}, "amd64");
  testing::SeededImage arm = SeedImage(registry_, kRepo, "", {"arm-layer"}, "arm64");
  Digest index = testing::SeedIndex(registry_, kRepo, "latest", {{amd, "amd64"}, {arm, "arm64"}});
  Result<PullOutcome> out = Pull("app", "linux/arm64");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->record.id, arm.config_digest);
  EXPECT_EQ(out->record.manifest_digest, arm.manifest_digest);
  EXPECT_EQ(out->record.platform, "linux/arm64");
  EXPECT_EQ(out->digest, index);
  EXPECT_EQ(out->record.repo_digests[0], std::string(kRepo) + "@" + index.ToString());
}

TEST_F(ImagePullerTest, IndexWithoutTheWantedPlatformIsAClearError) {
  registry_.Open();
  testing::SeededImage arm = SeedImage(registry_, kRepo, "", {"arm-layer"}, "arm64");
  testing::SeedIndex(registry_, kRepo, "latest", {{arm, "arm64"}});
  Result<PullOutcome> out = Pull("app", "linux/s390x");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_NE(out.status().message().find("no matching manifest for linux/s390x"), std::string::npos)
      << out.status().message();
  EXPECT_TRUE(Blobs().empty());
}

TEST_F(ImagePullerTest, ASingleManifestOfAnotherPlatformIsRefused) {
  registry_.Open();
  SeedImage(registry_, kRepo, "latest", {"arm"}, "arm64");
  Result<PullOutcome> out = Pull("app", "linux/amd64");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("does not match the specified platform: wanted "
                                        "linux/amd64, actual: linux/arm64"),
            std::string::npos)
      << out.status().message();
}

TEST_F(ImagePullerTest, AMovedTagPullsTheNewImageAndKeepsTheOld) {
  registry_.Open();
  testing::SeededImage v1 = SeedImage(registry_, kRepo, "latest", {"v1"});
  ASSERT_TRUE(Pull("app").ok());
  testing::SeededImage v2 = SeedImage(registry_, kRepo, "latest", {"v2"});
  Result<PullOutcome> out = Pull("app");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->newer);
  EXPECT_EQ(out->record.id, v2.config_digest);
  EXPECT_EQ(**store_->metadata().ResolveTag("docker.io/library/app:latest"), v2.config_digest);
  EXPECT_TRUE(store_->metadata().GetImage(v1.config_digest)->has_value());  // now untagged
}

TEST_F(ImagePullerTest, PullByDigestTagsNothing) {
  registry_.Open();
  testing::SeededImage img = SeedImage(registry_, kRepo, "", {"x"});
  Result<PullOutcome> out = Pull("app@" + img.manifest_digest.ToString());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(store_->metadata().ListTags()->empty());
  EXPECT_EQ(out->record.repo_digests[0], std::string(kRepo) + "@" + img.manifest_digest.ToString());
}

TEST_F(ImagePullerTest, EnsurePresentUsesTheStoredImageWithoutTheRegistry) {
  registry_.Open();
  SeedImage(registry_, kRepo, "latest", {"x"});
  ASSERT_TRUE(Pull("app").ok());
  int gets = registry_.manifest_gets();
  registry_.SetDown(true);
  Result<PullOutcome> out = puller_->EnsurePresent(Ref("app"), "", {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(registry_.manifest_gets(), gets);
}

}  // namespace
}  // namespace strata::coordinator
