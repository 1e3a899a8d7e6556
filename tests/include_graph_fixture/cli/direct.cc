// Fixture: cli includes worker/ itself.
#include "common/base.h"
#include "worker/job.h"
