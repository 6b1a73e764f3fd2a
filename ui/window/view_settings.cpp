#include "ui/window/view_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSpinBox>
#include <functional>
#include <set>

#include "core/cache/kv_dtype.h"
#include "core/sim/sim_types.h"
#include "core/util/error.h"
#include "ui/evict/evict_controls.h"
#include "ui/evict/evict_view.h"
#include "ui/generate/cost_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/memory/memory_inputs.h"
#include "ui/memory/memory_view.h"
#include "ui/paging/paging_inputs.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_controls.h"
#include "ui/quant/quant_view.h"
#include "ui/widgets/count_edit.h"
#include "ui/widgets/eviction_controls.h"
#include "ui/window/view_tabs.h"

namespace kvscope {
namespace {

using Settings = std::map<std::string, ScenarioViewValue>;

// Ranges of the settings no widget bounds (docs/scenario-schema.md lists them).
constexpr std::int64_t kMaxIndex = 65535;                     // layer, head
constexpr std::int64_t kMaxTokens = std::int64_t(1) << 40;    // context, shared_prefix
constexpr std::int64_t kMaxBatch = std::int64_t(1) << 24;     // sequences
constexpr std::int64_t kMaxSimSteps = std::int64_t(1) << 24;  // simulated steps

/// Typed access to one setting; records the first problem in `error`.
class Reader {
public:
    Reader(const Settings& settings, QString& error) : m_settings(settings), m_error(error) {}

    template <class T>
    const T* get(const char* key, const char* expected) {
        const auto it = m_settings.find(key);
        if (it == m_settings.end()) return nullptr;
        if (const T* value = std::get_if<T>(&it->second)) return value;
        fail(QObject::tr("view setting \"%1\": expected %2").arg(key, expected));
        return nullptr;
    }
    /// A whole number in [min, max]; outside it, the error names the key and the range (a spin
    /// box would clamp it silently, an int would truncate 2^32 to 0).
    const std::int64_t* count(const char* key, std::int64_t min, std::int64_t max) {
        const std::int64_t* value = get<std::int64_t>(key, "a whole number");
        if (value == nullptr || (*value >= min && *value <= max)) return value;
        fail(QObject::tr("view setting \"%1\": expected a whole number in [%2, %3], got %4")
                 .arg(key)
                 .arg(min)
                 .arg(max)
                 .arg(*value));
        return nullptr;
    }
    const std::int64_t* count(const char* key, const QSpinBox& range) {
        return count(key, range.minimum(), range.maximum());
    }
    const bool* flag(const char* key) { return get<bool>(key, "true or false"); }
    const std::string* text(const char* key) { return get<std::string>(key, "a text"); }
    void fail(const QString& message) {
        if (m_error.isEmpty()) m_error = message;
    }

private:
    const Settings& m_settings;
    QString& m_error;
};

const std::set<std::string> kGenerateKeys = {"layer",     "head",         "all_heads",
                                             "log_scale", "cost_measure", "cost_cumulative"};

void selectData(QComboBox& combo, int data) {
    const int index = combo.findData(data);
    if (index >= 0) combo.setCurrentIndex(index);
}

void applyGenerate(GenerateView& view, Reader& in) {
    const std::int64_t* layer = in.count("layer", 0, kMaxIndex);
    const std::int64_t* head = in.count("head", 0, kMaxIndex);
    if (layer || head)
        view.showHead(int(layer ? *layer : view.layer()), int(head ? *head : view.head()));
    if (const bool* all = in.flag("all_heads")) view.setAllHeads(*all);
    if (const bool* log = in.flag("log_scale")) view.setLogScale(*log);
    const std::string* measure = in.text("cost_measure");
    const bool* cumulative = in.flag("cost_cumulative");
    if (measure && *measure != "time" && *measure != "flops") {
        in.fail(QObject::tr("view setting \"cost_measure\": expected \"time\" or \"flops\""));
        return;
    }
    if (measure || cumulative) {
        const bool flops = measure ? *measure == "flops"
                                   : view.costMeasureBox()->currentData().toInt() >=
                                         int(CostChart::Measure::FlopsPerStep);
        const bool sum = cumulative ? *cumulative : true;
        using M = CostChart::Measure;
        const M chosen = flops ? (sum ? M::FlopsCumulative : M::FlopsPerStep)
                               : (sum ? M::TimeCumulative : M::TimePerStep);
        selectData(*view.costMeasureBox(), int(chosen));
    }
}

void applyMemory(MemoryView& view, Reader& in) {
    MemoryInputs& form = *view.inputs();
    if (const std::string* preset = in.text("preset");
        preset && !view.selectPreset(QString::fromStdString(*preset)))
        in.fail(QObject::tr("view setting \"preset\": no model preset named '%1' (see "
                            "kvscope-cli memory --list-presets)")
                    .arg(QString::fromStdString(*preset)));
    if (const std::int64_t* n = in.count("context", 1, kMaxTokens))
        form.contextEdit()->setValue(*n);
    if (const std::int64_t* n = in.count("batch", 1, kMaxBatch)) form.batchEdit()->setValue(*n);
    if (const std::int64_t* n = in.count("shared_prefix", 0, kMaxTokens))
        form.prefixEdit()->setValue(*n);
    if (const std::int64_t* n = in.count("block_size", *form.blockSizeSpin()))
        form.blockSizeSpin()->setValue(int(*n));
    if (const std::int64_t* n = in.count("tp", *form.tpSpin())) form.tpSpin()->setValue(int(*n));
    if (const std::string* dtype = in.text("dtype")) {
        try {
            form.selectDtype(parseKvDtype(*dtype));
        } catch (const InputError& e) {
            in.fail(QObject::tr("view setting \"dtype\": %1").arg(e.what()));
        }
    }
    if (const std::string* layout = in.text("layout")) {
        if (*layout == "paged") {
            selectData(*form.layoutCombo(), int(KvLayout::Paged));
        } else if (*layout == "contiguous") {
            selectData(*form.layoutCombo(), int(KvLayout::Contiguous));
        } else {
            in.fail(QObject::tr("view setting \"layout\": expected \"contiguous\" or \"paged\""));
        }
    }
    if (const std::string* gpu = in.text("gpu");
        gpu && !form.selectGpu(QString::fromStdString(*gpu)))
        in.fail(QObject::tr("view setting \"gpu\": no GPU preset named '%1'")
                    .arg(QString::fromStdString(*gpu)));
    // The chart in front when the view is too narrow for all three (beside a lesson's dock).
    if (const std::string* chart = in.text("chart");
        chart && !view.showChart(QString::fromStdString(*chart)))
        in.fail(
            QObject::tr("view setting \"chart\": expected \"variants\", \"dtypes\" or "
                        "\"capacity\""));
    view.recompute();
}

/// Calls `then` once the paging view shows a study of its current inputs.
void whenStudyShown(PagingView& view, std::function<void()> then) {
    if (!view.busy()) {
        then();
        return;
    }
    auto* once = new QObject(&view);
    QObject::connect(&view, &PagingView::studyShown, once, [once, then = std::move(then)] {
        once->deleteLater();
        then();
    });
}

void applyPaging(PagingView& view, Reader& in, ViewSettingsStage stage) {
    PagingInputs& form = *view.inputs();
    if (const std::string* policy = in.text("policy")) {
        bool found = false;
        for (sim::PolicyKind kind :
             {sim::PolicyKind::ContiguousMax, sim::PolicyKind::ContiguousExact,
              sim::PolicyKind::Paged, sim::PolicyKind::PagedPrefix}) {
            if (sim::policyName(kind) != *policy) continue;
            selectData(*form.policyCombo(), int(kind));
            found = true;
        }
        if (!found)
            in.fail(QObject::tr("view setting \"policy\": expected contiguous-max, "
                                "contiguous-exact, paged or paged-prefix, got '%1'")
                        .arg(QString::fromStdString(*policy)));
    }
    if (const std::int64_t* n = in.count("block_size", *form.blockSizeSpin()))
        form.blockSizeSpin()->setValue(int(*n));
    if (const std::int64_t* n = in.count("requests", *form.requestsSpin()))
        form.requestsSpin()->setValue(int(*n));
    view.recompute();
    // Stepping the simulation is an action: once, when the scenario's engine work is done.
    if (const std::int64_t* steps = in.count("sim_steps", 0, kMaxSimSteps);
        steps && stage == ViewSettingsStage::Final) {
        const int n = int(*steps);
        whenStudyShown(view, [&view, n] {
            view.resetSimulation();
            view.stepBy(n);
        });
    }
}

/// Runs `view` now, or after the comparison still going (a lesson's previous step).
template <class View>
void runWhenIdle(View& view) {
    if (!view.isRunning()) {
        view.run();
        return;
    }
    view.cancel();
    auto* once = new QObject(&view);
    QObject::connect(&view, &View::runFinished, once, [once, &view] {
        once->deleteLater();
        view.run();
    });
}

void applyQuant(QuantView& view, Reader& in, ViewSettingsStage stage) {
    QuantControls& form = *view.controls();
    KvCacheSpec spec = form.spec();
    try {
        if (const std::string* k = in.text("k")) spec.k_dtype = parseKvDtype(*k);
        if (const std::string* v = in.text("v")) spec.v_dtype = parseKvDtype(*v);
    } catch (const InputError& e) {
        in.fail(QObject::tr("view setting \"k\"/\"v\": %1").arg(e.what()));
        return;
    }
    if (const std::int64_t* window = in.count("window", *form.windowBox())) {
        spec.recent_window = *window;
    } else if (in.text("k") || in.text("v")) {
        spec.recent_window = 0;  // a step that names codecs means them alone
    }
    form.setSpec(spec);
    const bool* run = in.flag("run");
    if (run && *run && stage == ViewSettingsStage::Final) runWhenIdle(view);
}

void applyEvict(EvictView& view, Reader& in, ViewSettingsStage stage) {
    EvictionControls& fields = *view.controls()->eviction();
    EvictionSpec spec;
    try {
        spec = fields.spec(KvCacheSpec{});
    } catch (const InputError&) {
        // The fields do not make a spec now: the settings below replace what they name.
    }
    try {
        if (const std::string* policy = in.text("policy"))
            spec.policy = parseEvictionPolicy(*policy, "view setting \"policy\"");
        if (const std::string* positions = in.text("positions"))
            spec.positions = parseEvictionPositions(*positions, "view setting \"positions\"");
        if (const std::string* shape = in.text("shape"))
            spec.shape = parseBudgetShape(*shape, "view setting \"shape\"");
    } catch (const InputError& e) {
        in.fail(QString::fromUtf8(e.what()));
        return;
    }
    if (const std::int64_t* budget = in.count("budget", 1, kMaxTokens)) spec.budget = *budget;
    if (const std::int64_t* sinks = in.count("sinks", *fields.sinksBox())) spec.sinks = *sinks;
    if (const std::int64_t* window = in.count("window", *fields.windowBox())) spec.window = *window;
    if (const bool* per_head = in.flag("per_head")) spec.per_head = *per_head;
    fields.setSpec(spec, 0);
    if (const std::int64_t* steps = in.count("steps", *view.controls()->stepsBox()))
        view.controls()->setSteps(*steps);
    const bool* run = in.flag("run");
    if (run && *run && stage == ViewSettingsStage::Final) runWhenIdle(view);
}

}  // namespace

QString applyViewSettings(ViewTabs& views, const ScenarioFile& file, ViewSettingsStage stage) {
    QString error;
    Reader in(file.view_settings, error);
    static const std::map<std::string, std::set<std::string>> kViewKeys = {
        {"generate", {}},
        {"memory",
         {"preset", "dtype", "layout", "gpu", "context", "batch", "shared_prefix", "block_size",
          "tp", "chart"}},
        {"paging", {"policy", "block_size", "requests", "sim_steps"}},
        {"quant", {"k", "v", "window", "run"}},
        {"evict",
         {"policy", "budget", "sinks", "window", "positions", "shape", "per_head", "steps", "run"}},
    };
    const auto view_keys = kViewKeys.find(file.view);
    if (view_keys == kViewKeys.end())
        return QObject::tr(
                   "there is no view named '%1' in this KVScope (generate, memory, "
                   "paging, quant, evict)")
            .arg(QString::fromStdString(file.view));
    for (const auto& [key, value] : file.view_settings) {
        if (!kGenerateKeys.count(key) && !view_keys->second.count(key))
            return QObject::tr("view setting \"%1\" is not one the %2 view knows")
                .arg(QString::fromStdString(key), QString::fromStdString(file.view));
    }
    applyGenerate(*views.generate(), in);
    if (file.view == "memory") applyMemory(*views.memory(), in);
    if (file.view == "paging") applyPaging(*views.paging(), in, stage);
    if (file.view == "quant") applyQuant(*views.quant(), in, stage);
    if (file.view == "evict") applyEvict(*views.evict(), in, stage);
    views.showView(QString::fromStdString(file.view));
    return error;
}

bool waitForView(ViewTabs& views, int timeout_ms) {
    const QWidget* tab = views.currentWidget();
    if (tab == views.quant()) return views.quant()->waitUntilIdle(timeout_ms);
    if (tab == views.evict()) return views.evict()->waitUntilIdle(timeout_ms);
    if (tab == views.paging()) return views.paging()->waitUntilIdle(timeout_ms);
    return true;
}

}  // namespace kvscope
