#pragma once
// The built-in demo model: deterministic weights from a seed, a byte-level tokenizer, no files.
// Some heads are constructed on purpose so a class sees structure (see builtin_demo.cpp for the
// map of which layer/head does what).
#include <cstdint>
#include <string_view>

#include "core/model/model.h"

namespace kvscope {

/// KV-head layouts of the demo model: builtin:demo (GQA, 4 KV heads), builtin:demo-mha (8),
/// builtin:demo-gqa (2), builtin:demo-mqa (1). All have 8 query heads.
enum class DemoVariant { Default, Mha, Gqa, Mqa };

inline constexpr std::uint64_t kDemoSeed = 20261123;

Model makeBuiltinDemo(DemoVariant variant, std::uint64_t seed = kDemoSeed);

}  // namespace kvscope
