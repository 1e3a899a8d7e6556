#include "cli/context/stat_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "cli/context/context_scanner.h"
#include "cli/context/test_tree.h"

namespace strata::cli::context {
namespace {

using testing::SetTimes;
using testing::TempDir;
using testing::WriteFile;

constexpr int64_t kSecond = 1'000'000'000;

FileStat SomeStat() {
  FileStat st;
  st.size = 5;
  st.mtime_ns = 100 * kSecond;
  st.ctime_ns = 100 * kSecond;
  st.inode = 42;
  st.device = 7;
  st.mode = 0100644;
  return st;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string HexBytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

void Overwrite(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// A clock a little ahead of real time, so freshly written test files are
// not racily clean.
class AheadClock : public Clock {
 public:
  int64_t NowUnixNanos() override { return SystemClock().NowUnixNanos() + 5 * kSecond; }
  int64_t NowMonotonicNanos() override { return SystemClock().NowMonotonicNanos(); }
};

TEST(StatCacheTest, RoundTripsThroughItsFile) {
  TempDir t;
  std::string file = StatCache::PathFor(t / "state", "/some/context");
  EXPECT_EQ(file, t / ("state/context-cache/" + Digest::Sha256Of("/some/context").hex()));
  StatCache cache = StatCache::Load(file);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.load_note(), "");
  Digest d = Digest::Sha256Of("hello");
  cache.Record("dir/a\nnewline", SomeStat(), d, 200 * kSecond);
  ASSERT_TRUE(cache.Save().ok());

  StatCache loaded = StatCache::Load(file);
  EXPECT_EQ(loaded.load_note(), "");
  EXPECT_EQ(loaded.Lookup("dir/a\nnewline", SomeStat()), d);
  EXPECT_EQ(loaded.Lookup("other", SomeStat()), std::nullopt);
}

TEST(StatCacheTest, AnyStatMismatchMisses) {
  TempDir t;
  StatCache cache = StatCache::Load(t / "cache");
  cache.Record("a", SomeStat(), Digest::Sha256Of("x"), 200 * kSecond);
  for (int field = 0; field < 6; ++field) {
    FileStat st = SomeStat();
    if (field == 0) st.size++;
    if (field == 1) st.mtime_ns++;
    if (field == 2) st.ctime_ns++;
    if (field == 3) st.inode++;
    if (field == 4) st.device++;
    if (field == 5) st.mode = 0100755;
    EXPECT_EQ(cache.Lookup("a", st), std::nullopt) << "field " << field;
  }
  EXPECT_TRUE(cache.Lookup("a", SomeStat()).has_value());
}

TEST(StatCacheTest, RacilyCleanFilesAreNotRemembered) {
  TempDir t;
  StatCache cache = StatCache::Load(t / "cache");
  // Changed half a second before the read began: could change again unseen.
  cache.Record("a", SomeStat(), Digest::Sha256Of("x"), SomeStat().mtime_ns + kSecond / 2);
  EXPECT_EQ(cache.Lookup("a", SomeStat()), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(StatCacheTest, CorruptOrForeignFilesAreIgnored) {
  TempDir t;
  std::string file = t / "cache";
  StatCache cache = StatCache::Load(file);
  cache.Record("a", SomeStat(), Digest::Sha256Of("x"), 200 * kSecond);
  ASSERT_TRUE(cache.Save().ok());
  std::string good = ReadAll(file);

  std::string flipped = good;
  flipped[20] ^= 1;  // inside the first entry
  Overwrite(file, flipped);
  StatCache c1 = StatCache::Load(file);
  EXPECT_EQ(c1.size(), 0u);
  EXPECT_NE(c1.load_note().find("checksum"), std::string::npos) << c1.load_note();

  Overwrite(file, good.substr(0, good.size() - 3));
  EXPECT_EQ(StatCache::Load(file).size(), 0u);

  Overwrite(file, "garbage");
  StatCache c3 = StatCache::Load(file);
  EXPECT_EQ(c3.size(), 0u);
  EXPECT_NE(c3.load_note().find("truncated"), std::string::npos) << c3.load_note();

  // A newer version with a valid checksum is still not trusted.
  std::string v2 = good.substr(0, good.size() - 32);
  v2[8] = 2;
  Overwrite(file, v2 + HexBytes(Digest::Sha256Of(v2).hex()));
  EXPECT_EQ(StatCache::Load(file).size(), 0u);

  Overwrite(file, good);
  EXPECT_EQ(StatCache::Load(file).size(), 1u);
}

TEST(StatCacheTest, SaveDropsEntriesNotSeenSinceLoad) {
  TempDir t;
  std::string file = t / "cache";
  StatCache cache = StatCache::Load(file);
  cache.Record("gone", SomeStat(), Digest::Sha256Of("x"), 200 * kSecond);
  cache.Record("kept", SomeStat(), Digest::Sha256Of("y"), 200 * kSecond);
  ASSERT_TRUE(cache.Save().ok());
  StatCache next = StatCache::Load(file);
  ASSERT_TRUE(next.Lookup("kept", SomeStat()).has_value());
  ASSERT_TRUE(next.Save().ok());
  StatCache last = StatCache::Load(file);
  EXPECT_EQ(last.size(), 1u);
  EXPECT_TRUE(last.Lookup("kept", SomeStat()).has_value());
}

TEST(StatCacheTest, WarmScanReadsNothingAndTouchRehashesToTheSameManifest) {
  TempDir t;
  for (int i = 0; i < 20; ++i) WriteFile(t / ("src/f" + std::to_string(i)), std::string(1000, 'x'));
  AheadClock clock;
  std::string file = StatCache::PathFor(t / "state", t / "src");

  StatCache cold_cache = StatCache::Load(file);
  ScanOptions options;
  options.clock = &clock;
  options.stat_cache = &cold_cache;
  Result<ContextManifest> cold = ScanContext(t / "src", options);
  ASSERT_TRUE(cold.ok()) << cold.status().ToString();
  EXPECT_EQ(cold->stats.files_hashed, 20u);
  EXPECT_EQ(cold->stats.bytes_hashed, 20000u);
  ASSERT_TRUE(cold_cache.Save().ok());

  StatCache warm_cache = StatCache::Load(file);
  options.stat_cache = &warm_cache;
  Result<ContextManifest> warm = ScanContext(t / "src", options);
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(warm->stats.files_hashed, 0u);
  EXPECT_EQ(warm->stats.files_from_cache, 20u);
  EXPECT_EQ(warm->stats.bytes_hashed, 0u);
  EXPECT_EQ(warm->stats.bytes_total, 20000u);
  EXPECT_EQ(warm->entries, cold->entries);

  SetTimes(t / "src/f3", 12345);
  Result<ContextManifest> touched = ScanContext(t / "src", options);
  ASSERT_TRUE(touched.ok());
  EXPECT_EQ(touched->stats.files_hashed, 1u);
  EXPECT_EQ(touched->entries, cold->entries);
}

TEST(StatCacheTest, ACorruptCacheFileOnlyCostsARehash) {
  TempDir t;
  WriteFile(t / "src/a", "aaa");
  std::string file = t / "cache";
  Overwrite(file, std::string(300, '\x7f'));
  StatCache cache = StatCache::Load(file);
  AheadClock clock;
  ScanOptions options;
  options.clock = &clock;
  options.stat_cache = &cache;
  Result<ContextManifest> m = ScanContext(t / "src", options);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->stats.files_hashed, 1u);
  ASSERT_EQ(m->entries.size(), 1u);
  EXPECT_EQ(m->entries[0].content, Digest::Sha256Of("aaa"));
  ASSERT_TRUE(cache.Save().ok());
  EXPECT_EQ(StatCache::Load(file).load_note(), "");
}

}  // namespace
}  // namespace strata::cli::context
