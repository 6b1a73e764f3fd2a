#pragma once
// The built-in demo model: deterministic weights from a seed, a byte-level tokenizer, no files.
// Some heads are constructed on purpose so a class sees structure (the map is below; how they are
// built is in builtin_demo.cpp).
#include <cstdint>
#include <string_view>

#include "core/model/model.h"

namespace kvscope {

/// KV-head layouts of the demo model: builtin:demo (GQA, 4 KV heads), builtin:demo-mha (8),
/// builtin:demo-gqa (2), builtin:demo-mqa (1). All have 8 query heads.
enum class DemoVariant { Default, Mha, Gqa, Mqa };

inline constexpr std::uint64_t kDemoSeed = 20261123;

Model makeBuiltinDemo(DemoVariant variant, std::uint64_t seed = kDemoSeed);

/// The heads built on purpose: the same layer/head in every variant (docs/demo-model.md).
struct DemoHead {
    int layer;
    int head;
};
inline constexpr DemoHead kPrevTokenHead{0, 0};  // query at m attends to m - 1
inline constexpr DemoHead kSinkHead{0, 1};       // every query attends to position 0 (BOS)
inline constexpr DemoHead kLocalHead{0, 2};      // a bell over the last ~6 tokens
inline constexpr DemoHead kSameTokenHead{0, 3};  // positions holding the query's token
inline constexpr DemoHead kInductionHead{1, 0};  // the token after an earlier copy of the query's

}  // namespace kvscope
