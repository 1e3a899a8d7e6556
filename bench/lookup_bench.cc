// Cached-step lookups per second at the coordinator, without client
// process starts: C threads in this one process, each with its own
// connection, submit a fully cached Dockerfile again and again for a few
// seconds; every step of every build is a cache lookup (key, entry, layer)
// that the coordinator answers without a worker. bench/cluster_bench.sh
// builds the Dockerfile once first, then runs this.
//
//   strata_bench_lookup ENDPOINT DOCKERFILE STEPS [clients=50] [seconds=5]
//
// Prints lookups/s (builds * STEPS / wall) and the builds' p50/p99 latency.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/connection.h"
#include "protocol/context.h"
#include "protocol/envelope.h"

namespace {

using Clock = std::chrono::steady_clock;
using strata::protocol::Envelope;

// One build to its BuildResult; false (and a message) on anything else.
bool BuildOnce(strata::protocol::Connection& client, const std::string& dockerfile,
               std::string* error) {
  const uint64_t id = client.NextRequestId();
  Envelope submit = strata::protocol::NewEnvelope(id);
  submit.mutable_submit_build()->set_dockerfile(dockerfile);
  submit.mutable_submit_build()->set_dockerfile_name("Dockerfile");
  if (strata::Status s = client.Send(submit); !s.ok()) {
    *error = s.ToString();
    return false;
  }
  for (;;) {
    strata::Result<Envelope> in = client.Receive(std::chrono::seconds(60));
    if (!in.ok()) {
      *error = in.status().ToString();
      return false;
    }
    if (in->request_id() != id) continue;  // the coordinator's Ping(0) probes
    if (in->has_missing_blobs()) {  // no context: nothing to send
      Envelope uploaded = strata::protocol::NewEnvelope(id);
      uploaded.mutable_context_uploaded();
      if (!client.Send(uploaded).ok()) return false;
    } else if (in->has_build_result()) {
      return true;
    } else if (in->has_error()) {
      *error = in->error().message();
      return false;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ENDPOINT DOCKERFILE STEPS [clients=50] [seconds=5]\n",
                 argv[0]);
    return 2;
  }
  const std::string endpoint = argv[1];
  std::ifstream file(argv[2]);
  std::stringstream text;
  text << file.rdbuf();
  const std::string dockerfile = text.str();
  const int steps = std::atoi(argv[3]);
  const int clients = argc > 4 ? std::atoi(argv[4]) : 50;
  const double seconds = argc > 5 ? std::atof(argv[5]) : 5;
  if (dockerfile.empty() || steps <= 0 || clients <= 0 || seconds <= 0) {
    std::fprintf(stderr, "lookup_bench: bad arguments\n");
    return 2;
  }

  strata::protocol::Context context;
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::string first_error;
  const Clock::time_point start = Clock::now();
  const Clock::time_point stop = start + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto client = strata::protocol::Connection::Connect(context, endpoint);
      if (!client.ok()) {
        failed = true;
        std::lock_guard<std::mutex> lock(mu);
        first_error = client.status().ToString();
        return;
      }
      std::vector<double> mine;
      while (!failed && Clock::now() < stop) {
        const Clock::time_point t0 = Clock::now();
        std::string error;
        if (!BuildOnce(**client, dockerfile, &error)) {
          failed = true;
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty()) first_error = error;
          return;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "lookup_bench: a build failed: %s\n", first_error.c_str());
    return 1;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms.empty() ? 0.0
                                : latencies_ms[std::min(latencies_ms.size() - 1,
                                                        static_cast<size_t>(q * latencies_ms.size()))];
  };
  const double builds = static_cast<double>(latencies_ms.size());
  std::printf("%.0f lookups/s (%d clients, %.0f builds of %d cached steps in %.2f s; build p50 "
              "%.1f ms, p99 %.1f ms)\n",
              builds * steps / wall, clients, builds, steps, wall, at(0.5), at(0.99));
  return 0;
}
