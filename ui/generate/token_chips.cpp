#include "ui/generate/token_chips.h"

#include <QCoreApplication>

namespace kvscope {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("TokenChips", text);
}

QString escaped(const QString& text) {
    return text.toHtmlEscaped();
}

/// "sampled with p = 0.949" and the top-k table of the record that chose `id`.
QString samplingHtml(const TraceModel& trace, const StepRecord& chooser) {
    QString html = tr("<br>sampled with p = %1").arg(double(chooser.next_prob), 0, 'f', 3);
    if (chooser.top_k.empty()) return html;
    html += tr("<br><br><b>The model's top %1</b><table>").arg(chooser.top_k.size());
    for (const TokenProb& option : chooser.top_k) {
        const bool chosen = option.id == chooser.next_token;
        html += QStringLiteral("<tr><td>%1<tt>%2</tt>%3</td><td align=right>&nbsp;%4%</td></tr>")
                    .arg(chosen ? "<b>" : "", escaped(trace.label(option.id)), chosen ? "</b>" : "")
                    .arg(100.0 * double(option.prob), 0, 'f', 1);
    }
    return html + QStringLiteral("</table>");
}

QString headerHtml(const TraceModel& trace, TokenId id, const QString& where) {
    return tr("<b><tt>%1</tt></b> &nbsp; id %2<br>%3")
        .arg(escaped(trace.label(id)))
        .arg(id)
        .arg(where);
}

}  // namespace

std::vector<TokenChip> tokenChips(const TraceModel& trace, const EvictionMarks& marks) {
    const std::span<const StepRecord> records = trace.shown();
    if (records.empty()) return {};
    std::vector<TokenChip> chips;
    const StepRecord& current = records.back();
    for (std::size_t r = 0; r < records.size(); ++r) {
        const StepRecord& record = records[r];
        for (std::size_t i = 0; i < record.tokens.size(); ++i) {
            const TokenId id = record.tokens[i];
            const int position = int(record.first_pos) + int(i);
            TokenChip chip;
            chip.label = trace.label(id);
            chip.position = position;
            chip.current = &record == &current;
            chip.role = trace.isSpecial(id)              ? TokenRole::Special
                        : record.phase == Phase::Prefill ? TokenRole::Prompt
                                                         : TokenRole::Generated;
            const QString where = chip.role == TokenRole::Generated
                                      ? tr("position %1, generated").arg(position)
                                      : tr("position %1, prompt").arg(position);
            chip.tooltip = headerHtml(trace, id, where);
            chip.evicted = marks.isEvicted(position);
            chip.sink = marks.bounded && marks.isSink(position);
            if (chip.evicted) {
                chip.tooltip += tr("<br><b>evicted</b>: layer %1 (KV head %2) no longer holds it; "
                                   "no query can attend to it")
                                    .arg(marks.layer)
                                    .arg(marks.kv_head);
            } else if (chip.sink) {
                chip.tooltip += tr("<br><b>attention sink</b>: one of the first %1 positions, "
                                   "always kept (StreamingLLM)")
                                    .arg(marks.sinks);
            }
            if (chip.role == TokenRole::Generated)
                chip.tooltip += samplingHtml(trace, records[r - 1]);
            chip.tooltip += tr("<br><i>click: show its attention row</i>");
            chips.push_back(std::move(chip));
        }
    }
    TokenChip pending;
    pending.label = trace.label(current.next_token);
    pending.role = TokenRole::Pending;
    pending.tooltip =
        headerHtml(trace, current.next_token, tr("next token: sampled, fed by the next step")) +
        samplingHtml(trace, current);
    chips.push_back(std::move(pending));
    return chips;
}

}  // namespace kvscope
