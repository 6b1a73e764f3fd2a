#pragma once
// A line edit for 64-bit counts (tokens, sequences) that QSpinBox's int cannot hold and whose bad
// values must reach the form's error message rather than be clamped away: "4096", "32,768",
// "32k" (k = 1024, as context lengths are named: 32k = 32768), "1M" (= 1024 x 1024), "-3".
// Up/Down double or halve the value.
#include <QLineEdit>
#include <cstdint>
#include <optional>

namespace kvscope {

/// The count `text` spells, or nullopt when it is not one (or does not fit 64 bits). Digit group
/// separators ',', '_', ' ' and an optional k/K/m/M suffix are accepted; a leading '-' too (the
/// caller reports negative values, naming its field).
std::optional<std::int64_t> parseCount(const QString& text);

class CountEdit : public QLineEdit {
    Q_OBJECT
public:
    explicit CountEdit(std::int64_t value, QWidget* parent = nullptr);

    /// parseCount(text()).
    std::optional<std::int64_t> value() const;
    /// Shows `value` with digit grouping ("32,768"); emits textChanged.
    void setValue(std::int64_t value);

protected:
    void keyPressEvent(QKeyEvent* event) override;
};

}  // namespace kvscope
