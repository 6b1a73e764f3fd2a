// The next-token panel: a label longer than "<0x00>" widens its column instead of being cut at
// the left edge; an absurdly long one is capped and elided.
#include <catch2/catch.hpp>

#include "ui/generate/top_k_view.h"

using namespace kvscope;

TEST_CASE("the next-token labels get the room the widest one needs, within 40%", "[ui][topk]") {
    TopKView view;
    view.resize(320, 200);
    view.setCandidates({{QStringLiteral("_a"), 0.5, true}, {QStringLiteral("_b"), 0.2, false}});
    const double base = view.labelColumnWidth();  // "<0x00>": the shortest the column gets
    REQUIRE(base > 0);
    // 7 characters of a fixed-width font need 7/6 of the 6 of "<0x00>".
    view.setCandidates({{QStringLiteral("_little"), 0.61, true}, {QStringLiteral("_b"), 0.1}});
    CHECK(view.labelColumnWidth() == Approx(base * 7.0 / 6.0).epsilon(0.02));
    view.setCandidates({{QString(60, QLatin1Char('x')), 0.9, true}});
    CHECK(view.labelColumnWidth() == Approx(0.4 * 320));
}
