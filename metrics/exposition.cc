#include "metrics/exposition.h"

#include <algorithm>
#include <sstream>

#include "prometheus/text_serializer.h"

namespace warren::metrics {

std::vector<FamilyText> SerializeFamilies(std::vector<prometheus::MetricFamily> families) {
  const prometheus::TextSerializer serializer;
  std::vector<FamilyText> out;
  out.reserve(families.size());
  for (prometheus::MetricFamily& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                return a.label < b.label;
              });
    // Moved, not copied (`{family}` would copy every series), and freed as soon as its text
    // exists: the series of the next family are still alive, these no longer.
    std::vector<prometheus::MetricFamily> one;
    one.push_back(std::move(family));
    std::ostringstream text;
    serializer.Serialize(text, one);
    out.push_back({std::move(one[0].name), std::move(text).str()});
  }
  return out;
}

std::string Assemble(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates) {
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const FamilyText* a, const FamilyText* b) { return a->name < b->name; });
  size_t total = 0;
  for (const FamilyText* chunk : chunks) total += chunk->text.size();
  std::string out;
  out.reserve(total);
  // The "# HELP ...\n# TYPE ...\n" lines that open a chunk.
  auto header_length = [](const std::string& text) {
    const size_t help_end = text.find('\n');
    const size_t type_end = help_end == std::string::npos ? std::string::npos : text.find('\n', help_end + 1);
    return type_end == std::string::npos ? text.size() : type_end + 1;
  };
  const FamilyText* previous = nullptr;
  for (const FamilyText* chunk : chunks) {
    if (previous != nullptr && previous->name == chunk->name) {
      const size_t header = header_length(chunk->text);
      if (previous->text.compare(0, header_length(previous->text), chunk->text, 0, header) == 0) {
        out.append(chunk->text, header);
      } else {
        duplicates->push_back(chunk->name);
      }
      continue;
    }
    out.append(chunk->text);
    previous = chunk;
  }
  return out;
}

}  // namespace warren::metrics
