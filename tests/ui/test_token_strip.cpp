#include <catch2/catch.hpp>

#include <QImage>

#include "ui/generate/token_strip.h"

using namespace kvscope;

namespace {

std::vector<TokenChip> chips(int n_prompt, int n_generated) {
    std::vector<TokenChip> result{{"<s>", TokenRole::Special}};
    for (int i = 0; i < n_prompt; ++i)
        result.push_back({QString("p%1").arg(i), TokenRole::Prompt});
    for (int i = 0; i < n_generated; ++i) {
        result.push_back({QString("g%1").arg(i), TokenRole::Generated});
    }
    result.push_back({"next", TokenRole::Pending});
    return result;
}

}  // namespace

TEST_CASE("the token strip counts its chips by role", "[ui][tokens]") {
    TokenStrip strip;
    strip.resize(800, strip.sizeHint().height());
    strip.setTokens(chips(3, 2));
    CHECK(strip.tokenCount() == 7);
    CHECK(strip.count(TokenRole::Special) == 1);
    CHECK(strip.count(TokenRole::Prompt) == 3);
    CHECK(strip.count(TokenRole::Generated) == 2);
    CHECK(strip.count(TokenRole::Pending) == 1);
    CHECK(strip.visibleCount() == 7);
    strip.clear();
    CHECK(strip.tokenCount() == 0);
    CHECK(strip.visibleCount() == 0);
}

TEST_CASE("prompt, generated and pending chips look different", "[ui][tokens]") {
    const ChipColors prompt = chipColors(TokenRole::Prompt);
    const ChipColors generated = chipColors(TokenRole::Generated);
    const ChipColors pending = chipColors(TokenRole::Pending);
    const ChipColors special = chipColors(TokenRole::Special);
    CHECK(prompt.fill != generated.fill);
    CHECK(prompt.border != generated.border);
    CHECK(pending.fill != generated.fill);
    CHECK(special.fill != prompt.fill);
}

TEST_CASE("a long sequence keeps its newest tokens in view", "[ui][tokens]") {
    TokenStrip strip;
    strip.setMaxRows(2);
    strip.resize(300, strip.sizeHint().height());
    strip.setTokens(chips(200, 100));
    CHECK(strip.tokenCount() == 302);
    const int visible = strip.visibleCount();
    CHECK(visible > 5);
    CHECK(visible < 302);
    // Rendering the overflow must not crash and must draw something.
    QImage image(strip.size(), QImage::Format_RGB32);
    image.fill(Qt::white);
    strip.render(&image);
    int non_white = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            non_white += image.pixel(x, y) != qRgb(255, 255, 255);
    }
    CHECK(non_white > 500);
}
