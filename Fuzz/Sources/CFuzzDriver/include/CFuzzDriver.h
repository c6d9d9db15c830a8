#ifndef SPIKEBAR_CFUZZDRIVER_H
#define SPIKEBAR_CFUZZDRIVER_H
/// Runs libFuzzer on the target's LLVMFuzzerTestOneInput. SwiftPM links every executable on Linux with
/// `--defsym main=<Target>_main`, which hides libFuzzer's own `main`; each target's `<Target>_main`
/// calls this instead (libFuzzer's documented LLVMFuzzerRunDriver entry point).
int spikebar_fuzz_main(int argc, char **argv);
#endif
