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

}  // namespace cvcore
