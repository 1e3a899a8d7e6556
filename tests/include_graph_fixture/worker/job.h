#pragma once
// Fixture: a worker header.
#include "common/base.h"
