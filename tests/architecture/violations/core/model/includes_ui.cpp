// Fixture: core/ may not include ui/.
#include "ui/window/main_window.h"
