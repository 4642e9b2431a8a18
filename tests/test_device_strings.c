/* Device strings longer than any fixed field. This executable defines clGetDeviceInfo, which
 * the statically linked library then calls instead of the ICD loader's: it forwards every
 * query but CL_DEVICE_NAME, which it answers with LONG_NAME characters (the real name, dashes,
 * and a last character the test changes). On every OpenCL device:
 *   - the device's description carries the name cut to its field, never "unknown";
 *   - the disk caches tell apart two devices whose names differ only in their last character:
 *     what one device built or chose is never used for the other.
 * Label: opencl, lifecycle. */
#define _GNU_SOURCE /* RTLD_NEXT; mkdtemp, setenv, nftw */

#include "cache_dirs.h"
#include "test_util.h"

#include "device_info_hook.h"

#include <stdio.h>

/* Past the description's 256 characters and a 1024-byte key with the other strings. */
#define LONG_NAME 1500

static int lengthen;            /* 0: every query passes through */
static char last_char = 'A';    /* the last character of the long names */

CL_API_ENTRY cl_int CL_API_CALL clGetDeviceInfo(cl_device_id device, cl_device_info param,
                                                size_t size, void *value, size_t *size_ret)
{
    tu_get_device_info_fn real = tu_real_get_device_info();
    if (real == NULL) {
        return CL_INVALID_DEVICE;
    }
    if (param != CL_DEVICE_NAME || !lengthen) {
        return real(device, param, size, value, size_ret);
    }
    char name[LONG_NAME + 1], real_name[256] = "";
    real(device, CL_DEVICE_NAME, sizeof real_name - 1, real_name, NULL);
    memset(name, '-', LONG_NAME);
    memcpy(name, real_name, strlen(real_name));
    name[LONG_NAME - 1] = last_char;
    name[LONG_NAME] = '\0';
    return tu_device_info_answer(name, sizeof name, size, value, size_ret);
}

/* The description: the real name followed by dashes, exactly as long as the field allows. */
static int test_description(void)
{
    cnn_device_info plain[TU_MAX_DEVICES], longer[TU_MAX_DEVICES];
    size_t n_plain = 0, n_longer = 0;
    lengthen = 0;
    CHECK_OK(cnn_device_list(plain, TU_MAX_DEVICES, &n_plain));
    lengthen = 1;
    CHECK_OK(cnn_device_list(longer, TU_MAX_DEVICES, &n_longer));
    CHECK(n_plain == n_longer);
    for (size_t i = 0; i < n_plain && i < TU_MAX_DEVICES; i++) {
        if (plain[i].type == CNN_DEVICE_REFERENCE) {
            continue;
        }
        const size_t len = strlen(plain[i].name);
        tu_note("device %s: \"%s\"", plain[i].selector, longer[i].name);
        CHECK(strlen(longer[i].name) == sizeof longer[i].name - 1);
        CHECK(strncmp(longer[i].name, plain[i].name, len) == 0);
        CHECK(longer[i].name[len] == '-' && longer[i].name[sizeof longer[i].name - 2] == '-');
        CHECK(strcmp(longer[i].vendor, plain[i].vendor) == 0);
    }
    return 0;
}

/* What the disk caches gave, from the log: programs loaded or built, kernel variants whose
 * self-check passed before or now, shapes whose fastest algorithm was timed. */
typedef struct cache_use {
    int loaded, built, checked_before, checked, timed;
} cache_use;
static cache_use use;

static void count_cache_use(cnn_log_level level, const char *message, void *user_data)
{
    (void)level;
    (void)user_data;
    use.loaded += strstr(message, "loaded from the disk cache") != NULL;
    use.built += strstr(message, "] built in ") != NULL;
    use.checked_before += strstr(message, "passed its self-check before") != NULL;
    use.checked += strstr(message, "self-check passed") != NULL;
    use.timed += strstr(message, "is the fastest") != NULL;
}

/* On selector, with names ending in c, in find mode: the seed's worked examples (checked). */
static int round_on(const char *selector, char c)
{
    last_char = c;
    memset(&use, 0, sizeof use);
    cnn_log_set_level(CNN_LOG_DEBUG);
    cnn_log_set_callback(count_cache_use, NULL);
    cnn_context *ctx = tu_context(selector);
    int rc = ctx == NULL || cnn_context_set_find_mode(ctx, CNN_FIND_ALGORITHMS) != CNN_SUCCESS ||
             tu_seed_ops(ctx) != 0;
    tu_context_destroy(ctx);
    cnn_log_set_callback(NULL, NULL);
    cnn_log_set_level(CNN_LOG_WARN);
    printf("     names ending in %c: programs %d loaded, %d built; self-checks %d before, %d "
           "now; %d shape(s) timed\n",
           c, use.loaded, use.built, use.checked_before, use.checked, use.timed);
    return rc;
}

static int test_disk_keys(const char *selector)
{
    lengthen = 1;
    tu_note("cold cache, names ending in A");
    CHECK(round_on(selector, 'A') == 0);
    const cache_use cold = use;
    CHECK(cold.loaded == 0 && cold.built > 0 && cold.checked_before == 0 && cold.checked > 0 &&
          cold.timed > 0);
    tu_note("warm cache, the same device");
    CHECK(round_on(selector, 'A') == 0);
    CHECK(use.built == 0 && use.checked == 0 && use.timed == 0);
    CHECK(use.loaded > 0 && use.checked_before > 0);
    tu_note("a device whose name differs in its last character only");
    CHECK(round_on(selector, 'B') == 0);
    CHECK(use.loaded == 0 && use.checked_before == 0);
    CHECK(use.built == cold.built && use.checked == cold.checked && use.timed == cold.timed);
    return 0;
}

int main(void)
{
    /* A private, empty cnncl cache for the whole process (PoCL's stays where it was). */
    char dir[] = "/tmp/cnncl-test-strings-XXXXXX";
    if (tu_pin_pocl_cache() != 0 || mkdtemp(dir) == NULL || setenv("XDG_CACHE_HOME", dir, 1) != 0 ||
        unsetenv("CNNCL_CACHE") != 0) {
        perror("test set-up");
        return 1;
    }
    tu_devices devs;
    lengthen = 0;
    if (tu_device_selectors(&devs, 0) != 0) {
        return 1;
    }
    int failures = 0;
    if (devs.count == 0) {
        printf("no OpenCL device: skipped\n");
    } else {
        failures += test_description() != 0;
        printf("%-4s description cut to its field\n", failures ? "FAIL" : "ok");
        for (int i = 0; i < devs.count; i++) {
            const int failed = test_disk_keys(devs.selector[i]) != 0;
            printf("%-4s disk caches keyed by the whole name [%s]\n", failed ? "FAIL" : "ok",
                   devs.selector[i]);
            failures += failed;
        }
        printf("%d failure(s)\n", failures);
    }
    tu_release_all_memory();
    tu_remove_tree(dir);
    return devs.count == 0 ? TU_SKIP : failures != 0;
}
