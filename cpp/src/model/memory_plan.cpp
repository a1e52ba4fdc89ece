// The memory plan: graph outputs are written straight into the returned tensors (a copy step is
// added only for an output that is a graph input, a constant, or another output's bytes); every other
// computed value gets an offset in one arena, shared with values whose lifetimes do not overlap
// (largest first, each at the lowest offset free during its lifetime).
#include <algorithm>

#include "checks.hpp"
#include "model/plan.hpp"

namespace cvcore::model {
namespace {

constexpr int64_t kAlignment = 64;

// The value whose bytes v is (v itself unless it is a reshape).
int root_of(const Plan& plan, int v) {
  while (plan.values[size_t(v)].storage == Storage::alias) v = plan.values[size_t(v)].index;
  return v;
}

// Outputs go to the returned tensors: the value computing an output (through reshapes) is stored there
// when that value is computed by a step and is not already another output.
void place_outputs(Plan& plan) {
  for (size_t j = 0; j < plan.outputs.size(); ++j) {
    const int out = plan.outputs[j];
    const int root = root_of(plan, out);
    Value& r = plan.values[size_t(root)];
    if (r.storage == Storage::arena) {
      r.storage = Storage::output;
      r.index = int(j);
      continue;
    }
    // A copy into a value of the output's shape.
    Value copy;
    copy.name = plan.values[size_t(out)].name;
    copy.dtype = plan.values[size_t(out)].dtype;
    copy.shape = plan.values[size_t(out)].shape;
    copy.storage = Storage::output;
    copy.index = int(j);
    plan.values.push_back(std::move(copy));
    const int id = int(plan.values.size() - 1);
    Step s;
    s.inputs = {out};
    s.outputs = {id};
    s.nodes = {"output '" + plan.values[size_t(out)].name + "'"};
    s.args = CopyStep{};
    plan.steps.push_back(std::move(s));
    plan.outputs[j] = id;
  }
}

struct Lifetime {
  int value;
  size_t first, last;  // steps writing it first and reading it last
  int64_t bytes;
};

}  // namespace

void plan_memory(Plan& plan) {
  place_outputs(plan);
  // Lifetimes of the arena values, from the steps that write and read them (through reshapes).
  const size_t none = size_t(-1);
  std::vector<size_t> first(plan.values.size(), none), last(plan.values.size(), 0);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    for (int id : plan.steps[i].outputs) {
      const int r = root_of(plan, id);
      if (first[size_t(r)] == none) first[size_t(r)] = i;
      last[size_t(r)] = std::max(last[size_t(r)], i);
    }
    for (int id : plan.steps[i].inputs) {
      const int r = root_of(plan, id);
      last[size_t(r)] = std::max(last[size_t(r)], i);
    }
  }
  std::vector<Lifetime> lifetimes;
  for (size_t v = 0; v < plan.values.size(); ++v)
    if (plan.values[v].storage == Storage::arena && first[v] != none)
      lifetimes.push_back({int(v), first[v], last[v], plan.values[v].nbytes()});
  std::stable_sort(lifetimes.begin(), lifetimes.end(), [](const Lifetime& a, const Lifetime& b) { return a.bytes > b.bytes; });

  struct Placed {
    int64_t begin, end;
    size_t first, last;
  };
  std::vector<Placed> placed;
  int64_t arena = 0;
  for (const Lifetime& l : lifetimes) {
    // The lowest offset that no overlapping lifetime's block covers.
    std::vector<Placed> overlapping;
    for (const Placed& p : placed)
      if (p.first <= l.last && l.first <= p.last) overlapping.push_back(p);
    std::sort(overlapping.begin(), overlapping.end(), [](const Placed& a, const Placed& b) { return a.begin < b.begin; });
    int64_t offset = 0;
    for (const Placed& p : overlapping) {
      if (offset + l.bytes <= p.begin) break;
      offset = std::max(offset, p.end);
    }
    const int64_t end = detail::checked_add(offset, (l.bytes + kAlignment - 1) / kAlignment * kAlignment, "the arena");
    placed.push_back({offset, end, l.first, l.last});
    plan.values[size_t(l.value)].offset = offset;
    arena = std::max(arena, end);
  }
  plan.arena_bytes = arena;
}

}  // namespace cvcore::model
