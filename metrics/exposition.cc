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
              [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) { return a.label < b.label; });
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

Exposition AssemblePieces(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates) {
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const FamilyText* a, const FamilyText* b) { return a->name < b->name; });
  Exposition out;
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
        out.Append(absl::string_view(chunk->text).substr(header));
      } else {
        duplicates->push_back(chunk->name);
      }
      continue;
    }
    out.Append(chunk->text);
    previous = chunk;
  }
  return out;
}

std::string Assemble(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates) {
  return AssemblePieces(std::move(chunks), duplicates).Joined();
}

void Exposition::Append(absl::string_view piece) {
  if (piece.empty()) return;
  const size_t end = size() + piece.size();
  pieces.push_back(piece);
  ends.push_back(end);
}

absl::string_view Exposition::At(size_t offset) const {
  const auto end = std::upper_bound(ends.begin(), ends.end(), offset);
  if (end == ends.end()) return {};
  const size_t i = static_cast<size_t>(end - ends.begin());
  const size_t start = *end - pieces[i].size();
  return pieces[i].substr(offset - start);
}

std::string Exposition::Joined() const {
  std::string out;
  out.reserve(size());
  for (absl::string_view piece : pieces) out.append(piece.data(), piece.size());
  return out;
}

}  // namespace warren::metrics
