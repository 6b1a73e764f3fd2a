#pragma once
// The token strip's chips for a Session: BOS and other special tokens, the prompt, the generated
// tokens fed so far, and the sampled token waiting to be fed.
#include <vector>

#include "core/engine/session.h"
#include "ui/token_strip.h"

namespace kvscope {

/// Empty before the prefill. Otherwise one chip per fed token (the prefill's tokens are the
/// prompt, later ones generated; special tokens are Special wherever they are), then the pending
/// next token.
std::vector<TokenChip> tokenChips(const Session& session);

}  // namespace kvscope
