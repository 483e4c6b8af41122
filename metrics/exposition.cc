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
    std::ostringstream text;
    serializer.Serialize(text, {family});
    out.push_back({family.name, std::move(text).str()});
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
  const FamilyText* previous = nullptr;
  for (const FamilyText* chunk : chunks) {
    if (previous != nullptr && previous->name == chunk->name) {
      duplicates->push_back(chunk->name);
      continue;
    }
    out.append(chunk->text);
    previous = chunk;
  }
  return out;
}

}  // namespace warren::metrics
