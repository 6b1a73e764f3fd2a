#include "app/cli/attention/attention_output.h"

#include "app/cli/text_format.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

std::string positionLabel(const AttentionView& view, std::int64_t position) {
    return std::to_string(position) + ":" + view.labels[std::size_t(position)];
}

}  // namespace

std::string csvField(std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string quoted = "\"";
    for (char c : field) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

void writeAttentionJson(const AttentionView& view, std::ostream& out) {
    const std::int64_t n = std::int64_t(view.tokens.size());
    JsonWriter json(out);
    json.beginObject();
    json.field("model", view.model);
    json.field("mode", view.mode);
    json.field("layer", view.layer);
    json.field("head", view.head);
    json.field("kv_head", view.kv_head);
    json.field("n_prompt_tokens", view.n_prompt_tokens);
    json.field("n_tokens", n);
    json.key("tokens").beginArray();
    for (std::int64_t p = 0; p < n; ++p) {
        json.beginObject();
        json.field("position", p);
        json.field("id", view.tokens[std::size_t(p)]);
        json.field("label", view.labels[std::size_t(p)]);
        json.field("generated", p >= view.n_prompt_tokens);
        json.endObject();
    }
    json.endArray();
    json.field("matrix_layout", "square: matrix[q][k] for query q and key k; 0 where k > q");
    json.key("matrix").beginArray();
    for (std::int64_t q = 0; q < n; ++q) {
        json.beginArray();
        for (std::int64_t k = 0; k < n; ++k)
            json.value(view.matrix(q, k));
        json.endArray();
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

void writeAttentionCsv(const AttentionView& view, std::ostream& out) {
    const std::int64_t n = std::int64_t(view.tokens.size());
    out << csvField("query\\key");
    for (std::int64_t k = 0; k < n; ++k)
        out << "," << csvField(positionLabel(view, k));
    out << "\r\n";
    std::string number;
    for (std::int64_t q = 0; q < n; ++q) {
        out << csvField(positionLabel(view, q));
        for (std::int64_t k = 0; k < n; ++k) {
            number.clear();
            appendJsonNumber(number, view.matrix(q, k));
            out << "," << number;
        }
        out << "\r\n";
    }
}

void writeAttentionTable(const AttentionView& view, std::ostream& out) {
    constexpr std::size_t kCell = 5, kLabel = 8;
    const std::int64_t n = std::int64_t(view.tokens.size());
    out << view.model << " (" << view.mode << "), layer " << view.layer << ", query head "
        << view.head << " (KV head " << view.kv_head << "): " << n << " tokens, "
        << view.n_prompt_tokens << " from the prompt (BOS included)\n"
        << "row = query position, column = key position, value = attention weight; "
           "'.' = future key (masked), '*' = generated token\n\n";
    out << std::string(4 + 1 + kLabel + 1, ' ');
    for (std::int64_t k = 0; k < n; ++k)
        out << padLeft(std::to_string(k), kCell);
    out << "\n";
    for (std::int64_t q = 0; q < n; ++q) {
        const std::string label = truncateDisplay(view.labels[std::size_t(q)], kLabel - 1) +
                                  (q >= view.n_prompt_tokens ? "*" : "");
        out << padLeft(std::to_string(q), 4) << " " << padRight(label, kLabel) << " ";
        for (std::int64_t k = 0; k < n; ++k) {
            out << padLeft(k > q ? "." : fixed(view.matrix(q, k), 2), kCell);
        }
        out << "\n";
    }
}

}  // namespace kvscope::cli
