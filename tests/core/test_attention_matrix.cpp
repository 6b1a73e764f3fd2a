// assembleAttention on the records of a real Session over the built-in demo model.
#include <catch2/catch.hpp>

#include "core/engine/session.h"
#include "core/model/model_source.h"
#include "core/model/prompt_tokens.h"
#include "core/trace/attention_matrix.h"

using namespace kvscope;

TEST_CASE("no records give an empty matrix", "[trace][attention]") {
    const AttentionMatrix none = assembleAttention({}, 0, 0);
    CHECK(none.weights.size() == 0);
    CHECK(none.firstMissingRow() == -1);
}

TEST_CASE("prefill and steps assemble into one causal matrix", "[trace][attention]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    session.prefill(promptTokens(*model, "kv cache"));  // 9 positions
    session.step();
    session.step();
    const std::int64_t layer = model->config.n_layers - 1;
    const std::int64_t head = model->config.n_heads - 1;

    const AttentionMatrix assembled = assembleAttention(session.records(), layer, head);
    CHECK(assembled.firstMissingRow() == -1);
    const Matrix& full = assembled.weights;
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

TEST_CASE("layer or head outside the records leaves zeros", "[trace][attention]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    session.prefill(promptTokens(*model, "abc"));
    const AttentionMatrix outside = assembleAttention(session.records(), model->config.n_layers, 0);
    CHECK(outside.weights.rows() == 4);
    CHECK(outside.weights.isZero());
    CHECK(outside.firstMissingRow() == 0);  // what `kvscope-cli attention` refuses
}

TEST_CASE("n_positions cuts the matrix and names rows no record supplied", "[trace][attention]") {
    std::shared_ptr<const Model> model = loadModel("builtin:demo");
    Session session(model, SessionOptions{});
    session.prefill(promptTokens(*model, "abc"));  // 4 positions
    session.step();                                // position 4
    // Fewer positions than recorded: the top-left corner.
    const AttentionMatrix cut = assembleAttention(session.records(), 0, 0, 3);
    CHECK(cut.weights.rows() == 3);
    CHECK(cut.firstMissingRow() == -1);
    CHECK(cut.weights == session.records()[0].layers[0].attention[0].topLeftCorner(3, 3));
    // More positions than recorded: rows 5 and 6 stay zero and are reported missing.
    const AttentionMatrix longer = assembleAttention(session.records(), 0, 0, 7);
    CHECK(longer.firstMissingRow() == 5);
    CHECK(longer.weights.bottomRows(2).isZero());
    // Only the decode step: rows 0..3 were never supplied.
    const AttentionMatrix tail =
        assembleAttention(std::span<const StepRecord>(session.records()).last(1), 0, 0);
    CHECK(tail.weights.rows() == 5);
    CHECK(tail.firstMissingRow() == 0);
    CHECK(tail.recorded == std::vector<bool>{false, false, false, false, true});
}

TEST_CASE("a block that is not causal supplies no rows", "[trace][attention]") {
    StepRecord record;
    record.first_pos = 0;
    record.tokens = {1, 2, 3};
    record.layers.resize(1);
    record.layers[0].attention = {Matrix::Ones(3, 2)};  // 3 queries over 2 keys: not causal
    const std::vector<StepRecord> records{record};
    const AttentionMatrix assembled = assembleAttention(records, 0, 0);
    CHECK(assembled.weights.rows() == 3);
    CHECK(assembled.weights.isZero());
    CHECK(assembled.firstMissingRow() == 0);
}
