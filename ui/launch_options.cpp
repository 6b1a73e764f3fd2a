#include "ui/launch_options.h"

#include <charconv>
#include <cstdlib>

#include "core/util/error.h"

namespace kvscope {
namespace {

int parseCount(const std::string& flag, const std::string& text, int max) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
        throw InputError(flag + ": expected a whole number in [0, " + std::to_string(max) +
                         "], got '" + text + "'");
    }
    return value;
}

bool isSet(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

}  // namespace

LaunchOptions parseLaunchOptions(const std::vector<std::string>& args) {
    LaunchOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h") {
            options.help = true;
            continue;
        }
        if (flag == "--version" || flag == "-V") {
            options.version = true;
            continue;
        }
        if (flag == "--all-heads") {
            options.all_heads = true;
            continue;
        }
        if (!flag.empty() && flag[0] != '-') {  // the one positional argument: a file to open
            if (!options.open.empty())
                throw InputError("unexpected argument '" + flag + "' (one file at most; already '" +
                                 options.open + "')");
            options.open = flag;
            continue;
        }
        if (i + 1 >= args.size()) {
            if (flag.rfind("--", 0) == 0) throw InputError(flag + ": missing value");
            throw InputError("unexpected argument '" + flag + "'");
        }
        const std::string& value = args[++i];
        if (flag == "--screenshot") {
            if (value.empty()) throw InputError("--screenshot: the file name is empty");
            options.screenshot = value;
        } else if (flag == "--model") {
            options.model = value;
        } else if (flag == "--prompt") {
            options.prompt = value;
        } else if (flag == "--steps") {
            options.steps = parseCount(flag, value, 1'000'000);
        } else if (flag == "--layer") {
            options.layer = parseCount(flag, value, 1'000'000);
        } else if (flag == "--head") {
            options.head = parseCount(flag, value, 1'000'000);
        } else if (flag == "--lesson") {
            if (value.empty()) throw InputError("--lesson: the lesson is empty");
            options.lesson = value;
        } else if (flag == "--lesson-step") {
            options.lesson_step = parseCount(flag, value, 1'000'000);
            if (options.lesson_step < 1) throw InputError("--lesson-step: steps count from 1");
        } else if (flag == "--view") {
            options.view = value;
        } else {
            throw InputError("unknown flag '" + flag + "' (see kvscope --help)");
        }
    }
    return options;
}

std::string launchUsage() {
    return "usage: kvscope [--screenshot FILE.png] [--model M] [--prompt TEXT] [--steps N]\n"
           "               [--layer L] [--head H] [--view V] [--all-heads]\n"
           "               [--lesson FILE|N [--lesson-step K]] [FILE]\n"
           "  FILE                   a .kvscope.json scenario (opened: prefilled and stepped as\n"
           "                         it says), a saved .json trace (replayed) or a model file\n"
           "  --screenshot FILE.png  prefill, step N times, save the window (1280x800) and exit\n"
           "  --model M              builtin:demo (default), builtin:demo-mha, -gqa, -mqa, or a\n"
           "                         GGUF / llama2.c file\n"
           "  --prompt TEXT          the prompt to prefill\n"
           "  --steps N              decode steps after the prefill (default 12)\n"
           "  --layer L, --head H    the attention head shown first (default 0, 0)\n"
           "  --view V               the view shown: generate (default), memory, paging,\n"
           "                         quant\n"
           "  --all-heads            show every head (small multiples) instead of one\n"
           "  --lesson FILE|N        open a lesson file, or built-in lesson N (1 to 5)\n"
           "  --lesson-step K        with --lesson: show its step K (default 1)\n"
           "  --version              print the version and exit\n"
           "Without a display, runs the same generation headlessly (kvscope-cli generate).\n";
}

bool hasDisplay() {
    return isSet("DISPLAY") || isSet("WAYLAND_DISPLAY") || isSet("QT_QPA_PLATFORM");
}

std::vector<std::string> headlessCliArgs(const LaunchOptions& options) {
    // The prefill samples the first new token and each step one more: prefill + N steps is
    // N + 1 new tokens.
    return {"generate",
            "--model",
            options.model,
            "--prompt",
            options.prompt,
            "--max-new-tokens",
            std::to_string(options.steps + 1)};
}

}  // namespace kvscope
