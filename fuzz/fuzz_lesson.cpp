// libFuzzer entry point for the lesson reader: any byte string must either read as a Lesson or be
// refused with InputError. Anything else (a crash, a sanitizer report, another exception, a hang,
// a huge allocation) is a bug that libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/trace/lesson_file.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)kvscope::readLessonJson(text, "fuzz-lesson.json");
    } catch (const kvscope::InputError&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
