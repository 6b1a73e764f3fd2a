// The built-in demo model `builtin:demo`: seeded random weights with five attention heads written
// by hand, so that a class sees attention patterns that mean something. docs/demo-model.md tells
// the story for teachers; this file is the exact recipe.
//
// Head map (the same layer/head indices in all four variants):
//   layer 0 head 0  previous-token head   query at m attends to m - 1
//   layer 0 head 1  attention sink        every query attends to position 0 (BOS)
//   layer 0 head 2  local window          attention falls off like a Gaussian of width ~6 tokens
//   layer 0 head 3  same-token head       attends to every position holding the query's token
//                                         (its own position included: see sameTokenQuery)
//   layer 1 head 0  induction head        attends to the token AFTER an earlier occurrence of the
//                                         query's token and copies it to the output
// Every other head, every FFN and the free part of the embeddings are seeded random.
//
// How it works. The residual stream reserves its first 32 dimensions for named features
// (ResidualDim). RMSNorm divides by the rms of the whole vector, so the designed features are
// made the same size for every token and the random parts are kept small (and never written into
// the reserved dimensions). Every KV head of layers 0 and 1 gets the same key/value layout
// (KeyDim, ValueDim), so any query head can use it: with GQA and MQA the designed query heads share
// one KV head and still show their patterns. Positions only enter through RoPE: a key that is a
// constant (kappa, 0) in pair i gives the score c cos(d w_i) + s sin(d w_i) at distance d for a
// query of our choosing (pairQuery), so the positional heads are sums of such cosines. With
// rope_theta = 1e8 and head_dim 16 the pair frequencies are exactly 1, 0.1, 0.01, 1e-3, 1e-4, ..
// 1e-7: pairs 0..2 for position, pair 3 (BOS) and pairs 4..7 (token code) are nearly unrotated over
// the 512-token context, so content matching does not depend on distance.
#include "core/model/builtin_demo.h"

#include <array>
#include <cmath>
#include <memory>
#include <string_view>

#include "core/model/random_weights.h"
#include "core/model/tokenizer.h"

namespace kvscope {

namespace {

using Index = Eigen::Index;

// ---- Shape ----------------------------------------------------------------------------------

constexpr std::int64_t kLayers = 4;
constexpr std::int64_t kDModel = 128;
constexpr std::int64_t kHeads = 8;
constexpr std::int64_t kHeadDim = 16;
constexpr std::int64_t kFfnDim = 256;
constexpr std::int64_t kMaxContext = 512;
constexpr float kRopeTheta = 1e8f;
constexpr float kNormEps = 1e-5f;
constexpr int kCodeBits = 8;  // a byte token is coded by its 8 bits, each +1 (set) or -1 (clear)

// ---- Residual stream layout: dimensions 0..31 are reserved for designed features ------------

namespace ResidualDim {
constexpr Index kConst = 0;     // 1 for every token
constexpr Index kBos = 1;       // sqrt(8) for BOS, else 0 (keeps every token's designed norm equal)
constexpr Index kToken = 2;     // 8 dims: the token's byte code (0 for special tokens)
constexpr Index kPrev = 10;     // 8 dims: the previous token's code (previous-token head)
constexpr Index kNext = 18;     // 8 dims: the induction head's guess of the next token's code
constexpr Index kSpecial = 26;  // sqrt(8) for <unk> and </s>, else 0
constexpr Index kFree = 32;     // 32..127: free for the random parts
}  // namespace ResidualDim

// ---- Key/value layout inside every KV head of layers 0 and 1 --------------------------------

namespace KeyDim {
constexpr int kPositionPairs = 3;  // pairs 0..2 (dims 0, 2, 4 = kKeyConst; dims 1, 3, 5 = 0)
constexpr Index kBos = 6;          // pair 3: 1 for BOS, else 0 (dim 7 stays 0)
constexpr Index kCode = 8;         // pairs 4..7: byte code (layer 0: own token; layer 1: previous)
}  // namespace KeyDim

namespace ValueDim {
constexpr Index kCode = 0;  // 0..7: the token's own byte code
constexpr Index kBos = 8;   // 1 for BOS
}  // namespace ValueDim

constexpr float kKeyConst = 1.0f;  // kappa: the constant in the positional key pairs

// ---- Strengths, in attention-score units (after the 1/sqrt(head_dim) scaling) ---------------

constexpr float kPrevTokenScale = 32.0f;    // score(d) = 32 * sum_i cos((d - 1) w_i), pairs 0..2
constexpr float kSinkScore = 16.0f;         // score on BOS; 0 elsewhere
constexpr float kLocalWidth = 6.0f;         // Gaussian width (tokens) of the local window
constexpr float kLocalAliasScore = 100.0f;  // pair 2 amplitude: keeps pair 1 from repeating
constexpr float kSameTokenScore = 6.0f;     // per code bit: match 48, one bit off 36
constexpr float kInductionScore = 8.0f;     // per code bit: match 64, one bit off 48
constexpr float kInductionBosScore = 7.0f * kInductionScore;  // the fallback when nothing matches

// ---- Readout and random parts ---------------------------------------------------------------

constexpr float kNextLogitPerBit = 2.0f;  // logit gap 4 between the copied token and a 1-bit miss
constexpr float kUnprintableLogit = -10.0f;   // control bytes, bytes >= 0x7f, special tokens
constexpr float kRandomScale = 1.0f;          // randomWeights() scale for the random parts
constexpr float kRandomWriteScale = 0.5f;     // extra factor on wo/w_down of random parts
constexpr float kEmbeddingFreeNorm = 0.5f;    // norm of the random part of each embedding row
constexpr float kClassifierFreeScale = 0.1f;  // random classifier weights on the free dims

/// Sum of squares of the designed dims that every token carries at the input of each stage
/// (const + token code [+ previous code] [+ next code]); used to predict RMSNorm's scale.
constexpr float kDesignedSumSqLayer0 = 1.0f + kCodeBits;
constexpr float kDesignedSumSqLayer1 = 1.0f + 2.0f * kCodeBits;
constexpr float kDesignedSumSqOutput = 1.0f + 3.0f * kCodeBits;
/// Sum of squares of the free dims (random parts) at each stage: exact for the embeddings, and
/// the mean measured on the demo prompt for the input of layer 1 and of the classifier (it grows
/// as the random heads and FFNs write). A wrong guess only scales designed scores by a few %.
constexpr float kFreeSumSqLayer0 = kEmbeddingFreeNorm * kEmbeddingFreeNorm;
constexpr float kFreeSumSqLayer1 = 1.3f;
constexpr float kFreeSumSqOutput = 6.0f;

ModelConfig demoConfig(DemoVariant variant) {
    ModelConfig c;
    c.n_layers = kLayers;
    c.d_model = kDModel;
    c.n_heads = kHeads;
    c.head_dim = kHeadDim;
    c.d_ff = kFfnDim;
    c.vocab = ByteTokenizer::kVocabSize;
    c.max_context = kMaxContext;
    c.rope_theta = kRopeTheta;
    c.norm_eps = kNormEps;
    c.tied_output = false;
    switch (variant) {
        case DemoVariant::Default:
            c.name = "builtin:demo";
            c.n_kv_heads = 4;
            break;
        case DemoVariant::Mha:
            c.name = "builtin:demo-mha";
            c.n_kv_heads = 8;
            break;
        case DemoVariant::Gqa:
            c.name = "builtin:demo-gqa";
            c.n_kv_heads = 2;
            break;
        case DemoVariant::Mqa:
            c.name = "builtin:demo-mqa";
            c.n_kv_heads = 1;
            break;
    }
    return c;
}

/// +1 if bit `bit` of `byte` is set, else -1.
float codeBit(int byte, int bit) {
    return ((byte >> bit) & 1) ? 1.0f : -1.0f;
}

/// The value one unit of a designed feature has after RMSNorm (norm weight 1), given the sum of
/// squares of the whole residual vector: x / rms(x) with rms = sqrt(sum_sq / d_model).
float unitAfterNorm(float designed_sum_sq, float free_sum_sq) {
    return std::sqrt(float(kDModel) / (designed_sum_sq + free_sum_sq));
}

/// RMSNorm's output for BOS's kBos feature (sqrt(8)): BOS carries const + that feature only.
float bosUnit(float free_sum_sq) {
    return std::sqrt(float(kCodeBits)) * unitAfterNorm(kDesignedSumSqLayer0, free_sum_sq);
}

/// RoPE frequency of pair `pair`: theta^(-2 pair / head_dim).
double pairFrequency(int pair) {
    return std::pow(double(kRopeTheta), -2.0 * pair / double(kHeadDim));
}

/// The query (q0, q1) for one RoPE pair whose key is the constant (key, 0), such that the score
/// q.k / sqrt(head_dim) at distance d = m - n is c cos(d w) + s sin(d w). RoPE rotates q by m w
/// and k by n w, so q.k = q^T R(-d w) k = key (q0 cos(d w) - q1 sin(d w)).
std::array<float, 2> pairQuery(double c, double s, float key) {
    const double scale = std::sqrt(double(kHeadDim)) / key;
    return {float(c * scale), float(-s * scale)};
}

Index queryRow(DemoHead id, Index dim) {
    return Index(id.head) * kHeadDim + dim;
}

// ---- Embeddings -----------------------------------------------------------------------------

/// Designed dims of every row; the random free dims are rescaled to kEmbeddingFreeNorm so that
/// every token has the same norm (RMSNorm then gives every token the same designed features).
void writeEmbeddings(Matrix& token_embd) {  // [vocab][d_model]
    const float special_size = std::sqrt(float(kCodeBits));
    for (Index id = 0; id < token_embd.rows(); ++id) {
        auto row = token_embd.row(id);
        row.head(ResidualDim::kFree).setZero();
        auto free = row.tail(kDModel - ResidualDim::kFree);
        free *= kEmbeddingFreeNorm / free.norm();
        row(ResidualDim::kConst) = 1.0f;
        if (id == ByteTokenizer::kBos) {
            row(ResidualDim::kBos) = special_size;
        } else if (id < ByteTokenizer::kFirstByte) {
            row(ResidualDim::kSpecial) = special_size;
        } else {
            const int byte = int(id - ByteTokenizer::kFirstByte);
            for (int b = 0; b < kCodeBits; ++b)
                row(ResidualDim::kToken + b) = codeBit(byte, b);
        }
    }
}

// ---- Keys and values shared by every KV head of layers 0 and 1 ------------------------------

/// Writes the designed key/value layout into every KV head of `layer`. `code_source` is the
/// residual block the key's code comes from: the token itself (layer 0) or the previous token
/// (layer 1, written there by the previous-token head). `unit` is RMSNorm's scale at this layer for
/// a byte token, `bos_unit` the scale of BOS's sqrt(8) feature (BOS has no previous token).
void writeSharedKeysValues(LayerWeights& layer, std::int64_t n_kv_heads, Index code_source,
                           float unit, float bos_unit) {
    layer.wk.values().setZero();  // [n_kv_heads * head_dim][d_model]
    layer.wv.values().setZero();  // [n_kv_heads * head_dim][d_model]
    for (Index g = 0; g < n_kv_heads; ++g) {
        const Index base = g * kHeadDim;
        for (int p = 0; p < KeyDim::kPositionPairs; ++p)
            layer.wk.values()(base + 2 * p, ResidualDim::kConst) = kKeyConst / unit;
        layer.wk.values()(base + KeyDim::kBos, ResidualDim::kBos) = 1.0f / bos_unit;
        for (int b = 0; b < kCodeBits; ++b) {
            layer.wk.values()(base + KeyDim::kCode + b, code_source + b) = 1.0f / unit;
            layer.wv.values()(base + ValueDim::kCode + b, ResidualDim::kToken + b) = 1.0f / unit;
        }
        layer.wv.values()(base + ValueDim::kBos, ResidualDim::kBos) = 1.0f / bos_unit;
    }
}

// ---- Designed queries -----------------------------------------------------------------------

/// Clears the query rows and the output columns of a designed head.
void clearHead(LayerWeights& layer, DemoHead id) {
    layer.wq.values().middleRows(queryRow(id, 0), kHeadDim).setZero();  // [head_dim][d_model]
    layer.wo.values().middleCols(queryRow(id, 0), kHeadDim).setZero();  // [d_model][head_dim]
}

/// A positional query made of RoPE pairs whose key is (kKeyConst, 0): pair p scores
/// c[p] cos(d w_p) + s[p] sin(d w_p). The query reads the constant residual dim.
void setPositionalQuery(LayerWeights& layer, DemoHead id, int pair, double c, double s,
                        float unit) {
    const std::array<float, 2> q = pairQuery(c, s, kKeyConst);
    layer.wq.values()(queryRow(id, 2 * pair), ResidualDim::kConst) = q[0] / unit;
    layer.wq.values()(queryRow(id, 2 * pair + 1), ResidualDim::kConst) = q[1] / unit;
}

/// Previous-token head: score(d) = kPrevTokenScale * sum_{p=0..2} cos((d - 1) w_p). Every cosine
/// peaks at d = 1; the fast pair (w = 1) separates d = 1 from d = 0 and d = 2, the slower ones
/// break the fast pair's near-repeats (d - 1 = 6, 44, 63, ... close to multiples of 2 pi).
/// Computed worst case over d < 512: d = 1 beats every other distance by more than 6.
void setPrevTokenQuery(LayerWeights& layer, float unit) {
    clearHead(layer, kPrevTokenHead);
    for (int p = 0; p < KeyDim::kPositionPairs; ++p) {
        const double w = pairFrequency(p);
        // cos((d - 1) w) = cos(d w) cos(w) + sin(d w) sin(w)
        setPositionalQuery(layer, kPrevTokenHead, p, kPrevTokenScale * std::cos(w),
                           kPrevTokenScale * std::sin(w), unit);
    }
}

/// The query half of a BOS match: the BOS key (1, 0) sits in pair 3 at position 0, so a query at
/// position m sees it rotated by m w_3 (up to 0.51 rad at 511). The query is turned to the middle
/// of that range, so the score stays within cos(0.26) = 97% of `score` over the whole context.
void setBosQuery(LayerWeights& layer, DemoHead id, Index source, float score, float unit) {
    const double w = pairFrequency(int(KeyDim::kBos / 2));
    const double centre = 0.5 * double(kMaxContext - 1) * w;
    // Score at query position m: score * cos(m w - centre).
    const std::array<float, 2> q =
        pairQuery(score * std::cos(centre), score * std::sin(centre), 1.0f);
    layer.wq.values()(queryRow(id, KeyDim::kBos), source) = q[0] / unit;
    layer.wq.values()(queryRow(id, KeyDim::kBos + 1), source) = q[1] / unit;
}

/// Attention sink: a constant query that matches only the BOS key.
void setSinkQuery(LayerWeights& layer, float unit) {
    clearHead(layer, kSinkHead);
    setBosQuery(layer, kSinkHead, ResidualDim::kConst, kSinkScore, unit);
}

/// Local window: score(d) = A1 cos(d w_1) + A2 cos(d w_2), which near d = 0 is
/// const - d^2 (A1 w_1^2 + A2 w_2^2) / 2, a Gaussian of width kLocalWidth when
/// A1 w_1^2 + A2 w_2^2 = 1 / width^2. Pair 1 alone (w = 0.1) would come back every 63 tokens;
/// A2 = 100 on pair 2 (w = 0.01) keeps those returns about 6 below the peak.
void setLocalQuery(LayerWeights& layer, float unit) {
    clearHead(layer, kLocalHead);
    const double w1 = pairFrequency(1), w2 = pairFrequency(2);
    const double curvature = 1.0 / (double(kLocalWidth) * kLocalWidth);
    const double a2 = kLocalAliasScore;
    const double a1 = (curvature - a2 * w2 * w2) / (w1 * w1);
    setPositionalQuery(layer, kLocalHead, 1, a1, 0.0, unit);
    setPositionalQuery(layer, kLocalHead, 2, a2, 0.0, unit);
}

/// A code query: score = per_bit * sum_b code_query[b] * code_key[b], i.e. 8 per_bit for the same
/// byte and 2 per_bit less for every differing bit. The query reads the token's own code.
void setCodeQuery(LayerWeights& layer, DemoHead id, float per_bit, float unit) {
    const float q = per_bit * std::sqrt(float(kHeadDim)) / unit;  // key code is +-1
    for (int b = 0; b < kCodeBits; ++b)
        layer.wq.values()(queryRow(id, KeyDim::kCode + b), ResidualDim::kToken + b) = q;
}

/// Same-token head: the query's byte code against the keys' byte codes. Its own position always
/// matches too (RoPE with 8 frequencies cannot carve a notch at distance 0 without making every
/// other distance uneven), so a token seen k times before splits its attention about evenly over
/// the k earlier copies and itself; a new token attends to itself.
void setSameTokenQuery(LayerWeights& layer, float unit) {
    clearHead(layer, kSameTokenHead);
    setCodeQuery(layer, kSameTokenHead, kSameTokenScore, unit);
}

/// Induction head (layer 1): the query's own code against the keys' PREVIOUS-token code, so it
/// attends to positions that follow an earlier occurrence of the query's token, and copies their
/// own code (value) into ResidualDim::kNext. With no match, BOS wins (fallback score between a
/// match and a 1-bit miss) and the copied code is 0.
void setInductionQuery(LayerWeights& layer, float unit) {
    clearHead(layer, kInductionHead);
    setCodeQuery(layer, kInductionHead, kInductionScore, unit);
    setBosQuery(layer, kInductionHead, ResidualDim::kConst, kInductionBosScore, unit);
}

/// Output of a copying head: its value code (+-1 when attention is sharp) lands in `target`.
void setCopyOutput(LayerWeights& layer, DemoHead id, Index target) {
    for (int b = 0; b < kCodeBits; ++b)
        layer.wo.values()(target + b, queryRow(id, ValueDim::kCode + b)) = 1.0f;
}

// ---- Random parts ---------------------------------------------------------------------------

/// The random heads and FFNs read everything but write only to the free dims, smaller.
void confineRandomWrites(LayerWeights& layer) {
    layer.wo.values().topRows(ResidualDim::kFree).setZero();      // [32][n_heads * head_dim]
    layer.w_down.values().topRows(ResidualDim::kFree).setZero();  // [32][d_ff]
    layer.wo.values() *= kRandomWriteScale;
    layer.w_down.values() *= kRandomWriteScale;
}

// ---- Readout --------------------------------------------------------------------------------

/// Unigram preference of a byte among the printable ones: space, then letters by English
/// frequency, then punctuation; so that with nothing to copy the model writes readable text.
float printablePrior(int byte) {
    constexpr std::string_view kLetters = "etaoinshrdlcumwfgypbvkjxqz";
    if (byte == ' ') return 2.0f;
    const std::size_t rank = kLetters.find(char(byte));
    if (rank != std::string_view::npos) return 1.5f - 0.04f * float(rank);
    if (byte >= 'A' && byte <= 'Z') return 0.3f;
    if (byte == '.' || byte == ',' || byte == '\n') return 0.5f;
    return 0.0f;
}

bool isPrintable(int byte) {
    return byte == '\n' || (byte >= ' ' && byte < 0x7f);
}

/// Logit of byte b = kNextLogitPerBit * code(b) . next + prior(b): the token whose code the
/// induction head copied wins by 2 * kNextLogitPerBit per bit; non-printable tokens are pushed
/// down. The free dims keep small random weights.
void writeClassifier(Matrix& output, float unit) {  // [vocab][d_model]
    output.leftCols(ResidualDim::kFree).setZero();
    output.rightCols(kDModel - ResidualDim::kFree) *= kClassifierFreeScale;
    for (Index id = 0; id < output.rows(); ++id) {
        float bias = kUnprintableLogit;
        if (id >= ByteTokenizer::kFirstByte) {
            const int byte = int(id - ByteTokenizer::kFirstByte);
            if (isPrintable(byte)) bias = printablePrior(byte);
            for (int b = 0; b < kCodeBits; ++b)
                output(id, ResidualDim::kNext + b) = kNextLogitPerBit * codeBit(byte, b) / unit;
        }
        output(id, ResidualDim::kConst) = bias / unit;
    }
}

}  // namespace

Model makeBuiltinDemo(DemoVariant variant, std::uint64_t seed) {
    Model model;
    model.config = demoConfig(variant);
    model.config.validate();
    const ModelConfig& c = model.config;

    ModelWeights w = randomWeights(c, seed, kRandomScale);
    writeEmbeddings(w.token_embd.values());
    for (LayerWeights& layer : w.layers)
        confineRandomWrites(layer);

    const float unit0 = unitAfterNorm(kDesignedSumSqLayer0, kFreeSumSqLayer0);
    LayerWeights& l0 = w.layers[std::size_t(kPrevTokenHead.layer)];
    writeSharedKeysValues(l0, c.n_kv_heads, ResidualDim::kToken, unit0, bosUnit(kFreeSumSqLayer0));
    setPrevTokenQuery(l0, unit0);
    setCopyOutput(l0, kPrevTokenHead, ResidualDim::kPrev);
    setSinkQuery(l0, unit0);
    setLocalQuery(l0, unit0);
    setSameTokenQuery(l0, unit0);

    const float unit1 = unitAfterNorm(kDesignedSumSqLayer1, kFreeSumSqLayer1);
    LayerWeights& l1 = w.layers[std::size_t(kInductionHead.layer)];
    writeSharedKeysValues(l1, c.n_kv_heads, ResidualDim::kPrev, unit1, bosUnit(kFreeSumSqLayer1));
    setInductionQuery(l1, unit1);
    setCopyOutput(l1, kInductionHead, ResidualDim::kNext);

    writeClassifier(w.output.values(), unitAfterNorm(kDesignedSumSqOutput, kFreeSumSqOutput));

    w.checkShapes(c);
    model.weights = std::move(w);
    model.tokenizer = std::make_shared<ByteTokenizer>();
    return model;
}

}  // namespace kvscope
