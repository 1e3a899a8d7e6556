#include "metrics/prometheus_page.h"

#include <cstdio>

namespace strata::metrics {
namespace {

std::string Number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

}  // namespace

void PrometheusPage::Gauge(const std::string& name, const std::string& help, double value,
                           const std::string& labels) {
  Header(name, help, "gauge");
  Sample(name, labels, value);
}

void PrometheusPage::Counter(const std::string& name, const std::string& help, double value,
                             const std::string& labels) {
  Header(name, help, "counter");
  Sample(name, labels, value);
}

void PrometheusPage::Family(const std::string& name, const std::string& help,
                            const std::string& type,
                            const std::map<std::string, double>& by_labels) {
  Header(name, help, type);
  for (const auto& [labels, value] : by_labels) Sample(name, labels, value);
}

void PrometheusPage::HistogramOf(const std::string& name, const std::string& help,
                                 const Histogram::Snapshot& h) {
  Header(name, help, "histogram");
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    text_ += name + "_bucket{le=\"" + Number(h.bounds[i]) + "\"} " +
             std::to_string(h.cumulative[i]) + "\n";
  }
  text_ += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  text_ += name + "_sum " + Number(h.sum) + "\n";
  text_ += name + "_count " + std::to_string(h.count) + "\n";
}

void PrometheusPage::Header(const std::string& name, const std::string& help,
                            const std::string& type) {
  text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusPage::Sample(const std::string& name, const std::string& labels, double value) {
  text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + Number(value) + "\n";
}

}  // namespace strata::metrics
