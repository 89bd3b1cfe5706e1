/* Fuzzes configuration input: the data as the HTTP transport's .jcfg file (libconfig's parse,
 * then Prism's section, key, type, range and wrapped-literal checks), and, after its first
 * byte (which picks the setting), as the text value of a setting's environment variable and
 * flag. */
#include "core/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks scanner buffers on several parse-error paths, which fuzzing reaches
 * at once. Only allocations made inside libconfig are excused (Prism never runs inside it:
 * no hooks); the unit tests, with a narrower suppression, check that every parsed tree is
 * destroyed. */
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

static char dir[] = "/tmp/prism-fuzz-config-XXXXXX";
static char path[sizeof(dir) + 32];

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

static bool prepare_dir(void)
{
    static bool ready;
    if (!ready) {
        if (!mkdtemp(dir))
            return false;
        snprintf(path, sizeof(path), "%s/prism.transport.http.jcfg", dir);
        atexit(remove_dir);
        ready = true;
    }
    return true;
}

static void load_file(const uint8_t *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file)
        return;
    fwrite(data, 1, size, file);
    fclose(file);
    struct prism_config *config = NULL;
    char error[512];
    if (prism_config_load(&config, dir, NULL, error, sizeof(error)) == 0)
        prism_config_free(config);
}

/* The text as the value of one setting, chosen by the input's first byte, through its
 * environment variable and its flag. One setting a run (not all of them) keeps a run to two
 * loads, so that the fuzzer gets through millions of inputs; it reaches every setting by
 * mutating that byte. */
static void apply_text(const struct prism_setting *setting, const char *text)
{
    struct prism_config *config = NULL;
    char error[512], name[128];
    char *entry = malloc(strlen(text) + sizeof(name) + 2);
    if (!entry)
        return;
    prism_setting_env_name(setting, name, sizeof(name));
    sprintf(entry, "%s=%s", name, text);
    char *environment[] = {entry, NULL};
    if (prism_config_load(&config, NULL, environment, error, sizeof(error)) == 0)
        prism_config_free(config);
    free(entry);
    if (!setting->flag || prism_config_load(&config, NULL, NULL, error, sizeof(error)) < 0)
        return;
    prism_config_set_flag(config, setting->flag, text, error, sizeof(error));
    prism_config_free(config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || !prepare_dir())
        return 0;
    load_file(data, size);
    if (size == 0)
        return 0;
    const struct prism_config_schema *schema = &prism_settings_schema;
    char *text = strndup((const char *)data + 1, size - 1);
    if (text)
        apply_text(&schema->settings[data[0] % schema->setting_count], text);
    free(text);
    return 0;
}
