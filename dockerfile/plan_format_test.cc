#include "dockerfile/plan_format.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

TEST(PlanFormatTest, PrintsStageGraphAndSteps) {
  PlanOptions opts;
  opts.build_args = {{"VERSION", "1.2"}, {"UNUSED", "x"}, {"HTTP_PROXY", "http://p"}};
  auto plan = ParseAndPlan(
      "ARG VERSION=1.0\n"
      "FROM golang:1.22 AS build\n"
      "ARG VERSION\n"
      "WORKDIR /src\n"
      "RUN <<EOF\n"
      "go build -ldflags \"-X main.v=$VERSION\" -o /out/app\n"
      "EOF\n"
      "ONBUILD RUN echo child\n"
      "FROM alpine AS lint\n"
      "RUN lint\n"
      "FROM scratch\n"
      "COPY --from=build /out/app /app\n"
      "LABEL version=$VERSION\n"
      "ENTRYPOINT [\"/app\"]\n",
      opts);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(FormatPlan(*plan),
            "plan Dockerfile\n"
            "platforms: build linux/amd64, target linux/amd64\n"
            "target: stage 2 stage-2\n"
            "stage 0 build: needed\n"
            "  base: image golang:1.22\n"
            "  platform: linux/amd64\n"
            "  depends-on: none\n"
            "  onbuild: RUN echo child\n"
            "  2: FROM golang:1.22 AS build\n"
            "  3: ARG VERSION=1.2\n"
            "  4: WORKDIR /src\n"
            "  5-7: RUN <<EOF\n"
            "  8: ONBUILD RUN echo child\n"
            "stage 1 lint: pruned\n"
            "  base: image alpine\n"
            "  platform: linux/amd64\n"
            "  depends-on: none\n"
            "  9: FROM alpine AS lint\n"
            "  10: RUN lint\n"
            "stage 2 stage-2: needed, target\n"
            "  base: scratch\n"
            "  platform: linux/amd64\n"
            "  depends-on: 0 build\n"
            "  11: FROM scratch\n"
            "  12: COPY --from=build /out/app /app\n"
            "  13: LABEL version=\"\"\n"
            "  14: ENTRYPOINT [\"/app\"]\n"
            "unused build-args: UNUSED\n"
            "proxy build-args: HTTP_PROXY\n");
}

}  // namespace
}  // namespace strata::dockerfile
