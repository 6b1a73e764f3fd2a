#include "ui/widgets/count_edit.h"

#include <QKeyEvent>
#include <QLocale>
#include <limits>

namespace kvscope {

std::optional<std::int64_t> parseCount(const QString& text) {
    QString t = text.trimmed();
    t.remove(QLatin1Char(',')).remove(QLatin1Char('_')).remove(QLatin1Char(' '));
    t.remove(QChar(0x2009)).remove(QChar(0x202F)).remove(QChar(0x00A0));  // thin/nbsp spaces
    std::int64_t scale = 1;
    if (t.endsWith(QLatin1Char('k'), Qt::CaseInsensitive)) scale = std::int64_t(1) << 10;
    if (t.endsWith(QLatin1Char('m'), Qt::CaseInsensitive)) scale = std::int64_t(1) << 20;
    if (scale != 1) t.chop(1);
    bool ok = false;
    const qlonglong number = t.toLongLong(&ok);
    if (!ok) return std::nullopt;
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    if (number > kMax / scale || number < -(kMax / scale)) return std::nullopt;
    return std::int64_t(number) * scale;
}

CountEdit::CountEdit(std::int64_t value, QWidget* parent) : QLineEdit(parent) {
    setValue(value);
    setToolTip(
        tr("A whole number: 4096, 32,768, 32k (k = 1024, so 32k = 32768) or 1M "
           "(1024 \u00d7 1024). Up/Down double or halve it."));
}

std::optional<std::int64_t> CountEdit::value() const {
    return parseCount(text());
}

void CountEdit::setValue(std::int64_t value) {
    QLocale c(QLocale::English);
    setText(c.toString(qlonglong(value)));
}

void CountEdit::keyPressEvent(QKeyEvent* event) {
    const std::optional<std::int64_t> v = value();
    if (v && *v > 0 && (event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        if (event->key() == Qt::Key_Up && *v <= std::numeric_limits<std::int64_t>::max() / 2) {
            setValue(*v * 2);
        } else if (event->key() == Qt::Key_Down && *v > 1) {
            setValue(*v / 2);
        }
        event->accept();
        return;
    }
    QLineEdit::keyPressEvent(event);
}

}  // namespace kvscope
