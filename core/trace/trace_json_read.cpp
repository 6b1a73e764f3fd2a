// readTraceJson(): the JSON document -> Trace, checking every key, type, range and shape.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "core/trace/eviction_json.h"
#include "core/trace/trace_json.h"
#include "core/trace/trace_text.h"
#include "core/util/error.h"
#include "core/util/json_value.h"

namespace kvscope {

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

std::int64_t readInt(const JsonValue& value, std::int64_t min, std::int64_t max = kInt64Max) {
    const std::int64_t number = value.asInt64();
    if (number < min || number > max)
        value.fail("expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                   "], got " + std::to_string(number));
    return number;
}

double readDouble(const JsonValue& value, double min) {
    const double number = value.asDouble();
    if (!(number >= min))
        value.fail("expected a number >= " + std::to_string(min) + ", got " + value.describe());
    return number;
}

/// The double that the writer's shortest digits for `f` read back as.
double writtenBack(float f) {
    char buffer[32];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, f);
    double back = 0.0;
    std::from_chars(buffer, written.ptr, back);
    return back;
}

/// A 32-bit float. The writer wrote the shortest digits that read back to the float; the parser
/// rounded those digits to a double, and rounding that double to float gives the float written
/// (no exception in a sample of 44 million floats). Double rounding is not ruled out in general,
/// so the neighbours are checked too: the float whose digits give this double is the one.
float readFloat(const JsonValue& value) {
    const double number = value.asDouble();
    const float nearest = float(number);
    if (!std::isfinite(nearest))
        value.fail("the number " + value.describe() + " does not fit a float");
    // The neighbour g of `nearest` can be the answer only when g's digits read back as `number`:
    // those digits lie in g's rounding interval, which ends at the midpoint between g and
    // `nearest`, and reading them as a double moves them by at most half a double ulp (2^-53
    // relative), while `number` rounds to `nearest`, so it is on the other side of that
    // midpoint: within 2^-53 of it. Farther away (all but a sliver of the numbers) the answer is
    // `nearest` without writing any digits.
    constexpr float kInf = std::numeric_limits<float>::infinity();
    const double exact = double(nearest);
    if (number == exact) return nearest;
    const float toward = std::nextafter(nearest, number > exact ? kInf : -kInf);
    if (std::isfinite(toward)) {
        const double midpoint = (exact + double(toward)) / 2;  // exact: floats have 24 bits
        if (std::abs(number - midpoint) > std::ldexp(std::abs(midpoint), -40)) return nearest;
    }
    if (writtenBack(nearest) == number) return nearest;
    for (float candidate : {std::nextafter(nearest, -kInf), std::nextafter(nearest, kInf)})
        if (writtenBack(candidate) == number) return candidate;
    return nearest;  // digits not written by KVScope: plain rounding
}

float readProbability(const JsonValue& value) {
    const float prob = readFloat(value);
    if (!(prob >= 0.0f && prob <= 1.0f))
        value.fail("expected a probability in [0, 1], got " + value.describe());
    return prob;
}

/// The array at `value` with exactly `size` items.
JsonItems readArray(const JsonValue& value, std::size_t size, std::string_view what) {
    const JsonItems items = value.items();
    if (items.size() != size)
        value.fail("expected " + std::to_string(size) + " " + std::string(what) + ", got " +
                   std::to_string(items.size()));
    return items;
}

/// Checks the schema name and returns the version (1 .. kTraceSchemaVersion).
std::int64_t checkSchema(const JsonValue& root) {
    if (!root.isObject())
        root.fail("expected a KVScope trace (a JSON object), got " + root.describe());
    const JsonValue& schema = root.at("schema");
    if (schema.asString() != kTraceSchemaName)
        schema.fail("not a KVScope trace: expected \"" + std::string(kTraceSchemaName) +
                    "\", got " + schema.describe());
    const JsonValue& version = root.at("version");
    const std::int64_t number = version.asInt64();
    if (number > kTraceSchemaVersion)
        version.fail("trace version " + std::to_string(number) +
                     " is newer than this KVScope reads (" + std::to_string(kTraceSchemaVersion) +
                     ")");
    if (number < 1) version.fail("trace version must be >= 1, got " + std::to_string(number));
    return number;
}

Scenario readScenario(const JsonValue& value) {
    Scenario scenario;
    scenario.model = value.at("model").asString();
    scenario.prompt = value.at("prompt").asString();
    scenario.max_new_tokens = readInt(value.at("max_new_tokens"), 0);
    const JsonValue& sampling = value.at("sampling");
    scenario.sampling.temperature = readFloat(sampling.at("temperature"));
    scenario.sampling.top_k = readInt(sampling.at("top_k"), 0);
    scenario.sampling.top_p = readFloat(sampling.at("top_p"));
    const JsonValue& seed = sampling.at("seed");
    const std::string& digits = seed.asString();
    const auto parsed =
        std::from_chars(digits.data(), digits.data() + digits.size(), scenario.sampling.seed);
    if (digits.empty() || parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size())
        seed.fail("expected a decimal string that fits 64 bits unsigned, got " + seed.describe());
    rethrowAt(sampling, [&] { scenario.sampling.validate(); });
    const JsonValue& mode = value.at("mode");
    scenario.mode = rethrowAt(mode, [&] { return parseCacheMode(mode.asString()); });
    const JsonValue& layout = value.at("cache_layout");
    const auto cache_layout = parseCacheLayout(layout.asString());
    if (!cache_layout)
        layout.fail("expected \"contiguous\" or \"paged\", got " + layout.describe());
    scenario.cache_layout = *cache_layout;
    scenario.block_size = readInt(value.at("block_size"), 1);
    const JsonValue& spec = value.at("cache_spec");
    scenario.cache_spec =
        rethrowAt(spec, [&] { return parseKvCacheSpec(spec.asString(), "cache_spec"); });
    scenario.max_context = readInt(value.at("max_context"), 0);
    if (const JsonValue* eviction = value.find("eviction")) readEvictionObject(*eviction, scenario);
    return scenario;
}

TraceModelInfo readModel(const JsonValue& value) {
    TraceModelInfo info;
    ModelConfig& c = info.config;
    c.name = value.at("name").asString();
    c.n_layers = readInt(value.at("n_layers"), 1);
    c.d_model = readInt(value.at("d_model"), 1);
    c.n_heads = readInt(value.at("n_heads"), 1);
    c.n_kv_heads = readInt(value.at("n_kv_heads"), 1);
    c.head_dim = readInt(value.at("head_dim"), 1);
    c.d_ff = readInt(value.at("d_ff"), 1);
    c.vocab = readInt(value.at("vocab"), 1, std::numeric_limits<TokenId>::max());
    c.max_context = readInt(value.at("max_context"), 1);
    c.rope_theta = readFloat(value.at("rope_theta"));
    c.norm_eps = readFloat(value.at("norm_eps"));
    c.tied_output = value.at("tied_output").asBool();
    rethrowAt(value, [&] { c.validate(); });
    info.bos = TokenId(readInt(value.at("bos"), 0, c.vocab - 1));
    info.eos = TokenId(readInt(value.at("eos"), 0, c.vocab - 1));
    return info;
}

std::map<TokenId, TraceToken> readTokens(const JsonValue& value, std::int64_t vocab) {
    std::map<TokenId, TraceToken> tokens;
    std::int64_t previous = -1;
    for (const JsonValue& item : value.items()) {
        const JsonValue& id_value = item.at("id");
        const std::int64_t id = readInt(id_value, 0, vocab - 1);
        if (id <= previous)
            id_value.fail("token ids must increase through the table, got " + std::to_string(id) +
                          " after " + std::to_string(previous));
        previous = id;
        TraceToken token;
        token.label = item.at("label").asString();
        const JsonValue& hex = item.at("text_hex");
        const auto text = parseHexBytes(hex.asString());
        if (!text) hex.fail("expected hexadecimal bytes (two digits each), got " + hex.describe());
        token.text = *text;
        token.special = item.at("special").asBool();
        tokens.emplace(TokenId(id), std::move(token));
    }
    return tokens;
}

/// What a record is checked against.
struct Context {
    const ModelConfig& config;
    const std::map<TokenId, TraceToken>& tokens;
};

TokenId readTokenId(const JsonValue& value, const Context& context) {
    const auto id = TokenId(readInt(value, 0, context.config.vocab - 1));
    if (context.tokens.count(id) == 0)
        value.fail("token id " + std::to_string(id) + " has no entry in $.tokens");
    return id;
}

/// One head's rows: [n_query][n_keys].
Matrix readAttentionHead(const JsonValue& value, std::int64_t n_query, std::int64_t n_keys) {
    const JsonItems rows = readArray(value, std::size_t(n_query), "rows (one per token fed)");
    // Every row's length is checked before the matrix is allocated, so its size is that of
    // numbers the text holds, not what the record's positions claim.
    for (const JsonValue& row : rows)
        readArray(row, std::size_t(n_keys), "weights (one per position attended)");
    Matrix head(n_query, n_keys);
    for (std::int64_t row = 0; row < n_query; ++row) {
        const JsonItems weights = rows[std::size_t(row)].items();
        for (std::int64_t col = 0; col < n_keys; ++col)
            head(row, col) = readFloat(weights[std::size_t(col)]);
    }
    return head;
}

/// A list of held positions: ascending, each in [0, positions_after).
std::vector<std::int64_t> readHeldPositions(const JsonValue& value, std::int64_t positions_after) {
    std::vector<std::int64_t> out;
    for (const JsonValue& item : value.items()) {
        const std::int64_t p = readInt(item, 0, positions_after - 1);
        if (!out.empty() && p <= out.back())
            item.fail("held positions must be ascending, got " + std::to_string(p) + " after " +
                      std::to_string(out.back()));
        out.push_back(p);
    }
    return out;
}

/// A layer's `held_positions` and `held_positions_per_head` (version 3), absent when every
/// position is held.
void readHeld(const JsonValue& value, LayerRecord& layer, const StepRecord& record,
              const Context& context, std::int64_t version) {
    const JsonValue* held = value.find("held_positions");
    const JsonValue* per_head = value.find("held_positions_per_head");
    for (const JsonValue* v : {held, per_head})
        if (v && version < 3)
            v->fail("held positions need trace version 3, the file says " +
                    std::to_string(version));
    if (held) layer.held_positions = readHeldPositions(*held, record.positionsAfter());
    if (!per_head) return;
    const JsonItems heads = readArray(*per_head, std::size_t(context.config.n_kv_heads),
                                      "lists (the model's n_kv_heads)");
    for (const JsonValue& head : heads) {
        layer.held_positions_per_head.push_back(readHeldPositions(head, record.positionsAfter()));
        if (layer.held_positions_per_head.back().size() !=
            layer.held_positions_per_head.front().size())
            head.fail("every KV head holds the same count of positions");
    }
}

LayerRecord readLayer(const JsonValue& value, const StepRecord& record, const Context& context,
                      std::int64_t version) {
    LayerRecord layer;
    layer.k_bytes = readInt(value.at("k_bytes"), 0);
    layer.v_bytes = readInt(value.at("v_bytes"), 0);
    layer.bytes_allocated = readInt(value.at("bytes_allocated"), 0);
    if (const JsonValue* holes = value.find("holes")) {  // optional: the paged layout's holes
        if (version < 3)
            holes->fail("holes need trace version 3, the file says " + std::to_string(version));
        layer.holes = readInt(*holes, 0);
    }
    readHeld(value, layer, record, context, version);
    const JsonValue& attention = value.at("attention");
    const std::size_t n_heads = attention.items().size();
    if (n_heads != 0 && n_heads != std::size_t(context.config.n_heads))
        attention.fail("expected " + std::to_string(context.config.n_heads) +
                       " heads (or none when attention was not recorded), got " +
                       std::to_string(n_heads));
    const auto n_query = std::int64_t(record.tokens.size());
    for (const JsonValue& head : attention.items())
        layer.attention.push_back(readAttentionHead(head, n_query, record.positionsAfter()));
    return layer;
}

StepCost readCost(const JsonValue& cost) {
    StepCost out;
    out.flops = readDouble(cost.at("flops"), 0.0);
    out.weight_bytes_read = readDouble(cost.at("weight_bytes_read"), 0.0);
    out.kv_bytes_read = readDouble(cost.at("kv_bytes_read"), 0.0);
    out.kv_bytes_written = readDouble(cost.at("kv_bytes_written"), 0.0);
    return out;
}

/// A record's `other_mode` (version 2), absent where the twin did not measure the step.
std::optional<OtherModeCost> readOtherMode(const JsonValue& record, std::int64_t version,
                                           CacheMode mode) {
    const JsonValue* value = record.find("other_mode");
    if (value == nullptr) return std::nullopt;
    if (version < 2)
        value->fail("other_mode needs trace version 2, the file says " + std::to_string(version));
    const JsonValue& other = value->at("mode");
    const std::string_view expected = toString(otherMode(mode));
    if (other.asString() != expected)
        other.fail("expected \"" + std::string(expected) +
                   "\" (the mode the scenario did not run), got " + other.describe());
    return OtherModeCost{readDouble(value->at("wall_ms"), 0.0), readCost(value->at("cost"))};
}

StepRecord readRecord(const JsonValue& value, std::int64_t expected_pos, const Context& context,
                      std::int64_t version) {
    StepRecord record;
    const JsonValue& phase = value.at("phase");
    const std::string& phase_name = phase.asString();
    if (phase_name != "prefill" && phase_name != "decode")
        phase.fail("expected \"prefill\" or \"decode\", got " + phase.describe());
    record.phase = phase_name == "prefill" ? Phase::Prefill : Phase::Decode;
    if ((record.phase == Phase::Prefill) != (expected_pos == 0))
        phase.fail(expected_pos == 0 ? "the first record must be the prefill"
                                     : "only the first record may be a prefill");
    const JsonValue& first_pos = value.at("first_pos");
    record.first_pos = readInt(first_pos, 0);
    if (record.first_pos != expected_pos)
        first_pos.fail("expected " + std::to_string(expected_pos) +
                       " (where the previous record ended), got " +
                       std::to_string(record.first_pos));
    const JsonValue& tokens = value.at("tokens");
    for (const JsonValue& id : tokens.items())
        record.tokens.push_back(readTokenId(id, context));
    if (record.tokens.empty()) tokens.fail("a step feeds at least one token");
    if (record.positionsAfter() > context.config.max_context)
        tokens.fail("positions run to " + std::to_string(record.positionsAfter()) +
                    ", past the model's max_context " + std::to_string(context.config.max_context));
    record.next_token = readTokenId(value.at("next_token"), context);
    record.next_prob = readProbability(value.at("next_prob"));
    for (const JsonValue& item : value.at("top_k").items())
        record.top_k.push_back(
            {readTokenId(item.at("id"), context), readProbability(item.at("prob"))});
    record.cost = readCost(value.at("cost"));
    record.wall_ms = readDouble(value.at("wall_ms"), 0.0);
    const JsonItems layers = readArray(value.at("layers"), std::size_t(context.config.n_layers),
                                       "layers (the model's n_layers)");
    for (const JsonValue& layer : layers)
        record.layers.push_back(readLayer(layer, record, context, version));
    return record;
}

Trace traceFromJson(const JsonValue& root) {
    const std::int64_t version = checkSchema(root);
    Trace trace;
    trace.scenario = readScenario(root.at("scenario"));
    trace.backend = root.at("backend").asString();
    trace.model_info = readModel(root.at("model"));
    trace.tokens = readTokens(root.at("tokens"), trace.model_info.config.vocab);
    const Context context{trace.model_info.config, trace.tokens};
    std::int64_t position = 0;
    for (const JsonValue& item : root.at("records").items()) {
        trace.records.push_back(readRecord(item, position, context, version));
        trace.other_mode.push_back(readOtherMode(item, version, trace.scenario.mode));
        position = trace.records.back().positionsAfter();
    }
    // Without any twin measurement the trace says so the way a fresh one does: no entries.
    if (std::none_of(trace.other_mode.begin(), trace.other_mode.end(),
                     [](const auto& other) { return other.has_value(); }))
        trace.other_mode.clear();
    return trace;
}

}  // namespace

Trace readTraceJson(std::string_view text, std::string_view source) {
    return traceFromJson(parseJson(text, source));
}

Trace readTraceJsonFile(const std::string& path) {
    return traceFromJson(parseJsonFile(path, kMaxTraceFileBytes));
}

}  // namespace kvscope
