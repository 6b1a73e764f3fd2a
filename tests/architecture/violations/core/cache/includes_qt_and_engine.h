// Fixture for the architecture.layers_catch_violations test: every include below breaks a rule.
#include <QString>
#include "core/engine/session.h"
#include <cuda_runtime.h>
