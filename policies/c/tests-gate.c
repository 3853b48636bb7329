/*
 * tests-gate in C: denies a release whose tests failed or errored, or that has no test
 * results; allows it otherwise. The same policy as policies/wat/tests-gate.wat, passing the
 * same fixtures (policies/tests-gate.test.json).
 */
#define RELGATE_IMPLEMENTATION
#include "relgate.h"

RELGATE_EXPORT("relgate_metadata")
int64_t metadata(void) {
    relgate_out out = relgate_out_begin();
    relgate_out_str(&out, "{\"name\":\"tests-gate\",\"version\":\"1.0.0\",\"language\":\"c\","
                          "\"description\":\"Denies a release whose tests failed or errored, or that has no test results.\"}");
    return relgate_out_end(&out);
}

RELGATE_EXPORT("relgate_evaluate")
int64_t evaluate(const char *input, int32_t len) {
    relgate_out out = relgate_out_begin();
    if (!relgate_has_section(input, (size_t)len, "tests")) {
        relgate_out_str(&out, "{\"decision\":\"deny\",\"score\":0,\"reasons\":[{\"check\":\"tests.present\","
                              "\"outcome\":\"fail\",\"message\":\"the input has no test results, and a release "
                              "is not allowed without them\"}]}");
        return relgate_out_end(&out);
    }
    uint64_t failed = 0, errors = 0;
    relgate_find_u64(input, (size_t)len, "tests", "failed", &failed);
    relgate_find_u64(input, (size_t)len, "tests", "errors", &errors);
    uint64_t bad = failed + errors;
    if (bad) relgate_log(RELGATE_INFO, "denying: tests failed or errored");
    relgate_out_str(&out, bad ? "{\"decision\":\"deny\",\"score\":0," : "{\"decision\":\"allow\",\"score\":100,");
    relgate_out_str(&out, "\"reasons\":[{\"check\":\"tests.failed\",\"outcome\":");
    relgate_out_json_string(&out, bad ? "fail" : "pass");
    relgate_out_str(&out, ",\"message\":");
    relgate_out_json_string(&out, bad ? "tests failed or errored" : "no test failed or errored");
    relgate_out_str(&out, ",\"observed\":");
    relgate_out_u64(&out, bad);
    relgate_out_str(&out, ",\"threshold\":0}]}");
    return relgate_out_end(&out);
}
