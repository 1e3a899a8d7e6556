#include "metrics/prometheus_page.h"

#include <gtest/gtest.h>

namespace strata::metrics {
namespace {

TEST(PrometheusPageTest, FamiliesHaveHelpTypeAndSamples) {
  PrometheusPage page;
  page.Gauge("strata_x", "An x.", 3);
  page.Family("strata_workers", "Workers.", "gauge", {{"state=\"ready\"", 2}});
  Histogram h({1, 10});
  h.Observe(0.5);
  h.Observe(5);
  page.HistogramOf("strata_seconds", "Durations.", h.Read());
  EXPECT_EQ(page.text(),
            "# HELP strata_x An x.\n# TYPE strata_x gauge\nstrata_x 3\n"
            "# HELP strata_workers Workers.\n# TYPE strata_workers gauge\n"
            "strata_workers{state=\"ready\"} 2\n"
            "# HELP strata_seconds Durations.\n# TYPE strata_seconds histogram\n"
            "strata_seconds_bucket{le=\"1\"} 1\nstrata_seconds_bucket{le=\"10\"} 2\n"
            "strata_seconds_bucket{le=\"+Inf\"} 2\nstrata_seconds_sum 5.5\n"
            "strata_seconds_count 2\n");
}

}  // namespace
}  // namespace strata::metrics
