#include "metrics/family_builder.h"

#include <cmath>
#include <cstdlib>
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
  const double values[] = {0,
                           -0.0,
                           1,
                           -7,
                           0.1,
                           1.5,
                           1.0 / 3,
                           1e-5,
                           1e20,
                           1590526654910410,
                           123456789012345678.0,
                           999999999999999.0,
                           -999999999999999.0,
                           1e15,
                           1e16,
                           9999999999999998.0,
                           42.5e3,
                           1.7976931348623150e308,  // below where 16 digits round past DBL_MAX
                           std::numeric_limits<double>::denorm_min(),
                           std::nan(""),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  for (const double value : values) {
    const std::string label = "a\"b\\c\nd \xF0\x9F\x90\x87";
    FamilyBuilder builder("x", "X.", prometheus::MetricType::Gauge);
    builder.Label("l", label).Value(value);
    EXPECT_EQ(std::move(builder).Finish().text, PrometheusCppText(value, label)) << value;
  }
}

// Prometheus parses a sample value with Go's ParseFloat, which refuses a number beyond DBL_MAX: one
// such sample made the whole scrape unparsable. 16 digits round DBL_MAX up ("1.797693134862316e+308",
// what prometheus-cpp writes), so near the ends warren writes 17, which read back exactly. Elsewhere
// 16 digits read back within a part in 10^15 (DBL_MIN's as a neighbouring denormal, still finite).
TEST(FamilyBuilder, EveryFiniteValueReadsBackFinite) {
  const double max = std::numeric_limits<double>::max();
  const double values[] = {max,
                           -max,
                           std::nextafter(max, 0.0),
                           -std::nextafter(max, 0.0),
                           1.7976931348623155e308,
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::denorm_min(),
                           -std::numeric_limits<double>::denorm_min(),
                           2.2250738585072009e-308,
                           -0.0,
                           0.1,
                           1.0 / 3};
  for (const double value : values) {
    std::string text;
    AppendSampleValue(&text, value);
    char* end = nullptr;
    const double back = std::strtod(text.c_str(), &end);
    EXPECT_EQ(*end, '\0') << text;
    EXPECT_TRUE(std::isfinite(back)) << value << " written as " << text;
    EXPECT_LE(std::fabs(back - value), std::fabs(value) * 1e-15) << value << " written as " << text;
    EXPECT_EQ(std::signbit(back), std::signbit(value)) << text;
  }
  for (const double extreme : {max, -max, std::nextafter(max, 0.0)}) {
    std::string text;
    AppendSampleValue(&text, extreme);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), extreme) << text;
  }
  std::string max_text;
  AppendSampleValue(&max_text, max);
  EXPECT_EQ(max_text, "1.7976931348623157e+308");
  std::string nan, inf, minus_inf;
  AppendSampleValue(&nan, std::nan(""));
  AppendSampleValue(&inf, std::numeric_limits<double>::infinity());
  AppendSampleValue(&minus_inf, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(nan + " " + inf + " " + minus_inf, "Nan +Inf -Inf") << "the spellings Prometheus reads";
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
