// Fixture: kernels/ may not include ui/.
#include "ui/style/theme.h"
