// The head grid's per-head images (ui/attention_images): the causal mask looks as it does in the
// single-head heatmap, in the prefill block (whose rows hold zeros right of the diagonal) and in
// cells no record has reached yet.
#include <catch2/catch.hpp>

#include "ui/generate/attention_images.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/style/colormap.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

/// A prefill of 3 tokens then one decode step, one layer, one head, with made-up weights.
std::vector<StepRecord> twoRecords() {
    StepRecord prefill;
    prefill.phase = Phase::Prefill;
    prefill.first_pos = 0;
    prefill.tokens = {1, 2, 3};
    Matrix rows(3, 3);         // [n_query 3][n_key 3], zero right of the diagonal
    rows << 1.0f, 0.0f, 0.0f,  //
        0.5f, 0.5f, 0.0f,      //
        0.25f, 0.25f, 0.5f;
    prefill.layers.resize(1);
    prefill.layers[0].attention = {rows};
    StepRecord decode;
    decode.phase = Phase::Decode;
    decode.first_pos = 3;
    decode.tokens = {4};
    Matrix row(1, 4);  // [n_query 1][n_key 4]
    row << 0.1f, 0.2f, 0.3f, 0.4f;
    decode.layers.resize(1);
    decode.layers[0].attention = {row};
    return {prefill, decode};
}

}  // namespace

TEST_CASE("the masked colour is a tenth of the way from the window to its text",
          "[ui][generate][grid]") {
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(255, 255, 255));
    palette.setColor(QPalette::WindowText, QColor(0, 0, 0));
    // (255 * 10 + 0) / 11 = 231 (integer division), per channel.
    CHECK(attentionMaskedColor(palette).rgb() == qRgb(231, 231, 231));
    palette.setColor(QPalette::Window, QColor(30, 30, 30));
    palette.setColor(QPalette::WindowText, QColor(250, 250, 250));
    CHECK(attentionMaskedColor(palette).rgb() == qRgb(50, 50, 50));  // (300 + 250) / 11 = 50
}

TEST_CASE("head grid images draw future cells in the masked colour, past cells by weight",
          "[ui][generate][grid]") {
    const std::vector<StepRecord> records = twoRecords();
    const QRgb masked = qRgb(231, 231, 231);
    AttentionImages images;
    images.update(records, 1, 1, false, masked);
    const QImage& image = images.image(0, 0);
    // Above the diagonal in the prefill block: the rows hold 0 there, yet the cells are masked,
    // not the colour of weight 0.
    CHECK(image.pixel(1, 0) == masked);
    CHECK(image.pixel(2, 0) == masked);
    CHECK(image.pixel(2, 1) == masked);
    CHECK(image.pixel(1, 0) != Colormap::viridis().color(0.0));
    // Cells in the future of rows painted earlier (key 3 for queries 0..2): masked too.
    for (int q = 0; q < 3; ++q)
        CHECK(image.pixel(3, q) == masked);
    // On and below the diagonal: the weight's colour.
    CHECK(image.pixel(0, 0) == Colormap::viridis().color(1.0));
    CHECK(image.pixel(0, 1) == Colormap::viridis().color(0.5));
    CHECK(image.pixel(2, 2) == Colormap::viridis().color(0.5));
    CHECK(image.pixel(3, 3) == Colormap::viridis().color(0.4));
    CHECK(image.pixel(0, 3) == Colormap::viridis().color(0.1));

    // A new masked colour (dark mode) repaints every record in it.
    const QRgb dark = qRgb(50, 50, 50);
    images.update(records, 1, 1, false, dark);
    CHECK(images.recordsPainted() == 2);
    CHECK(images.image(0, 0).pixel(2, 0) == dark);
    CHECK(images.image(0, 0).pixel(3, 1) == dark);
}

TEST_CASE("the head grid's masked cells match the single-head heatmap's", "[ui][generate][grid]") {
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope", 3);
    GenerateView& view = *window.views()->generate();
    view.setAllHeads(true);
    const QImage grid = view.attentionImages().image(2, 3);
    view.setAllHeads(false);
    view.showHead(2, 3);
    const QImage& single = view.heatmap()->image();
    const QRgb masked = attentionMaskedColor(view.heatmap()->palette()).rgb();
    REQUIRE(single.width() == 11);  // <s> + 7 prompt characters + 3 decode steps
    int n_masked = 0;
    for (int q = 0; q < single.height(); ++q) {
        for (int k = 0; k < single.width(); ++k) {
            INFO("query " << q << ", key " << k);
            REQUIRE(grid.pixel(k, q) == single.pixel(k, q));
            if (k > q) {
                CHECK(grid.pixel(k, q) == masked);
                ++n_masked;
            }
        }
    }
    CHECK(n_masked == 11 * 10 / 2);
}
