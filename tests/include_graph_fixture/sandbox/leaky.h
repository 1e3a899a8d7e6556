#pragma once
// Fixture: a sandbox header that wrongly includes worker/.
#include "worker/job.h"
