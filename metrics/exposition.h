// Prometheus text output: each family's text is written once when data arrives (by the mapper and
// the joins, family_builder.h, or here for warren's own prometheus-cpp families), then assembled
// per request in name order.
#ifndef WARREN_METRICS_EXPOSITION_H_
#define WARREN_METRICS_EXPOSITION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "prometheus/metric_family.h"

namespace warren::metrics {

struct FamilyText {
  std::string name;
  std::string text;  // "# HELP ...\n# TYPE ...\nsamples..."
};

// Serializes each family on its own, with its series sorted by labels: for warren's own few
// families (self and process metrics). prometheus-cpp's serializer escapes label values but
// neither sorts nor merges.
std::vector<FamilyText> SerializeFamilies(std::vector<prometheus::MetricFamily> families);

// An exposition as the pieces of text it is made of, in order, without a concatenated copy: at
// 100,000 queues that copy is 107 MB. Whoever fills `pieces` puts what owns their text in
// `owners`, so the pieces stay valid as long as the Exposition.
struct Exposition {
  std::vector<std::shared_ptr<const void>> owners;
  std::vector<absl::string_view> pieces;
  std::vector<size_t> ends;  // ends[i]: the byte offset just past pieces[i]

  size_t size() const { return ends.empty() ? 0 : ends.back(); }
  // Adds `piece` (nothing if it is empty); its owner goes into `owners`.
  void Append(absl::string_view piece);
  // The rest of the piece that holds byte `offset` (empty at or past the end).
  absl::string_view At(size_t offset) const;
  std::string Joined() const;
};

// Orders `chunks` by family name as pieces of their text. Chunks of one name from several
// endpoints (each health check's rabbitmq_health_check_up) merge under one HELP and TYPE; a name
// seen again with other HELP or TYPE keeps its first chunk and is appended to `duplicates`. The
// caller keeps the chunks alive (Exposition::owners).
Exposition AssemblePieces(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates);
// The same, concatenated.
std::string Assemble(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_EXPOSITION_H_
