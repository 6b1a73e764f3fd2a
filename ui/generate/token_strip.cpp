#include "ui/generate/token_strip.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace kvscope {
namespace {

constexpr double kPadX = 7;  // text to chip edge
constexpr double kPadY = 4;
constexpr double kSpacing = 5;  // between chips and between rows
constexpr double kMargin = 4;   // around the strip

QFont chipFont(const QWidget& widget) {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(widget.font().pointSizeF());
    return font;
}

}  // namespace

ChipColors chipColors(TokenRole role) {
    switch (role) {
        case TokenRole::Special:
            return {QColor(232, 234, 238), QColor(160, 166, 176), QColor(70, 76, 86)};
        case TokenRole::Prompt:
            return {QColor(219, 232, 250), QColor(88, 136, 212), QColor(24, 56, 110)};
        case TokenRole::Generated:
            return {QColor(255, 232, 196), QColor(224, 150, 40), QColor(110, 60, 0)};
        case TokenRole::Pending:
            return {QColor(255, 255, 255), QColor(224, 150, 40), QColor(110, 60, 0)};
    }
    return {};
}

ChipColors evictedChipColors() {
    return {QColor(236, 236, 236), QColor(176, 176, 176), QColor(150, 150, 150)};
}

QColor sinkColor() {
    return QColor(0, 131, 143);  // teal: apart from the roles' blue and amber, dark and light
}

TokenStrip::TokenStrip(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void TokenStrip::setTokens(std::vector<TokenChip> tokens) {
    m_tokens = std::move(tokens);
    update();
}

int TokenStrip::count(TokenRole role) const {
    return int(std::count_if(m_tokens.begin(), m_tokens.end(),
                             [role](const TokenChip& chip) { return chip.role == role; }));
}

std::vector<int> TokenStrip::evictedPositions() const {
    std::vector<int> out;
    for (const TokenChip& chip : m_tokens)
        if (chip.evicted) out.push_back(chip.position);
    return out;
}

std::vector<int> TokenStrip::sinkPositions() const {
    std::vector<int> out;
    for (const TokenChip& chip : m_tokens)
        if (chip.sink) out.push_back(chip.position);
    return out;
}

QRectF TokenStrip::chipRect(int index) const {
    for (const Placed& placed : layout())
        if (placed.index == index) return placed.rect;
    return {};
}

void TokenStrip::setMaxRows(int rows) {
    m_max_rows = std::max(1, rows);
    updateGeometry();
}

QSizeF TokenStrip::chipSize(const QString& label) const {
    const QFontMetricsF metrics(chipFont(*this));
    return {metrics.horizontalAdvance(label) + 2 * kPadX, metrics.height() + 2 * kPadY};
}

QSize TokenStrip::sizeHint() const {
    const double row = chipSize("M").height();
    return {400, int(std::ceil(2 * kMargin + m_max_rows * row + (m_max_rows - 1) * kSpacing))};
}

int TokenStrip::rowsFitting() const {
    const double row = chipSize("M").height();
    return std::max(1, int((height() - 2 * kMargin + kSpacing) / (row + kSpacing)));
}

QString TokenStrip::earlierLabel(int hidden) const {
    return tr("\u2026 %n earlier", nullptr, hidden);
}

std::vector<TokenStrip::Placed> TokenStrip::layoutFrom(int first) const {
    std::vector<Placed> placed;
    const double right = width() - kMargin;
    double x = kMargin;
    double y = kMargin;
    int row = 0;
    auto place = [&](const QString& label, int index) {
        const QSizeF size = chipSize(label);
        if (x > kMargin && x + size.width() > right) {
            x = kMargin;
            y += size.height() + kSpacing;
            ++row;
        }
        placed.push_back({QRectF(QPointF(x, y), size), index, label});
        x += size.width() + kSpacing;
        return row;
    };
    if (first > 0) place(earlierLabel(first), -1);
    for (int i = first; i < tokenCount(); ++i) {
        if (place(m_tokens[std::size_t(i)].label, i) >= rowsFitting()) {
            placed.pop_back();
            return {};  // does not fit
        }
    }
    return placed;
}

std::vector<TokenStrip::Placed> TokenStrip::layout() const {
    // Keep the newest tokens in view: find the earliest first token from which the rest fits.
    if (std::vector<Placed> all = layoutFrom(0); !all.empty() || m_tokens.empty()) return all;
    int fits = tokenCount() - 1;  // the last chip alone always fits
    int does_not_fit = 0;
    while (fits - does_not_fit > 1) {
        const int middle = (fits + does_not_fit) / 2;
        (layoutFrom(middle).empty() ? does_not_fit : fits) = middle;
    }
    return layoutFrom(fits);
}

int TokenStrip::visibleCount() const {
    const std::vector<Placed> placed = layout();
    return int(
        std::count_if(placed.begin(), placed.end(), [](const Placed& p) { return p.index >= 0; }));
}

void TokenStrip::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setFont(chipFont(*this));
    for (const Placed& chip : layout()) {
        const bool earlier = chip.index < 0;
        const TokenChip* token = earlier ? nullptr : &m_tokens[std::size_t(chip.index)];
        const TokenRole role = earlier ? TokenRole::Special : token->role;
        const bool evicted = token && token->evicted;
        const ChipColors colors = evicted ? evictedChipColors() : chipColors(role);
        const bool current = token && token->current;
        const bool sink = token && token->sink;
        QPen border(current ? palette().color(QPalette::WindowText)
                    : sink  ? sinkColor()
                            : colors.border,
                    current                              ? 2.4
                    : sink || role == TokenRole::Pending ? 1.8
                                                         : 1.0);
        if (role == TokenRole::Pending || evicted) border.setStyle(Qt::DashLine);
        painter.setPen(border);
        painter.setBrush(colors.fill);
        painter.drawRoundedRect(chip.rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
        painter.setPen(colors.text);
        painter.drawText(chip.rect, Qt::AlignCenter, chip.label);
        if (evicted) {  // struck through: the cache no longer holds it
            const double y = chip.rect.center().y();
            painter.setPen(QPen(QColor(110, 110, 110), 1.6));
            painter.drawLine(QPointF(chip.rect.left() + 3, y), QPointF(chip.rect.right() - 3, y));
        }
        if (sink) paintSinkMark(painter, chip.rect);
    }
}

// A small anchor on a teal disc over the chip's top-right corner.
void TokenStrip::paintSinkMark(QPainter& painter, const QRectF& chip) const {
    QFont small = painter.font();
    small.setPointSizeF(small.pointSizeF() * 0.7);
    const double side = QFontMetricsF(small).height();
    const QRectF disc(chip.right() - side * 0.7, chip.top() - side * 0.3, side, side);
    painter.save();
    painter.setPen(Qt::NoPen);
    painter.setBrush(sinkColor());
    painter.drawEllipse(disc);
    painter.setFont(small);
    painter.setPen(Qt::white);
    painter.drawText(disc, Qt::AlignCenter, QString(QChar(kSinkGlyph)));
    painter.restore();
}

int TokenStrip::chipAt(QPointF point) const {
    for (const Placed& chip : layout()) {
        if (chip.rect.contains(point)) return chip.index;
    }
    return -1;
}

void TokenStrip::mousePressEvent(QMouseEvent* event) {
    const int index = chipAt(event->position());
    if (index >= 0 && m_tokens[std::size_t(index)].position >= 0)
        emit positionClicked(m_tokens[std::size_t(index)].position);
}

bool TokenStrip::event(QEvent* event) {
    if (event->type() != QEvent::ToolTip) return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const int index = chipAt(help->pos());
    if (index < 0 || m_tokens[std::size_t(index)].tooltip.isEmpty()) {
        QToolTip::hideText();
        event->ignore();
    } else {
        QToolTip::showText(help->globalPos(), m_tokens[std::size_t(index)].tooltip, this);
    }
    return true;
}

}  // namespace kvscope
