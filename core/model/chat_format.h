#pragma once
// `--chat`: a prompt wrapped as one user turn in the model's chat format, the format recognised
// from the file's chat template (tokenizer.chat_template) by the special tokens it spells.
#include <optional>
#include <string>
#include <string_view>

namespace kvscope {

enum class ChatFormat { Llama3, ChatMl, Gemma, Phi3 };

/// "Llama 3", "ChatML", "Gemma", "Phi-3".
std::string_view chatFormatName(ChatFormat format);

/// The format a Jinja chat template writes: <|start_header_id|> -> Llama 3, <|im_start|> ->
/// ChatML (Qwen), <start_of_turn> -> Gemma, <|user|> with <|end|> -> Phi-3; nothing for any
/// other template.
std::optional<ChatFormat> detectChatFormat(std::string_view chat_template);

/// `prompt` as one user turn followed by the opening of the assistant's turn, as the template
/// renders it with add_generation_prompt. BOS is not part of it (promptTokens adds it).
std::string applyChatFormat(ChatFormat format, std::string_view prompt);

}  // namespace kvscope
