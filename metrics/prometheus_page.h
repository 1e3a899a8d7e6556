#pragma once

// Builds one /metrics page in Prometheus's text format 0.0.4: each family's
// HELP and TYPE lines, then its samples.

#include <map>
#include <string>

#include "metrics/histogram.h"

namespace strata::metrics {

// The Content-Type of a page.
inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

class PrometheusPage {
 public:
  // `labels` as written inside the braces: state="ready".
  void Gauge(const std::string& name, const std::string& help, double value,
             const std::string& labels = "");
  void Counter(const std::string& name, const std::string& help, double value,
               const std::string& labels = "");
  // One family, several label sets.
  void Family(const std::string& name, const std::string& help, const std::string& type,
              const std::map<std::string, double>& by_labels);
  void HistogramOf(const std::string& name, const std::string& help,
                   const Histogram::Snapshot& h);
  std::string& text() { return text_; }

 private:
  void Header(const std::string& name, const std::string& help, const std::string& type);
  void Sample(const std::string& name, const std::string& labels, double value);
  std::string text_;
};

}  // namespace strata::metrics
