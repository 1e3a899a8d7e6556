#include "cli/pull_printer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace strata::cli {
namespace {

v1::PullProgress Progress(const std::string& id, const std::string& status, uint64_t current = 0) {
  v1::PullProgress p;
  p.set_id(id);
  p.set_status(status);
  p.set_current(current);
  return p;
}

v1::PullResult Result(const std::string& ref, bool newer, bool last = true) {
  v1::PullResult r;
  r.set_reference(ref);
  r.set_id("sha256:" + std::string(64, 'c'));
  r.set_digest("sha256:" + std::string(64, 'd'));
  r.set_newer(newer);
  r.set_last(last);
  return r;
}

TEST(PullPrinterTest, PrintsDockersLinesForANewImage) {
  std::ostringstream out;
  PullPrinter p(out, "busybox", false, false);
  p.Start();
  p.OnProgress(Progress("latest", "Pulling from library/busybox"));
  p.OnProgress(Progress("3f57d9401f8d", "Pulling fs layer"));
  p.OnProgress(Progress("3f57d9401f8d", "Downloading", 100));
  p.OnProgress(Progress("3f57d9401f8d", "Downloading", 200));
  p.OnProgress(Progress("3f57d9401f8d", "Download complete"));
  p.OnProgress(Progress("3f57d9401f8d", "Pull complete"));
  p.OnResult(Result("docker.io/library/busybox:latest", true));
  EXPECT_EQ(out.str(),
            "Using default tag: latest\n"
            "latest: Pulling from library/busybox\n"
            "3f57d9401f8d: Pulling fs layer\n"
            "3f57d9401f8d: Download complete\n"
            "3f57d9401f8d: Pull complete\n"
            "Digest: sha256:" +
                std::string(64, 'd') +
                "\n"
                "Status: Downloaded newer image for busybox:latest\n"
                "docker.io/library/busybox:latest\n");
}

TEST(PullPrinterTest, UpToDateAndATaggedNameHasNoDefaultTagLine) {
  std::ostringstream out;
  PullPrinter p(out, "127.0.0.1:5000/app:1", false, false);
  p.Start();
  p.OnProgress(Progress("1", "Pulling from app"));
  p.OnProgress(Progress("aaaaaaaaaaaa", "Already exists"));
  p.OnResult(Result("127.0.0.1:5000/app:1", false));
  EXPECT_EQ(out.str(),
            "1: Pulling from app\n"
            "aaaaaaaaaaaa: Already exists\n"
            "Digest: sha256:" +
                std::string(64, 'd') +
                "\n"
                "Status: Image is up to date for 127.0.0.1:5000/app:1\n"
                "127.0.0.1:5000/app:1\n");
}

TEST(PullPrinterTest, QuietPrintsOnlyTheName) {
  std::ostringstream out;
  PullPrinter p(out, "busybox", true, false);
  p.Start();
  p.OnProgress(Progress("latest", "Pulling from library/busybox"));
  p.OnResult(Result("docker.io/library/busybox:latest", true));
  EXPECT_EQ(out.str(), "docker.io/library/busybox:latest\n");
}

TEST(PullPrinterTest, AllTagsEndsWithTheRepository) {
  std::ostringstream out;
  PullPrinter p(out, "busybox", false, true);
  p.Start();
  p.OnProgress(Progress("1", "Pulling from library/busybox"));
  p.OnResult(Result("docker.io/library/busybox:1", false, false));
  p.OnProgress(Progress("2", "Pulling from library/busybox"));
  p.OnResult(Result("docker.io/library/busybox:2", true, true));
  std::string d = "Digest: sha256:" + std::string(64, 'd') + "\n";
  EXPECT_EQ(out.str(), "1: Pulling from library/busybox\n" + d +
                           "2: Pulling from library/busybox\n" + d +
                           "Status: Downloaded newer image for busybox\n"
                           "docker.io/library/busybox\n");
}

TEST(PullPrinterTest, ADigestPullNamesTheDigest) {
  std::ostringstream out;
  std::string ref = "busybox@sha256:" + std::string(64, 'e');
  PullPrinter p(out, ref, false, false);
  p.Start();
  p.OnResult(Result("docker.io/library/" + ref, true));
  EXPECT_NE(out.str().find("Status: Downloaded newer image for " + ref + "\n"), std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("Using default tag"), std::string::npos);
}

}  // namespace
}  // namespace strata::cli
