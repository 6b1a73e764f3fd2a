#pragma once
// The three shapes `kvscope-cli attention` prints an attention matrix in: JSON, CSV, and a
// compact table for a terminal.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/model/model_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope::cli {

struct AttentionView {
    std::string model;
    std::string mode;
    std::int64_t layer = 0;
    std::int64_t head = 0;
    std::int64_t kv_head = 0;          // the KV head this query head reads
    std::int64_t n_prompt_tokens = 0;  // BOS included
    std::vector<TokenId> tokens;       // [n_tokens] every position: prompt, then generated
    std::vector<std::string> labels;   // [n_tokens] readable labels of `tokens`
    Matrix matrix;                     // [n_tokens][n_tokens] query x key, zeros above diagonal
};

/// One object: model, mode, layer, head, kv_head, n_prompt_tokens, n_tokens,
/// tokens: [{position, id, label, generated}], matrix: n_tokens rows of n_tokens numbers.
void writeAttentionJson(const AttentionView& view, std::ostream& out);
/// RFC 4180: a header "query\key" then one "position:label" per key; one row per query.
void writeAttentionCsv(const AttentionView& view, std::ostream& out);
/// A readable table with two decimals; '.' marks masked (future) keys.
void writeAttentionTable(const AttentionView& view, std::ostream& out);

/// `field` quoted for CSV when it holds a comma, quote, CR or LF (quotes doubled).
std::string csvField(std::string_view field);

}  // namespace kvscope::cli
