// kvscope-cli: the headless command line. No Qt, no display; everything is in runCli().
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/cli.h"

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return kvscope::runCli(args, std::cout, std::cerr);
}
