// Fixture: ui/ may not include app/.
#include "app/cli/cli.h"
