#include "app/launch/launch_options.h"

#include <cctype>
#include <cstdlib>
#include <iostream>

#include "app/cli/activations_flag.h"
#include "app/cli/backend_flag.h"
#include "app/cli/cli_args.h"
#include "app/cli/threads_flag.h"
#include "core/util/error.h"

namespace kvscope {
namespace {

// The same parser and error style as every kvscope-cli command (app/cli/cli_args.h).
constexpr cli::FlagSpec kLaunchFlags[] = {
    {"screenshot", "FILE.png", "prefill, step N times, save the window and exit"},
    {"model", "M", "the model to open"},
    {"prompt", "TEXT", "the prompt to prefill"},
    {"steps", "N", "decode steps after the prefill"},
    {"layer", "L", "the layer shown first"},
    {"head", "H", "the head shown first"},
    {"view", "V", "the view shown"},
    {"all-heads", "", "every head as small multiples"},
    {"lesson", "FILE|N", "a lesson file or built-in lesson N"},
    {"lesson-step", "K", "the lesson step shown"},
    cli::kThreadsFlag,
    cli::kBackendFlag,
    cli::kActivationsFlag,
    {"help", "", "print the usage and exit"},
    {"version", "", "print the version and exit"},
};
constexpr int kMaxCount = 1'000'000;

int parseCount(std::string_view flag, const std::string& text, std::int64_t min) {
    const std::int64_t value = cli::parseNonNegativeInt(flag, text);
    if (value < min || value > kMaxCount) {
        throw InputError(cli::flagName(flag) + ": expected a whole number in [" +
                         std::to_string(min) + ", " + std::to_string(kMaxCount) + "], got '" +
                         text + "'");
    }
    return int(value);
}

bool isSet(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

}  // namespace

LaunchOptions parseLaunchOptions(const std::vector<std::string>& args) {
    std::vector<std::string> words = args;
    for (std::string& word : words) {  // the usual short forms
        if (word == "-h") word = "--help";
        if (word == "-V") word = "--version";
    }
    const cli::ParsedArgs parsed =
        cli::parseFlags("kvscope", words, kLaunchFlags,
                        cli::ParseRules{.max_positionals = 1, .help_hint = "kvscope --help"});
    LaunchOptions options;
    options.help = parsed.has("help");
    options.version = parsed.has("version");
    options.all_heads = parsed.has("all-heads");
    if (!parsed.positionals().empty()) options.open = parsed.positionals().front();
    if (auto value = parsed.optionalValue("screenshot")) {
        if (value->empty()) throw InputError("--screenshot: the file name is empty");
        std::string lower = *value;
        for (char& c : lower)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (!lower.ends_with(".png"))
            throw InputError("--screenshot: '" + *value +
                             "' does not end in .png (screenshots are PNG)");
        options.screenshot = *value;
    }
    if (auto value = parsed.optionalValue("model")) options.model = *value;
    if (auto value = parsed.optionalValue("prompt")) options.prompt = *value;
    if (auto value = parsed.optionalValue("view")) options.view = *value;
    if (auto value = parsed.optionalValue("steps")) options.steps = parseCount("steps", *value, 0);
    if (auto value = parsed.optionalValue("layer")) options.layer = parseCount("layer", *value, 0);
    if (auto value = parsed.optionalValue("head")) options.head = parseCount("head", *value, 0);
    if (auto value = parsed.optionalValue("lesson")) {
        if (value->empty()) throw InputError("--lesson: the lesson is empty");
        options.lesson = *value;
    }
    options.threads = cli::parseThreadsFlag(parsed);
    // The window computes: without --threads, a bad OMP_NUM_THREADS is refused as the CLI does.
    if (options.threads == 0 && !options.help && !options.version) cli::checkThreadsEnvironment();
    options.backend = cli::parseBackendFlag(parsed, std::cerr, "kvscope");
    options.activations = cli::parseActivationsFlag(parsed);
    if (auto value = parsed.optionalValue("lesson-step")) {
        if (options.lesson.empty()) throw InputError("--lesson-step: needs --lesson");
        options.lesson_step = parseCount("lesson-step", *value, 1);
    }
    return options;
}

std::string launchUsage() {
    return "usage: kvscope [--screenshot FILE.png] [--model M] [--prompt TEXT] [--steps N]\n"
           "               [--layer L] [--head H] [--view V] [--all-heads]\n"
           "               [--lesson FILE|N [--lesson-step K]] [--threads N]\n"
           "               [--backend cpu|cuda|auto] [--activations q8|float] [FILE]\n"
           "  FILE                   a .kvscope.json scenario (opened: prefilled and stepped as\n"
           "                         it says), a saved .json trace (replayed) or a model file\n"
           "  --screenshot FILE.png  prefill, step N times, save the window (1280x800) and exit\n"
           "  --model M              builtin:demo (default), builtin:demo-mha, -gqa, -mqa, or a\n"
           "                         GGUF / llama2.c file\n"
           "  --prompt TEXT          the prompt to prefill\n"
           "  --steps N              decode steps after the prefill (default 12)\n"
           "  --layer L, --head H    the attention head shown first (default 0, 0)\n"
           "  --view V               the view shown: generate (default), memory, paging,\n"
           "                         quant, evict\n"
           "  --all-heads            show every head (small multiples) instead of one\n"
           "  --lesson FILE|N        open a lesson file, or built-in lesson N (1 to 6)\n"
           "  --lesson-step K        with --lesson: show its step K (default 1)\n"
           "  --threads N            engine threads (default: OMP_NUM_THREADS, else all cores\n"
           "                         but one)\n"
           "  --backend B            where the forward pass runs: cpu (default), cuda, auto\n"
           "  --activations A        quantized weights on the CPU: q8 (default) rounds each\n"
           "                         activation row to 8-bit blocks as llama.cpp does; float\n"
           "                         keeps fp32 rows (the Scenario panel's Activations)\n"
           "  --version              print the version and exit\n"
           "Without a display, runs the same generation headlessly (kvscope-cli generate).\n";
}

bool hasDisplay() {
    return isSet("DISPLAY") || isSet("WAYLAND_DISPLAY") || isSet("QT_QPA_PLATFORM");
}

std::vector<std::string> headlessCliArgs(const LaunchOptions& options) {
    // The prefill samples the first new token and each step one more: prefill + N steps is
    // N + 1 new tokens.
    std::vector<std::string> args = {"generate",
                                     "--model",
                                     options.model,
                                     "--prompt",
                                     options.prompt,
                                     "--max-new-tokens",
                                     std::to_string(options.steps + 1)};
    if (options.threads > 0) {
        args.push_back("--threads");
        args.push_back(std::to_string(options.threads));
    }
    if (options.activations == cpu::Activations::Float) {
        args.push_back("--activations");
        args.push_back("float");
    }
    return args;
}

}  // namespace kvscope
