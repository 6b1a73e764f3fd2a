#pragma once
// Error kinds shared by the whole engine. The CLI maps InputError to exit code 2 and anything else
// to exit code 1 (docs/architecture.md, house rules).
#include <stdexcept>
#include <string>

namespace kvscope {

/// Bad input from the user: a file, a config value, a flag, a GUI field. The message names what
/// was wrong and where (field, key, flag or file offset).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace kvscope
