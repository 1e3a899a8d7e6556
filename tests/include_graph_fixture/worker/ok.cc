// Fixture: worker may include sandbox (and through it anything worker may).
#include "sandbox/leaky.h"
