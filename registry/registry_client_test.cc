// The libcurl RegistryClient against Debian's docker-registry on loopback
// (skipped when /usr/bin/docker-registry is missing), with the token issuer
// and the fault proxy of registry/testing for what a healthy registry never
// does.

#include "registry/registry_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "image/media_types.h"
#include "registry/credential_store.h"
#include "registry/testing/fault_proxy.h"
#include "registry/testing/registry_process.h"
#include "registry/testing/test_http_server.h"
#include "registry/testing/token_issuer.h"

namespace strata::registry {
namespace {

namespace mt = image::media_type;
using testing::FaultProxy;
using testing::RegistryProcess;
using testing::TokenIssuer;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

image::Reference Ref(const std::string& text) {
  Result<image::Reference> r = image::ParseReference(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return *r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A blob written to a file, with its descriptor.
struct Blob {
  image::Descriptor desc;
  std::string path;
  std::string bytes;
};

class RegistryClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RegistryProcess::Available()) GTEST_SKIP() << "/usr/bin/docker-registry is missing";
    std::string base = std::filesystem::temp_directory_path() / "strata-regclient-test-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    unsetenv("STRATA_INSECURE_REGISTRIES");
  }
  void TearDown() override {
    proxy_.reset();
    registry_.reset();
    issuer_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void StartRegistry(RegistryProcess::Mode mode) {
    RegistryProcess::Options o;
    o.mode = mode;
    o.dir = dir_ + "/registry";
    if (mode == RegistryProcess::Mode::kToken) {
      TokenIssuer::Options t;
      t.dir = dir_;
      auto issuer = TokenIssuer::Start(t);
      ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
      issuer_ = std::move(*issuer);
      o.token_realm = issuer_->realm();
      o.token_service = t.service;
      o.token_issuer = t.issuer;
      o.token_cert_path = issuer_->cert_path();
    }
    auto r = RegistryProcess::Start(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(*r);
    host_ = registry_->address();
  }
  // Clients then talk to the proxy instead of the registry.
  void StartProxy() {
    proxy_ = std::make_unique<FaultProxy>(registry_->address());
    ASSERT_FALSE(proxy_->address().empty());
    host_ = proxy_->address();
  }

  std::unique_ptr<RegistryClient> Client(std::shared_ptr<CredentialStore> creds = nullptr,
                                         RegistryClientOptions o = Fast()) {
    return NewRegistryClient(std::move(o), std::move(creds));
  }
  static RegistryClientOptions Fast() {
    RegistryClientOptions o;
    o.initial_backoff_ms = 5;
    return o;
  }
  std::shared_ptr<CredentialStore> Login(const std::string& user, const std::string& password) {
    auto store = NewFileCredentialStore({dir_ + "/auth-" + user + password + ".json", ""});
    EXPECT_TRUE(store->Put(host_, {user, password}).ok());
    return store;
  }

  Blob MakeBlob(const std::string& bytes, const std::string& media_type) {
    static int n = 0;
    Blob b;
    b.bytes = bytes;
    b.path = dir_ + "/blob-" + std::to_string(++n);
    std::ofstream(b.path, std::ios::binary) << bytes;
    b.desc.media_type = media_type;
    b.desc.digest = Digest::Sha256Of(bytes);
    b.desc.size = static_cast<int64_t>(bytes.size());
    return b;
  }

  // Pushes a config and one layer and returns the manifest's bytes (not yet pushed).
  std::string PushImageBlobs(RegistryClient& client, const image::Reference& repo,
                             const std::string& arch, Blob* layer_out = nullptr) {
    Blob config = MakeBlob(nlohmann::json({{"architecture", arch},
                                           {"os", "linux"},
                                           {"rootfs", {{"type", "layers"}, {"diff_ids", {}}}}})
                               .dump(),
                           std::string(mt::kOciConfig));
    Blob layer = MakeBlob(RandomBytes(100'000, arch.size()), std::string(mt::kOciLayerGzip));
    for (const Blob* b : {&config, &layer}) {
      Result<bool> sent = client.PushBlob(repo, b->desc, b->path, "", nullptr);
      EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    }
    if (layer_out != nullptr) *layer_out = layer;
    nlohmann::json m = {{"schemaVersion", 2},
                        {"mediaType", mt::kOciManifest},
                        {"config", nlohmann::json::parse(config.desc.ToJson())},
                        {"layers", {nlohmann::json::parse(layer.desc.ToJson())}}};
    return m.dump();
  }

  std::string dir_;
  std::string host_;
  std::unique_ptr<TokenIssuer> issuer_;
  std::unique_ptr<RegistryProcess> registry_;
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(RegistryClientTest, PushedImageResolvesAndItsBlobsComeBack) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  image::Reference ref = Ref(host_ + "/app/web:1.0");
  Blob layer;
  std::string manifest = PushImageBlobs(*client, ref, "amd64", &layer);
  Result<Digest> pushed = client->PushManifest(ref, std::string(mt::kOciManifest), manifest);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(*pushed, Digest::Sha256Of(manifest));

  Result<ResolvedImage> resolved = client->Resolve(ref, "linux/amd64");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->top_digest, *pushed);
  EXPECT_EQ(resolved->manifest.digest, *pushed);
  EXPECT_EQ(resolved->manifest.bytes, manifest);
  EXPECT_EQ(resolved->manifest.media_type, mt::kOciManifest);
  EXPECT_FALSE(resolved->platform.has_value());

  // By digest too.
  Result<ResolvedImage> by_digest =
      client->Resolve(Ref(host_ + "/app/web@" + pushed->ToString()), "");
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().ToString();
  EXPECT_EQ(by_digest->manifest.bytes, manifest);

  Result<std::optional<Digest>> head = client->HeadManifest(ref);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, std::optional<Digest>(*pushed));
  head = client->HeadManifest(Ref(host_ + "/app/web:nope"));
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_FALSE(head->has_value());

  std::string dest = dir_ + "/fetched";
  uint64_t last_done = 0;
  Status fetched =
      client->FetchBlob(ref, layer.desc, dest, [&](const BlobProgress& p) { last_done = p.done; },
                        nullptr);
  ASSERT_TRUE(fetched.ok()) << fetched.ToString();
  EXPECT_EQ(ReadFile(dest), layer.bytes);
  EXPECT_EQ(last_done, layer.bytes.size());

  EXPECT_EQ(client->HasBlob(ref, layer.desc.digest).value_or(false), true);
  EXPECT_EQ(client->HasBlob(ref, Digest::Sha256Of("absent")).value_or(true), false);
  // Already there: nothing sent.
  Result<bool> again = client->PushBlob(ref, layer.desc, layer.path, "", nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(RegistryClientTest, OneClientServesConcurrentDownloads) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  image::Reference repo = Ref(host_ + "/parallel");
  std::vector<Blob> blobs;
  for (uint32_t i = 0; i < 6; ++i) {
    blobs.push_back(MakeBlob(RandomBytes(300'000 + i, 100 + i), std::string(mt::kOciLayerGzip)));
    ASSERT_TRUE(client->PushBlob(repo, blobs.back().desc, blobs.back().path, "", nullptr).ok());
  }
  std::vector<Status> results(blobs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < blobs.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] =
          client->FetchBlob(repo, blobs[i].desc, dir_ + "/par-" + std::to_string(i), nullptr,
                            nullptr);
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < blobs.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].ToString();
    EXPECT_EQ(ReadFile(dir_ + "/par-" + std::to_string(i)), blobs[i].bytes);
  }
}

TEST_F(RegistryClientTest, MissingManifestAndBlobAreNotFoundWithTheRegistrysWords) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  Result<ResolvedImage> r = client->Resolve(Ref(host_ + "/nope:latest"), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), host_ + "/nope:latest: manifest unknown");

  image::Descriptor d;
  d.digest = Digest::Sha256Of("x");
  d.size = 1;
  std::string dest = dir_ + "/none";
  Status s = client->FetchBlob(Ref(host_ + "/nope"), d, dest, nullptr, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_EQ(s.message(),
            host_ + "/nope: blob " + d.digest.ToString() + ": blob unknown to registry");
  EXPECT_FALSE(std::filesystem::exists(dest));
}

TEST_F(RegistryClientTest, MultiPlatformIndexPicksThePlatformOrSaysWhatThereIs) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  image::Reference ref = Ref(host_ + "/multi:1");
  nlohmann::json entries = nlohmann::json::array();
  std::map<std::string, Digest> digests;
  for (const auto& [arch, variant] :
       std::vector<std::pair<std::string, std::string>>{{"amd64", ""}, {"arm64", "v8"}}) {
    std::string m = PushImageBlobs(*client, ref, arch);
    Result<Digest> d = client->PushManifest(Ref(host_ + "/multi@" + Digest::Sha256Of(m).ToString()),
                                            std::string(mt::kOciManifest), m);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    digests[arch] = *d;
    nlohmann::json platform = {{"architecture", arch}, {"os", "linux"}};
    if (!variant.empty()) platform["variant"] = variant;
    entries.push_back({{"mediaType", mt::kOciManifest},
                       {"digest", d->ToString()},
                       {"size", m.size()},
                       {"platform", platform}});
  }
  std::string index =
      nlohmann::json({{"schemaVersion", 2}, {"mediaType", mt::kOciIndex}, {"manifests", entries}})
          .dump();
  Result<Digest> top = client->PushManifest(ref, std::string(mt::kOciIndex), index);
  ASSERT_TRUE(top.ok()) << top.status().ToString();

  for (const char* arch : {"amd64", "arm64"}) {
    Result<ResolvedImage> r = client->Resolve(ref, std::string("linux/") + arch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->top_digest, *top);
    EXPECT_EQ(r->manifest.digest, digests[arch]);
    ASSERT_TRUE(r->platform.has_value());
    EXPECT_EQ(r->platform->architecture, arch);
  }
  Result<ResolvedImage> none = client->Resolve(ref, "linux/s390x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(none.status().message(),
                       "no matching manifest for linux/s390x in the manifest list entries"))
      << none.status().message();
  EXPECT_TRUE(Contains(none.status().message(), "linux/arm64/v8")) << none.status().message();
}

TEST_F(RegistryClientTest, BasicAuthIsRefusedWithoutCredentialsAndAcceptedWithThem) {
  StartRegistry(RegistryProcess::Mode::kHtpasswd);
  image::Reference ref = Ref(host_ + "/private:1");
  Blob b = MakeBlob("secret layer", std::string(mt::kOciLayerGzip));

  Result<bool> anonymous = Client()->PushBlob(ref, b.desc, b.path, "", nullptr);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(anonymous.status().message(),
            "registry " + host_ + ": unauthorized: authentication required (run `strata login " +
                host_ + "`)");

  Result<bool> wrong = Client(Login("tester", "wrong"))->PushBlob(ref, b.desc, b.path, "", nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(Contains(wrong.status().message(), "wrong")) << "a password in a message";

  auto client = Client(Login("tester", "s3cret-pass"));
  Result<bool> sent = client->PushBlob(ref, b.desc, b.path, "", nullptr);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_TRUE(*sent);
  EXPECT_TRUE(client->HasBlob(ref, b.desc.digest).value_or(false));
}

TEST_F(RegistryClientTest, BearerTokensFromTheIssuerAreCachedPerScope) {
  StartRegistry(RegistryProcess::Mode::kToken);
  image::Reference ref = Ref(host_ + "/tok/app:1");

  Result<ResolvedImage> anonymous = Client()->Resolve(ref, "");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Contains(anonymous.status().message(), "(run `strata login " + host_ + "`)"))
      << anonymous.status().message();

  auto client = Client(Login("tester", "s3cret-pass"));
  std::string manifest = PushImageBlobs(*client, ref, "amd64");
  ASSERT_TRUE(client->PushManifest(ref, std::string(mt::kOciManifest), manifest).ok());
  int after_push = issuer_->tokens_issued();
  Result<ResolvedImage> r = client->Resolve(ref, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->manifest.bytes, manifest);
  ASSERT_TRUE(client->Resolve(ref, "").ok());

  // One token for the push scope (two blobs and a manifest), one for pull;
  // the anonymous attempt got none.
  EXPECT_EQ(after_push, 1);
  EXPECT_EQ(issuer_->tokens_issued(), after_push + 1);
  bool saw_push_scope = false;
  for (const auto& scopes : issuer_->scope_requests()) {
    for (const std::string& s : scopes) saw_push_scope |= s == "repository:tok/app:pull,push";
  }
  EXPECT_TRUE(saw_push_scope);
}

// docker login's check: GET /v2/ with the credentials, through either scheme.
TEST_F(RegistryClientTest, CheckLoginAcceptsRightCredentialsAndRefusesWrongOnes) {
  for (auto mode : {RegistryProcess::Mode::kHtpasswd, RegistryProcess::Mode::kToken}) {
    StartRegistry(mode);
    SCOPED_TRACE(mode == RegistryProcess::Mode::kToken ? "token" : "htpasswd");
    EXPECT_TRUE(Client(Login("tester", "s3cret-pass"))->CheckLogin(host_).ok());
    Status wrong = Client(Login("tester", "wrong-pass"))->CheckLogin(host_);
    EXPECT_EQ(wrong.code(), StatusCode::kPermissionDenied) << wrong.ToString();
    EXPECT_TRUE(Contains(wrong.message(), "registry " + host_ + ": ")) << wrong.message();
    EXPECT_FALSE(Contains(wrong.message(), "wrong-pass")) << "a password in a message";
    Status anonymous = Client()->CheckLogin(host_);
    EXPECT_EQ(anonymous.code(), StatusCode::kPermissionDenied) << anonymous.ToString();
    registry_.reset();
  }
  StartRegistry(RegistryProcess::Mode::kOpen);
  EXPECT_TRUE(Client()->CheckLogin(host_).ok()) << "an open registry takes anyone";
}

TEST_F(RegistryClientTest, CrossRepositoryMountAsksPullOnTheSource) {
  StartRegistry(RegistryProcess::Mode::kToken);
  StartProxy();
  auto client = Client(Login("tester", "s3cret-pass"));
  Blob b = MakeBlob(RandomBytes(50'000, 7), std::string(mt::kOciLayerGzip));
  ASSERT_TRUE(
      client->PushBlob(Ref(host_ + "/src/base"), b.desc, b.path, "", nullptr).value_or(false));

  image::Reference dst = Ref(host_ + "/dst/app");
  Result<bool> mounted = client->PushBlob(dst, b.desc, b.path, host_ + "/src/base", nullptr);
  ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
  EXPECT_FALSE(*mounted) << "mounted, no bytes sent";
  EXPECT_TRUE(client->HasBlob(dst, b.desc.digest).value_or(false));

  bool saw_mount = false, saw_put = false;
  for (const auto& l : proxy_->Log()) {
    if (l.method == "POST" && Contains(l.target, "/v2/dst/app/blobs/uploads/?mount=") &&
        Contains(l.target, "from=src%2Fbase") && l.status == 201) {
      saw_mount = true;
    }
    saw_put |= l.method == "PUT" && Contains(l.target, "/v2/dst/app/");
  }
  EXPECT_TRUE(saw_mount);
  EXPECT_FALSE(saw_put);
  bool asked = false;
  for (const auto& scopes : issuer_->scope_requests()) {
    bool push = false, pull = false;
    for (const std::string& s : scopes) {
      push |= s == "repository:dst/app:pull,push";
      pull |= s == "repository:src/base:pull";
    }
    asked |= push && pull;
  }
  EXPECT_TRUE(asked);
}

TEST_F(RegistryClientTest, MountFromAnotherRegistryFallsBackToUpload) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  Blob b = MakeBlob(RandomBytes(1000, 9), std::string(mt::kOciLayerGzip));
  // A source repository that lacks the blob: the registry answers 202 and we upload.
  Result<bool> sent =
      client->PushBlob(Ref(host_ + "/x/y"), b.desc, b.path, host_ + "/empty/repo", nullptr);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_TRUE(*sent);
  EXPECT_TRUE(client->HasBlob(Ref(host_ + "/x/y"), b.desc.digest).value_or(false));
}

TEST_F(RegistryClientTest, BigBlobGoesInPatchChunks) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  StartProxy();
  RegistryClientOptions o = Fast();
  o.chunk_size = 1 << 20;
  auto client = Client(nullptr, o);
  image::Reference repo = Ref(host_ + "/chunked");
  Blob b = MakeBlob(RandomBytes((3 << 20) + 12345, 3), std::string(mt::kOciLayerGzip));
  uint64_t max_done = 0;
  Result<bool> sent = client->PushBlob(repo, b.desc, b.path, "", [&](const BlobProgress& p) {
    max_done = std::max(max_done, p.done);
  });
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_TRUE(*sent);
  EXPECT_EQ(max_done, b.bytes.size());
  int patches = 0;
  for (const auto& l : proxy_->Log()) {
    if (l.method != "PATCH") continue;
    ++patches;
    EXPECT_TRUE(l.headers.count("content-range")) << l.target;
  }
  EXPECT_EQ(patches, 4);
  std::string dest = dir_ + "/back";
  ASSERT_TRUE(client->FetchBlob(repo, b.desc, dest, nullptr, nullptr).ok());
  EXPECT_EQ(ReadFile(dest), b.bytes);
}

TEST_F(RegistryClientTest, CorruptBlobIsCorruptionAndNothingIsLeft) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  StartProxy();
  auto client = Client();
  image::Reference repo = Ref(host_ + "/corrupt");
  Blob b = MakeBlob(RandomBytes(200'000, 4), std::string(mt::kOciLayerGzip));
  ASSERT_TRUE(client->PushBlob(repo, b.desc, b.path, "", nullptr).ok());
  proxy_->CorruptBody("/blobs/sha256:");
  std::string dest = dir_ + "/bad";
  Status s = client->FetchBlob(repo, b.desc, dest, nullptr, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "registry " + host_ + ": blob " + b.desc.digest.ToString() +
                                        ": content does not match its digest (got sha256:"))
      << s.message();
  EXPECT_FALSE(std::filesystem::exists(dest));
}

TEST_F(RegistryClientTest, CutDownloadResumesWithRange) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  StartProxy();
  auto client = Client();
  image::Reference repo = Ref(host_ + "/resume");
  Blob b = MakeBlob(RandomBytes(1'000'000, 5), std::string(mt::kOciLayerGzip));
  ASSERT_TRUE(client->PushBlob(repo, b.desc, b.path, "", nullptr).ok());
  proxy_->CutBody("/blobs/sha256:", 400'000, 1);
  std::string dest = dir_ + "/resumed";
  // The observer sees the whole blob once more after each restart.
  struct Collect : BlobObserver {
    void Restart() override {
      ++restarts;
      seen.clear();
    }
    void Update(std::string_view bytes) override { seen.append(bytes); }
    int restarts = 0;
    std::string seen;
  } observer;
  Status s = client->FetchBlob(repo, b.desc, dest, nullptr, &observer);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile(dest), b.bytes);
  EXPECT_EQ(observer.restarts, 2);
  EXPECT_TRUE(observer.seen == b.bytes) << observer.seen.size() << " bytes seen";
  std::vector<std::string> ranges;
  for (const auto& l : proxy_->Log()) {
    if (l.method == "GET" && Contains(l.target, "/blobs/")) {
      ranges.push_back(l.headers.count("range") ? l.headers.at("range") : "");
    }
  }
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=400000-");
}

TEST_F(RegistryClientTest, ServiceUnavailableIsRetriedThenReported) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  StartProxy();
  RegistryClientOptions o = Fast();
  o.max_attempts = 3;
  auto client = Client(nullptr, o);
  image::Reference ref = Ref(host_ + "/retry:1");
  std::string manifest = PushImageBlobs(*client, ref, "amd64");
  ASSERT_TRUE(client->PushManifest(ref, std::string(mt::kOciManifest), manifest).ok());

  proxy_->Fail("/manifests/", 503, 2);
  Result<ResolvedImage> r = client->Resolve(ref, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int gets = 0;
  for (const auto& l : proxy_->Log())
    gets += l.method == "GET" && Contains(l.target, "/manifests/");
  EXPECT_EQ(gets, 3);

  proxy_->Fail("/manifests/", 503, 10);
  r = client->Resolve(ref, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_TRUE(Contains(r.status().message(), "HTTP 503")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "injected by the test proxy")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "(after 3 attempts)")) << r.status().message();
}

TEST_F(RegistryClientTest, TagsAreListed) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  auto client = Client();
  image::Reference repo = Ref(host_ + "/tags");
  std::string manifest = PushImageBlobs(*client, repo, "amd64");
  for (const char* tag : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(
        client->PushManifest(Ref(host_ + "/tags:" + tag), std::string(mt::kOciManifest), manifest)
            .ok());
  }
  Result<std::vector<std::string>> tags = client->ListTags(repo);
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  std::sort(tags->begin(), tags->end());
  EXPECT_EQ(*tags, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  Result<std::vector<std::string>> none = client->ListTags(Ref(host_ + "/never/pushed"));
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound) << none.status().ToString();
}

// docker-registry 2.8 ignores ?n= on tags/list (pagination came in
// distribution 3), so the Link pages are served by a loopback server that
// pages as the distribution spec says.
TEST(RegistryClientPagingTest, TagsFollowLinkPagination) {
  TestHttpServer server;
  ASSERT_NE(server.port(), 0);
  const std::vector<std::string> all = {"1.0", "1.1", "2.0", "latest", "z"};
  server.SetHandler([&](const TestHttpServer::Request& r) -> TestHttpServer::Response {
    if (r.path != "/v2/paged/app/tags/list") return {404, "Not Found", "", {}};
    size_t n = std::stoul(QueryValues(r.query, "n").empty() ? "100" : QueryValues(r.query, "n")[0]);
    std::vector<std::string> last = QueryValues(r.query, "last");
    size_t from = 0;
    if (!last.empty()) from = std::find(all.begin(), all.end(), last[0]) - all.begin() + 1;
    std::vector<std::string> page(all.begin() + std::min(from, all.size()),
                                  all.begin() + std::min(from + n, all.size()));
    TestHttpServer::Response resp{
        200, "OK", nlohmann::json({{"name", "paged/app"}, {"tags", page}}).dump(), {}};
    if (from + n < all.size()) {
      resp.headers["Link"] = "</v2/paged/app/tags/list?n=" + std::to_string(n) +
                             "&last=" + page.back() + ">; rel=\"next\"";
    }
    return resp;
  });
  RegistryClientOptions o;
  o.tags_page_size = 2;
  auto client = NewRegistryClient(o, nullptr);
  Result<image::Reference> repo =
      image::ParseReference("127.0.0.1:" + std::to_string(server.port()) + "/paged/app");
  ASSERT_TRUE(repo.ok());
  Result<std::vector<std::string>> tags = client->ListTags(*repo);
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(*tags, all);
  std::vector<TestHttpServer::Request> log = server.Log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].query, "n=2");
  EXPECT_EQ(log[1].query, "n=2&last=1.1");
  EXPECT_EQ(log[2].query, "n=2&last=latest");
}

TEST_F(RegistryClientTest, StoppedRegistryIsUnavailableNamingIt) {
  StartRegistry(RegistryProcess::Mode::kOpen);
  registry_->Stop();
  RegistryClientOptions o = Fast();
  o.max_attempts = 2;
  Result<ResolvedImage> r = Client(nullptr, o)->Resolve(Ref(host_ + "/gone:1"), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message().rfind("registry " + host_ + ": ", 0), 0u) << r.status().message();
}

TEST_F(RegistryClientTest, SkopeoPushedImageResolves) {
  if (::access("/usr/bin/skopeo", X_OK) != 0 || ::access("/usr/bin/umoci", X_OK) != 0) {
    GTEST_SKIP() << "skopeo or umoci is missing";
  }
  StartRegistry(RegistryProcess::Mode::kOpen);
  std::string layout = dir_ + "/layout";
  std::string cmd = "umoci init --layout " + layout + " && umoci new --image " + layout +
                    ":t && skopeo copy --quiet oci:" + layout + ":t docker://" + host_ +
                    "/skopeo/img:t --dest-tls-verify=false > " + dir_ + "/skopeo.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_ + "/skopeo.log");
  Result<ResolvedImage> r = Client()->Resolve(Ref(host_ + "/skopeo/img:t"), "linux/amd64");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  nlohmann::json m = nlohmann::json::parse(r->manifest.bytes, nullptr, false);
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_TRUE(m.contains("config"));
}

}  // namespace
}  // namespace strata::registry
