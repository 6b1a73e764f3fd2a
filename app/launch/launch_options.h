#pragma once
// The command line of `kvscope` (the GUI), parsed before any Qt object exists so that a machine
// without a display can fall back to the headless demo.
#include <string>
#include <vector>

#include "core/engine/backend_select.h"

namespace kvscope {

struct LaunchOptions {
    std::string screenshot;  // --screenshot FILE.png: render the window to FILE and exit
    std::string model = "builtin:demo";
    std::string prompt =
        "KVScope KVScope KVSc";  // the induction head continues it (docs/demo-model.md)
    int steps = 12;              // decode steps after the prefill (screenshot and headless demo)
    int layer = 0;               // the attention head shown first
    int head = 0;
    std::string view = "generate";  // the tab shown: generate, memory, quant, ...
    bool all_heads = false;         // --all-heads: the small-multiples grid instead of one head
    std::string open;               // FILE: a model or a .kvscope.json scenario to open
    std::string lesson;             // --lesson FILE|N: a lesson file, or built-in lesson N (1..)
    int threads = 0;                // --threads N: engine threads; 0 = not given
    BackendKind backend = BackendKind::Cpu;  // --backend: cpu, or cuda where it can run
    cpu::Activations activations = cpu::Activations::LlamaCpp;  // --activations q8|float
    int lesson_step = 1;  // --lesson-step K: the lesson's step shown (1-based)
    bool help = false;
    bool version = false;  // --version: print the version and exit
};

/// `args` excludes the program name. Throws InputError naming the flag on bad input.
LaunchOptions parseLaunchOptions(const std::vector<std::string>& args);
std::string launchUsage();

/// True when some windowing system is configured: DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM.
bool hasDisplay();

/// The kvscope-cli arguments of the same generation, for the headless fallback.
std::vector<std::string> headlessCliArgs(const LaunchOptions& options);

}  // namespace kvscope
