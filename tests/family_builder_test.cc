#include "metrics/family_builder.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace warren::metrics {
namespace {

// warren's own families still go through prometheus-cpp: both must write a value alike.
std::string PrometheusCppText(double value, const std::string& label_value) {
  prometheus::MetricFamily family{"x", "X.", prometheus::MetricType::Gauge, {}};
  prometheus::ClientMetric sample;
  sample.label.push_back({"l", label_value});
  sample.gauge.value = value;
  family.metric.push_back(sample);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, {family});
  return out.str();
}

TEST(FamilyBuilder, WritesWhatPrometheusCppWrites) {
  const double values[] = {0, -0.0, 1, -7, 0.1, 1.5, 1.0 / 3, 1e-5, 1e20, 1590526654910410, 123456789012345678.0,
                           999999999999999.0, -999999999999999.0, 1e15, 1e16, 9999999999999998.0, 42.5e3,
                           std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                           std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  for (const double value : values) {
    const std::string label = "a\"b\\c\nd \xF0\x9F\x90\x87";
    FamilyBuilder builder("x", "X.", prometheus::MetricType::Gauge);
    builder.Label("l", label).Value(value);
    EXPECT_EQ(std::move(builder).Finish().text, PrometheusCppText(value, label)) << value;
  }
}

TEST(FamilyBuilder, WritesHeaderAndSamplesInOrder) {
  FamilyBuilder builder("c_total", "Count with a \\ and a\nnewline.", prometheus::MetricType::Counter);
  EXPECT_EQ(builder.samples(), 0u);
  builder.Value(3);
  builder.Label("a", "1").Label("b", "").Value(2);
  EXPECT_EQ(builder.samples(), 2u);
  const FamilyText text = std::move(builder).Finish();
  EXPECT_EQ(text.name, "c_total");
  EXPECT_EQ(text.text,
            "# HELP c_total Count with a \\\\ and a\\nnewline.\n# TYPE c_total counter\n"
            "c_total 3\nc_total{a=\"1\",b=\"\"} 2\n");
}

}  // namespace
}  // namespace warren::metrics
