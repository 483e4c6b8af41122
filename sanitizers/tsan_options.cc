// TSan's default options for every binary of a WARREN_TSAN build, so ctest, scripts/test and a
// test run by hand all use the suppressions; $TSAN_OPTIONS still overrides them.
// A report makes the process exit with 66 when it ends; it does not stop the test at the first.

// The name is TSan's, reserved identifier and all: its runtime looks it up.
extern "C" const char* __tsan_default_options() {
  return "suppressions=" WARREN_TSAN_SUPPRESSIONS " second_deadlock_stack=1";
}
