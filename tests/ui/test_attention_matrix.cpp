// assembleAttention on the records of a real Session over the built-in demo model.
#include <catch2/catch.hpp>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "ui/attention_matrix.h"

using namespace kvscope;

namespace {

std::vector<TokenId> promptWithBos(const Model& model, std::string_view text) {
    std::vector<TokenId> tokens{model.tokenizer->bos()};
    const std::vector<TokenId> body = model.tokenizer->encode(text);
    tokens.insert(tokens.end(), body.begin(), body.end());
    return tokens;
}

}  // namespace

TEST_CASE("no records give an empty matrix", "[ui][attention]") {
    CHECK(assembleAttention({}, 0, 0).size() == 0);
}

TEST_CASE("prefill and steps assemble into one causal matrix", "[ui][attention]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    session.prefill(promptWithBos(*model, "kv cache"));  // 9 positions
    session.step();
    session.step();
    const std::int64_t layer = model->config.n_layers - 1;
    const std::int64_t head = model->config.n_heads - 1;

    const Matrix full = assembleAttention(session.records(), layer, head);
    REQUIRE(full.rows() == 11);
    REQUIRE(full.cols() == 11);
    for (std::int64_t q = 0; q < full.rows(); ++q) {
        INFO("query " << q);
        CHECK(full.row(q).sum() == Approx(1.0).epsilon(1e-4));  // softmax rows
        CHECK(full.row(q).tail(full.cols() - q - 1).isZero());  // nothing from the future
    }
    // The prefill block and each step's row are copied as recorded.
    const Matrix& prefill_rows = session.records()[0].layers[layer].attention[head];
    CHECK(full.topLeftCorner(9, 9) == prefill_rows);
    const Matrix& last_row = session.records()[2].layers[layer].attention[head];
    CHECK(full.bottomRows(1) == last_row);
}

TEST_CASE("layer or head outside the records leaves zeros", "[ui][attention]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    session.prefill(promptWithBos(*model, "abc"));
    const Matrix full = assembleAttention(session.records(), model->config.n_layers, 0);
    CHECK(full.rows() == 4);
    CHECK(full.isZero());
}
