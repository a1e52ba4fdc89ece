#include "cvcore/epilogue.hpp"

#include "checks.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<Epilogue> kEpilogues[] = {
    {"none", Epilogue::none}, {"relu", Epilogue::relu}, {"relu6", Epilogue::relu6}, {"prelu", Epilogue::prelu}};

}  // namespace

const char* epilogue_name(Epilogue activation) { return detail::name_of(kEpilogues, activation); }

Epilogue parse_epilogue(const std::string& name, const char* op) {
  return detail::parse_named(kEpilogues, name, op, "activation");
}

void check_epilogue(const char* op, Epilogue activation, const TensorView& prelu_weight, int64_t channels) {
  const bool prelu = activation == Epilogue::prelu;
  check(prelu == detail::present(prelu_weight), op,
        ": prelu_weight must be given exactly when activation='prelu', got activation='", epilogue_name(activation),
        "' and ", detail::present(prelu_weight) ? "a prelu_weight" : "no prelu_weight");
  if (!prelu) return;
  detail::check_array(prelu_weight, op, "prelu_weight", DType::float32, 1);
  check(prelu_weight.shape[0] == channels || prelu_weight.shape[0] == 1, op, ": prelu_weight must have ", channels,
        " elements (one per output channel) or 1, got ", prelu_weight.shape[0]);
}

}  // namespace cvcore
