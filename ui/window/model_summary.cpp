#include "ui/window/model_summary.h"

#include <QCoreApplication>

#include "core/model/trained_context.h"
#include "ui/style/format_bytes.h"

namespace kvscope {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ModelSummary", text);
}

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

/// "2048 tokens", or "512 tokens, as trained" for a model capped at its known training context.
QString contextText(const ModelConfig& c) {
    const auto trained = knownTrainedContext(c);
    if (trained && trained->tokens == c.max_context)
        return tr("%1 tokens, as trained").arg(c.max_context);
    return tr("%1 tokens").arg(c.max_context);
}

/// "base 10000", Llama 3's factors, then the scaling at a context of n_ctx when there is one.
QString ropeText(const ModelConfig& c, std::int64_t n_ctx, bool rope_freqs) {
    QString text = tr("base %1").arg(double(c.rope_theta), 0, 'g', 7);
    if (rope_freqs) text += tr("; Llama 3 frequency factors per pair (rope_freqs.weight)");
    if (const std::string scaling = c.ropeScalingText(n_ctx > 0 ? n_ctx : c.max_context);
        !scaling.empty())
        text += QStringLiteral("; ") + QString::fromStdString(scaling).toHtmlEscaped();
    return text;
}

}  // namespace

QString modelSummaryHtml(const ModelConfig& c, std::int64_t n_ctx, bool rope_freqs) {
    const QString row = QStringLiteral("<tr><td>%1</td><td>&nbsp;&nbsp;%2</td></tr>");
    const QString heads = tr("%1 query, %2 KV (%3)")
                              .arg(c.n_heads)
                              .arg(c.n_kv_heads)
                              .arg(fromView(toString(c.attentionVariant())));
    const QString kv_per_token =
        tr("%1 per layer (fp32)").arg(bytesText(c.kvBytesPerTokenPerLayer(sizeof(float))));
    return QStringLiteral("<b>%1</b><table>").arg(QString::fromStdString(c.name).toHtmlEscaped()) +
           row.arg(tr("heads"), heads) + row.arg(tr("layers")).arg(c.n_layers) +
           row.arg(tr("d_model")).arg(c.d_model) + row.arg(tr("head_dim")).arg(c.head_dim) +
           row.arg(tr("context"), contextText(c)) + row.arg(tr("KV / token"), kv_per_token) +
           row.arg(tr("RoPE"), ropeText(c, n_ctx, rope_freqs)) + QStringLiteral("</table>");
}

QString kvHeadNote(const ModelConfig& c, int head) {
    // Query heads are grouped in order: kvGroupSize() consecutive heads read one KV head
    // (llama2.c's kv_mul), as the backend pairs them.
    const std::int64_t group = c.kvGroupSize();
    if (group == 1) return tr("Has a KV head of its own (MHA).");
    const std::int64_t kv_head = head / group;
    return tr("Reads KV head %1, shared by query heads %2\u2013%3.")
        .arg(kv_head)
        .arg(kv_head * group)
        .arg(kv_head * group + group - 1);
}

}  // namespace kvscope
