// `generate --chat` and prompts with special tokens, on a llama-architecture GGUF around a
// byte-level BPE vocabulary (tests/data/tokenizer/bpe-qwen2.gguf) with a ChatML template.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "tests/core/gguf_test_files.h"
#include "tests/core/vocab_model_file.h"

using kvscope::test::runCliCaptured;
using kvscope::test::runCliJson;

namespace {

const std::string kQwenVocab = std::string(KVSCOPE_TEST_DATA_DIR) + "/tokenizer/bpe-qwen2.gguf";

}  // namespace

TEST_CASE("generate --chat wraps the prompt in the template's format and says which",
          "[cli][tokenizer]") {
    kvscope::test::GgufTempDir dir;
    const std::string path = dir.file("chatml.gguf");
    kvscope::test::writeBytes(path,
                              kvscope::test::llamaWithVocab(kQwenVocab,
                                                            "{% for m in messages %}<|im_start|>"
                                                            "{{ m['role'] }}\n{{ m['content'] }}"
                                                            "<|im_end|>\n{% endfor %}"));
    const auto json = runCliJson(
        "generate", {"--model", path, "--prompt", "Hi", "--chat", "--max-new-tokens", "2"});
    CHECK(json["chat_format"].string == "ChatML");
    CHECK(json["prompt"].string == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    // Qwen2 adds no BOS: the first token is <|im_start|> itself, one token.
    const auto& ids = json["prompt_tokens"];
    REQUIRE(ids.size() >= 6);
    const auto plain = runCliJson(
        "generate", {"--model", path, "--prompt", "<|im_start|>", "--max-new-tokens", "1"});
    REQUIRE(plain["prompt_tokens"].size() == 1);
    CHECK(ids[0].number == plain["prompt_tokens"][0].number);

    const auto text = runCliCaptured(
        {"generate", "--model", path, "--prompt", "Hi", "--chat", "--max-new-tokens", "1"});
    CHECK(text.code == 0);
    CHECK(text.err.find("chat format: ChatML") != std::string::npos);
}

TEST_CASE("generate --chat without a chat template is bad input naming the flag",
          "[cli][tokenizer]") {
    const auto result = runCliCaptured({"generate", "--model", "builtin:demo", "--prompt", "hi",
                                        "--chat", "--max-new-tokens", "1"});
    CHECK(result.code == 2);
    CHECK(result.err.find("--chat:") != std::string::npos);
    CHECK(result.err.find("tokenizer.chat_template") != std::string::npos);
    CHECK(result.out.empty());
}
