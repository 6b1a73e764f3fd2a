#include "core/model/chat_format.h"

namespace kvscope {

std::string_view chatFormatName(ChatFormat format) {
    switch (format) {
        case ChatFormat::Llama3:
            return "Llama 3";
        case ChatFormat::ChatMl:
            return "ChatML";
        case ChatFormat::Gemma:
            return "Gemma";
        case ChatFormat::Phi3:
            return "Phi-3";
    }
    return "?";
}

std::optional<ChatFormat> detectChatFormat(std::string_view chat_template) {
    const auto has = [&](std::string_view text) {
        return chat_template.find(text) != std::string_view::npos;
    };
    if (has("<|start_header_id|>")) return ChatFormat::Llama3;
    if (has("<|im_start|>")) return ChatFormat::ChatMl;
    if (has("<start_of_turn>")) return ChatFormat::Gemma;
    if (has("<|user|>") && has("<|end|>")) return ChatFormat::Phi3;
    return std::nullopt;
}

std::string applyChatFormat(ChatFormat format, std::string_view prompt) {
    const std::string text(prompt);
    switch (format) {
        case ChatFormat::Llama3:
            return "<|start_header_id|>user<|end_header_id|>\n\n" + text +
                   "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        case ChatFormat::ChatMl:
            return "<|im_start|>user\n" + text + "<|im_end|>\n<|im_start|>assistant\n";
        case ChatFormat::Gemma:
            return "<start_of_turn>user\n" + text + "<end_of_turn>\n<start_of_turn>model\n";
        case ChatFormat::Phi3:
            return "<|user|>\n" + text + "<|end|>\n<|assistant|>\n";
    }
    return text;
}

}  // namespace kvscope
