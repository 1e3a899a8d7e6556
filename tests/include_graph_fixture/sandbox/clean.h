#pragma once
// Fixture: a sandbox header that keeps to its rules.
#include "common/base.h"
