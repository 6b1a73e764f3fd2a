#include "ui/token_chips.h"

namespace kvscope {

std::vector<TokenChip> tokenChips(const Session& session) {
    const std::vector<StepRecord>& records = session.records();
    if (records.empty()) return {};
    const Tokenizer& tokenizer = *session.model().tokenizer;
    auto label = [&](TokenId id) { return QString::fromStdString(tokenizer.label(id)); };

    std::vector<TokenChip> chips;
    const std::size_t n_prompt = records.front().tokens.size();
    const std::vector<TokenId>& tokens = session.tokens();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const TokenRole role = tokenizer.isSpecial(tokens[i]) ? TokenRole::Special
                               : i < n_prompt                 ? TokenRole::Prompt
                                                              : TokenRole::Generated;
        chips.push_back({label(tokens[i]), role});
    }
    chips.push_back({label(records.back().next_token), TokenRole::Pending});
    return chips;
}

}  // namespace kvscope
