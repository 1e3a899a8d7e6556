#include "cli/push_client.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

v1::PushProgress Layer(const std::string& id, const std::string& status, uint64_t current = 0,
                       uint64_t total = 0) {
  v1::PushProgress p;
  p.set_id(id);
  p.set_status(status);
  p.set_current(current);
  p.set_total(total);
  return p;
}

TEST(PushLinesTest, PrintsEachStatusChangeOnceAsDockerDoesWithoutATerminal) {
  PushLines lines;
  EXPECT_EQ(lines.Line(Layer("5f70bf18a086", "Preparing")), "5f70bf18a086: Preparing");
  EXPECT_EQ(lines.Line(Layer("e1d8a8d3fb6a", "Preparing")), "e1d8a8d3fb6a: Preparing");
  EXPECT_EQ(lines.Line(Layer("5f70bf18a086", "Pushing", 10, 100)), "5f70bf18a086: Pushing");
  EXPECT_EQ(lines.Line(Layer("5f70bf18a086", "Pushing", 50, 100)), std::nullopt);
  EXPECT_EQ(lines.Line(Layer("5f70bf18a086", "Pushed")), "5f70bf18a086: Pushed");
  EXPECT_EQ(lines.Line(Layer("e1d8a8d3fb6a", "Layer already exists")),
            "e1d8a8d3fb6a: Layer already exists");
  v1::PushProgress done;
  done.mutable_pushed()->set_tag("latest");
  done.mutable_pushed()->set_digest("sha256:" + std::string(64, 'a'));
  done.mutable_pushed()->set_size(528);
  EXPECT_EQ(lines.Line(done), "latest: digest: sha256:" + std::string(64, 'a') + " size: 528");
  EXPECT_EQ(lines.Line(v1::PushProgress()), std::nullopt);
}

TEST(PushFailureMessageTest, UnauthorizedSaysToLogIn) {
  EXPECT_EQ(PushFailureMessage(Status::PermissionDenied("registry 127.0.0.1:5000: unauthorized"),
                               "127.0.0.1:5000"),
            "registry 127.0.0.1:5000: unauthorized (run `strata login 127.0.0.1:5000` first)");
  // The registry client's own advice is not repeated.
  EXPECT_EQ(PushFailureMessage(Status::PermissionDenied("denied (run `strata login h`)"), "h"),
            "denied (run `strata login h`)");
  EXPECT_EQ(PushFailureMessage(Status::Unavailable("registry h: connection refused"), "h"),
            "registry h: connection refused");
}

}  // namespace
}  // namespace strata::cli
