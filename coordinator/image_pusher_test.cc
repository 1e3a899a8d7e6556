#include "coordinator/image_pusher.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "cache/memory_blob_store.h"
#include "cache/test_util.h"
#include "coordinator/build_image_assembler.h"
#include "coordinator/push_service.h"
#include "coordinator/testing/recording_outbox.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "image/reference.h"
#include "registry/testing/fake_registry_client.h"

namespace strata::coordinator {
namespace {

using registry::testing::FakeRegistryClient;

constexpr char kRepo[] = "127.0.0.1:5000/app";

// Every line a push reported, in order.
class RecordingObserver : public PushObserver {
 public:
  void OnLayer(const PushLayerEvent& e) override { lines.push_back(e.id + ": " + e.status); }
  void OnTagPushed(const PushedTag& t) override {
    lines.push_back(t.tag + ": digest: " + t.digest.ToString() +
                    " size: " + std::to_string(t.size));
  }
  int Count(const std::string& suffix) const {
    int n = 0;
    for (const std::string& l : lines) {
      if (l.size() >= suffix.size() &&
          l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0)
        ++n;
    }
    return n;
  }
  std::vector<std::string> lines;
};

class ImagePusherTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(/*files=*/true); }

  void Open(bool files) {
    pusher_.reset();
    store_.reset();
    if (files) {
      auto opened = cache::Store::Open(dir_.path() + "/store");
      ASSERT_OK(opened);
      store_ = std::move(*opened);
    } else {
      auto meta = cache::MetadataStore::Open(dir_.path() + "/db");
      ASSERT_OK(meta);
      store_ = std::make_unique<cache::Store>(std::make_unique<cache::MemoryBlobStore>(),
                                              std::move(*meta));
    }
    std::filesystem::create_directories(dir_.path() + "/tmp");
    pusher_ = std::make_unique<ImagePusher>(
        *store_, &recorder_,
        ImagePusherOptions{.parallel_uploads = 2, .tmp_dir = dir_.path() + "/tmp"});
  }

  // An image of `layers` layers (distinct contents per `seed`) tagged `tags`.
  cache::ImageRecord MakeImage(int layers, const std::string& seed,
                               const std::vector<std::string>& tags) {
    ImageParts parts;
    parts.config.architecture = "amd64";
    parts.config.os = "linux";
    parts.platform = "linux/amd64";
    for (int i = 0; i < layers; ++i) {
      std::string bytes = "layer " + std::to_string(i) + " of " + seed;
      auto digest = store_->blobs().Put(bytes);
      EXPECT_TRUE(digest.ok());
      cache::LayerRecord layer;
      layer.digest = *digest;
      layer.diff_id = Digest::Sha256Of("diff " + bytes);
      layer.size = bytes.size();
      layer.media_type = std::string(image::media_type::kOciLayerGzip);
      parts.layers.push_back(layer);
    }
    std::vector<std::string> normalised;
    for (const std::string& t : tags) normalised.push_back(image::ParseReference(t)->String());
    auto record = AssembleImage(*store_, parts, normalised);
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return *record;
  }

  std::string Stored(const Digest& digest) { return *store_->blobs().ReadAll(digest); }

  cache::TempDir dir_;
  std::unique_ptr<cache::Store> store_;
  MemoryPushRecorder recorder_;
  std::unique_ptr<ImagePusher> pusher_;
  FakeRegistryClient registry_;
};

TEST_F(ImagePusherTest, EmptyRegistryGetsEveryBlobAndTheExactManifest) {
  cache::ImageRecord image = MakeImage(3, "a", {std::string(kRepo) + ":latest"});
  RecordingObserver observer;
  auto outcome = pusher_->Push(registry_, {.name = kRepo}, observer);
  ASSERT_OK(outcome);
  EXPECT_EQ(outcome->repository, kRepo);
  ASSERT_EQ(outcome->tags.size(), 1u);
  EXPECT_EQ(outcome->tags[0].tag, "latest");
  EXPECT_EQ(outcome->tags[0].digest, image.manifest_digest);
  EXPECT_EQ(registry_.blob_pushes(), 4);  // 3 layers + config
  std::string manifest = Stored(image.manifest_digest);
  EXPECT_EQ(outcome->tags[0].size, manifest.size());
  EXPECT_EQ(registry_.ManifestBytes(kRepo, "latest"), manifest);
  auto repo = image::ParseReference(kRepo);
  for (const cache::LayerRecord& layer : image.layers) {
    EXPECT_TRUE(*registry_.HasBlob(*repo, layer.digest));
  }
  EXPECT_TRUE(*registry_.HasBlob(*repo, image.config_digest));

  // Docker's lines: Preparing, top layer first; then Pushed per layer; the digest line.
  ASSERT_GE(observer.lines.size(), 3u);
  EXPECT_EQ(observer.lines[0], ShortLayerId(image.layers[2].diff_id) + ": Preparing");
  EXPECT_EQ(observer.lines[2], ShortLayerId(image.layers[0].diff_id) + ": Preparing");
  EXPECT_EQ(observer.Count(": Waiting"), 1);  // 2 at once: the third layer waits
  EXPECT_EQ(observer.Count(": Pushed"), 3);
  EXPECT_EQ(observer.lines.back(), "latest: digest: " + image.manifest_digest.ToString() +
                                       " size: " + std::to_string(manifest.size()));
}

TEST_F(ImagePusherTest, SecondPushSendsNoBlobAndSaysLayerAlreadyExists) {
  cache::ImageRecord image = MakeImage(2, "a", {std::string(kRepo) + ":v1"});
  RecordingObserver first, second;
  ASSERT_OK(pusher_->Push(registry_, {.name = std::string(kRepo) + ":v1"}, first));
  const int pushes = registry_.blob_pushes();
  auto again = pusher_->Push(registry_, {.name = std::string(kRepo) + ":v1"}, second);
  ASSERT_OK(again);
  EXPECT_EQ(registry_.blob_pushes(), pushes);
  EXPECT_EQ(second.Count(": Layer already exists"), 2);
  EXPECT_EQ(second.Count(": Pushed"), 0);
  EXPECT_EQ(again->tags[0].digest, image.manifest_digest);
}

TEST_F(ImagePusherTest, SharedBaseLayersAreNotSentAgain) {
  cache::ImageRecord base = MakeImage(2, "base", {std::string(kRepo) + ":base"});
  RecordingObserver observer;
  ASSERT_OK(pusher_->Push(registry_, {.name = std::string(kRepo) + ":base"}, observer));
  // The same two layers plus a new one: only the new layer and config go.
  ImageParts parts;
  parts.layers = base.layers;
  auto top = store_->blobs().Put("top layer");
  parts.layers.push_back(
      {*top, Digest::Sha256Of("diff top"), 9, std::string(image::media_type::kOciLayerGzip), 0});
  parts.config.os = "linux";
  ASSERT_OK(AssembleImage(*store_, parts,
                          {image::ParseReference(std::string(kRepo) + ":top")->String()}));
  const int before = registry_.blob_pushes();
  RecordingObserver top_observer;
  ASSERT_OK(pusher_->Push(registry_, {.name = std::string(kRepo) + ":top"}, top_observer));
  EXPECT_EQ(registry_.blob_pushes() - before, 2);
  EXPECT_EQ(top_observer.Count(": Layer already exists"), 2);
  EXPECT_EQ(top_observer.Count(": Pushed"), 1);
}

TEST_F(ImagePusherTest, AnotherRepositoryOfTheRegistryMountsWhatAnEarlierPushSent) {
  MakeImage(2, "a", {"127.0.0.1:5000/first:latest", "127.0.0.1:5000/second:latest"});
  RecordingObserver first, second;
  ASSERT_OK(pusher_->Push(registry_, {.name = "127.0.0.1:5000/first"}, first));
  const int pushes = registry_.blob_pushes();
  ASSERT_OK(pusher_->Push(registry_, {.name = "127.0.0.1:5000/second"}, second));
  EXPECT_EQ(registry_.blob_pushes(), pushes);  // all mounted
  EXPECT_EQ(second.Count(": Mounted from first"), 2);
  EXPECT_NE(registry_.ManifestBytes("127.0.0.1:5000/second", "latest"), "");
}

TEST_F(ImagePusherTest, AllTagsPushesEachTagOfTheRepositoryOnly) {
  MakeImage(1, "a", {std::string(kRepo) + ":v1", "127.0.0.1:5000/other:v9"});
  MakeImage(1, "b", {std::string(kRepo) + ":v2"});
  RecordingObserver observer;
  auto outcome = pusher_->Push(registry_, {.name = kRepo, .all_tags = true}, observer);
  ASSERT_OK(outcome);
  ASSERT_EQ(outcome->tags.size(), 2u);
  EXPECT_EQ(outcome->tags[0].tag, "v1");
  EXPECT_EQ(outcome->tags[1].tag, "v2");
  EXPECT_TRUE(registry_.HasTag(kRepo, "v1"));
  EXPECT_TRUE(registry_.HasTag(kRepo, "v2"));
  EXPECT_FALSE(registry_.HasTag("127.0.0.1:5000/other", "v9"));

  auto tagged =
      pusher_->Push(registry_, {.name = std::string(kRepo) + ":v1", .all_tags = true}, observer);
  ASSERT_FALSE(tagged.ok());
  EXPECT_EQ(tagged.status().message(), "tag can't be used with --all-tags/-a");
}

TEST_F(ImagePusherTest, MissingImageHasDockersMessage) {
  MakeImage(1, "a", {std::string(kRepo) + ":v1"});
  RecordingObserver observer;
  auto outcome = pusher_->Push(registry_, {.name = std::string(kRepo) + ":v2"}, observer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(outcome.status().message(),
            "An image does not exist locally with the tag: 127.0.0.1:5000/app");
  auto none =
      pusher_->Push(registry_, {.name = "127.0.0.1:5000/nothing", .all_tags = true}, observer);
  EXPECT_EQ(none.status().message(),
            "An image does not exist locally with the tag: 127.0.0.1:5000/nothing");
  EXPECT_EQ(registry_.blob_pushes(), 0);
}

TEST_F(ImagePusherTest, RegistryDownIsAClearErrorAndNoTagMoves) {
  MakeImage(2, "a", {std::string(kRepo) + ":latest"});
  registry_.SetDown(true);
  RecordingObserver observer;
  auto outcome = pusher_->Push(registry_, {.name = kRepo}, observer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(outcome.status().message().find("registry 127.0.0.1:5000"), std::string::npos)
      << outcome.status().message();
  registry_.SetDown(false);
  EXPECT_FALSE(registry_.HasTag(kRepo, "latest"));
  EXPECT_EQ(observer.Count(": Pushed"), 0);
}

TEST_F(ImagePusherTest, DigestReferenceIsRefused) {
  RecordingObserver observer;
  auto outcome = pusher_->Push(
      registry_, {.name = std::string(kRepo) + "@" + Digest::Sha256Of("x").ToString()}, observer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ImagePusherTest, StoreWithoutFilesIsSpooledAndCleanedUp) {
  Open(/*files=*/false);
  cache::ImageRecord image = MakeImage(2, "mem", {std::string(kRepo) + ":latest"});
  RecordingObserver observer;
  auto outcome = pusher_->Push(registry_, {.name = kRepo}, observer);
  ASSERT_OK(outcome);
  EXPECT_EQ(registry_.blob_pushes(), 3);
  EXPECT_EQ(registry_.ManifestBytes(kRepo, "latest"), Stored(image.manifest_digest));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/tmp"));
}

// ---- PushService: the protocol side ----

bool IsPushEnd(const protocol::Envelope& e) { return e.has_push_result(); }

TEST_F(ImagePusherTest, ServiceStreamsProgressThenResultAndPassesTheCredentials) {
  cache::ImageRecord image = MakeImage(1, "svc", {std::string(kRepo) + ":latest"});
  std::vector<v1::RegistryAuth> seen;  // one per request, before its push
  testing::RecordingOutbox outbox;
  {
    PushService service(
        *pusher_, registry_, [&](const v1::RegistryAuth& auth) { seen.push_back(auth); }, outbox);
    protocol::Envelope request = protocol::NewEnvelope(7);
    request.mutable_push_image()->set_name(kRepo);
    request.mutable_push_image()->mutable_auth()->set_server("127.0.0.1:5000");
    request.mutable_push_image()->mutable_auth()->set_username("u");
    request.mutable_push_image()->mutable_auth()->set_password("p");
    ASSERT_TRUE(service.Handles(request));
    service.HandleClient("peer", request);
    std::vector<protocol::Envelope> got = outbox.WaitEnd(7, IsPushEnd);
    ASSERT_FALSE(got.empty());
    ASSERT_TRUE(got.back().has_push_result()) << got.back().DebugString();
    EXPECT_EQ(got.back().push_result().repository(), kRepo);
    ASSERT_EQ(got.back().push_result().tags_size(), 1);
    EXPECT_EQ(got.back().push_result().tags(0).digest(), image.manifest_digest.ToString());
    bool pushed_line = false, tag_line = false;
    for (const auto& e : got) {
      if (!e.has_push_progress()) continue;
      if (e.push_progress().status() == "Pushed") pushed_line = true;
      if (e.push_progress().has_pushed()) tag_line = true;
    }
    EXPECT_TRUE(pushed_line);
    EXPECT_TRUE(tag_line);
    EXPECT_TRUE(registry_.HasTag(kRepo, "latest"));

    protocol::Envelope missing = protocol::NewEnvelope(8);
    missing.mutable_push_image()->set_name("127.0.0.1:5000/none");
    service.HandleClient("peer", missing);
    std::vector<protocol::Envelope> failed = outbox.WaitEnd(8, IsPushEnd);
    ASSERT_TRUE(failed.back().has_error());
    EXPECT_EQ(failed.back().error().message(),
              "An image does not exist locally with the tag: 127.0.0.1:5000/none");
    EXPECT_FALSE(service.Handles(protocol::NewEnvelope(9)));
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].server(), "127.0.0.1:5000");
  EXPECT_EQ(seen[0].username(), "u");
  EXPECT_EQ(seen[0].password(), "p");
  EXPECT_EQ(seen[1].username(), "");  // no auth sent: anonymous
}

}  // namespace
}  // namespace strata::coordinator
