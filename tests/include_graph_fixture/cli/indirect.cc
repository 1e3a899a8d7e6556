// Fixture: cli reaches worker/job.h only through sandbox/leaky.h.
#include "sandbox/clean.h"
#include "sandbox/leaky.h"
