// libFuzzer entry point: any byte string must either parse as GGUF or be refused with InputError.
// Anything else (a crash, a sanitizer report, another exception, a hang, a huge allocation) is a
// bug that libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/model/dequantize.h"
#include "core/model/gguf_file.h"
#include "core/model/gguf_model.h"
#include "core/util/error.h"

namespace {

constexpr std::int64_t kMaxDecodedElements = std::int64_t(1) << 22;  // keep each run fast

/// Every read `info` and model loading would do, on a file that parsed.
void exercise(const kvscope::GgufFile& file) {
    for (const kvscope::GgufMetadataEntry& entry : file.metadata()) {
        (void)file.summary(entry);
        (void)file.value(entry);
    }
    for (const kvscope::GgufTensorInfo& t : file.tensors()) {
        if (kvscope::canDequantize(t.type) && t.n_elements <= kMaxDecodedElements)
            (void)file.dequantizeTensor(t.name);
    }
    try {
        (void)kvscope::readGgufModelInfo(file);
    } catch (const kvscope::InputError&) {
    }
    try {
        (void)kvscope::loadGgufModel(file);
    } catch (const kvscope::InputError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::byte> bytes(size);  // [size] the candidate file
    if (size != 0) std::memcpy(bytes.data(), data, size);
    try {
        exercise(kvscope::GgufFile::fromBytes(std::move(bytes), "fuzz.gguf"));
    } catch (const kvscope::InputError&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
