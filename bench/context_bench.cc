// Build-context scan throughput (cli/context): a cold scan (no stat cache,
// every file read and hashed, on 1 and on 2 threads), a warm scan (every
// file served by the stat cache) and a scan after `touch`ing every file
// (mtime changed: everything re-hashed, same manifest digest). Prints a
// table; plain main().
//
//   strata_bench_context [total_mb=200] [files=5000] [dir]
//
// Files are in the page cache after generation, so "cold" measures hashing,
// not the disk. Wall time is noisy on the shared machine; CPU seconds are
// printed beside it.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/context/context_scanner.h"
#include "cli/context/stat_cache.h"

namespace {

namespace ctx = strata::cli::context;

// Files of 0.25x..1.75x the mean size, spread over 50x7 directories.
std::vector<std::string> MakeTree(const std::string& root, uint64_t total_bytes, int files) {
  std::mt19937_64 rng(7);
  uint64_t per_file = total_bytes / static_cast<uint64_t>(files);
  std::vector<std::string> paths;
  std::string buf;
  for (int i = 0; i < files; ++i) {
    std::string dir = root + "/d" + std::to_string(i % 50) + "/s" + std::to_string(i % 7);
    std::filesystem::create_directories(dir);
    uint64_t size = per_file / 4 + rng() % (per_file * 3 / 2);
    buf.resize(size);
    for (size_t j = 0; j + 8 <= buf.size(); j += 8) {
      uint64_t r = rng();
      std::memcpy(&buf[j], &r, 8);
    }
    std::string path = dir + "/f" + std::to_string(i);
    std::ofstream(path, std::ios::binary) << buf;
    paths.push_back(path);
  }
  return paths;
}

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Row {
  std::string name;
  double wall = 0;
  double cpu = 0;
  ctx::ScanStats stats;
  std::string digest;
};

// One scan, with the stat cache at `cache_file` (none when empty), saved
// afterwards. Load and Save are inside the timing.
Row Scan(const std::string& name, const std::string& dir, const std::string& cache_file,
         int threads) {
  auto start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  std::optional<ctx::StatCache> cache;
  if (!cache_file.empty()) cache.emplace(ctx::StatCache::Load(cache_file));
  ctx::ScanOptions options;
  options.hash_threads = threads;
  options.stat_cache = cache ? &*cache : nullptr;
  strata::Result<ctx::ContextManifest> m = ctx::ScanContext(dir, options);
  if (!m.ok()) {
    std::fprintf(stderr, "scan failed: %s\n", m.status().ToString().c_str());
    std::exit(1);
  }
  if (cache) {
    strata::Status saved = cache->Save();
    if (!saved.ok()) {
      std::fprintf(stderr, "saving the stat cache failed: %s\n", saved.ToString().c_str());
      std::exit(1);
    }
  }
  Row row;
  row.name = name;
  row.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  row.cpu = CpuSeconds() - cpu_start;
  row.stats = m->stats;
  row.digest = ctx::ManifestDigest(m->entries).Short();
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t total_mb = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200;
  int files = argc > 2 ? std::atoi(argv[2]) : 5000;
  std::string base;
  if (argc > 3) {
    base = argv[3];
  } else {
    char tmpl[] = "/tmp/strata-context-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return 1;
    base = tmpl;
  }
  std::string dir = base + "/ctx";
  std::printf("generating %d files, %llu MB in %s\n", files,
              static_cast<unsigned long long>(total_mb), dir.c_str());
  std::vector<std::string> paths = MakeTree(dir, total_mb << 20, files);
  std::string cache_file = ctx::StatCache::PathFor(base + "/state", dir);
  // Let the files age past the stat cache's racily-clean window.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));

  std::vector<Row> rows;
  rows.push_back(Scan("cold, no cache, 1 thread", dir, "", 1));
  rows.push_back(Scan("cold, no cache, 2 threads", dir, "", 2));
  std::filesystem::remove(cache_file);
  rows.push_back(Scan("cold, filling the stat cache", dir, cache_file, 2));
  rows.push_back(Scan("warm, all stat cache hits", dir, cache_file, 2));
  for (const std::string& p : paths) ::utimensat(AT_FDCWD, p.c_str(), nullptr, 0);
  rows.push_back(Scan("after touching every file", dir, cache_file, 2));

  std::printf("\n%-30s %8s %8s %7s %7s %9s %10s  %s\n", "scan", "wall s", "cpu s", "hashed",
              "cached", "MB read", "MB/s wall", "manifest");
  for (const Row& r : rows) {
    double mb = static_cast<double>(r.stats.bytes_hashed) / (1 << 20);
    std::printf("%-30s %8.3f %8.3f %7llu %7llu %9.1f %10.0f  %s\n", r.name.c_str(), r.wall, r.cpu,
                static_cast<unsigned long long>(r.stats.files_hashed),
                static_cast<unsigned long long>(r.stats.files_from_cache), mb,
                r.wall > 0 ? mb / r.wall : 0.0, r.digest.c_str());
  }
  bool same = true;
  for (const Row& r : rows) same = same && r.digest == rows.front().digest;
  std::printf("\nmanifest digest identical across all scans: %s\n", same ? "yes" : "NO");
  if (argc <= 3) std::filesystem::remove_all(base);
  return same ? 0 : 1;
}
