#pragma once
// Building a self-contained Trace from a live run: the records plus the model's shape and the
// texts of the tokens they name, so that the trace can be replayed without the model.
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/trace/trace.h"

namespace kvscope {

/// The config and special tokens of `model`.
TraceModelInfo traceModelInfo(const Model& model);

/// Every token id the records name: fed (tokens), sampled (next_token) and in top_k.
std::set<TokenId> tokenIdsOf(std::span<const StepRecord> records);

/// Label, text and specialness of each id in `ids`. Pre: ids are in the tokenizer's vocabulary.
std::map<TokenId, TraceToken> traceTokens(const Tokenizer& tokenizer, const std::set<TokenId>& ids);

/// A Trace of `records` run on `model` with `scenario`.
Trace makeTrace(const Model& model, Scenario scenario, std::vector<StepRecord> records,
                std::string backend);

}  // namespace kvscope
