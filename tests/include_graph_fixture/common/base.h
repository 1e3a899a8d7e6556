#pragma once
// Fixture: a common header.
