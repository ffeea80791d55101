/*
 * inspector: loads a Falco plugin the way Falco does and reports its metadata as JSON.
 *
 *   inspector <path.so> <report>   (the path needs a '/': dlopen searches the library path otherwise)
 *
 * The plugin is opened with dlopen(RTLD_NOW | RTLD_LOCAL), as libs' plugin_loader.c does, so
 * unresolved symbols fail here exactly as they would in Falco. Only the stateless getters are
 * called; nothing that needs plugin_init() state.
 *
 * Everything goes to the report file, never to stdout or stderr: those belong to the plugin,
 * which may print while it loads (Falco loads such plugins). The report is made of lines:
 * "calling <symbol>" before each call into the plugin, written at once so that whoever runs us
 * can tell which getter crashed, then one JSON object:
 *
 *   {"symbols":[...present plugin_* symbols...],
 *    "required_api_version":"3.11.0","name":"...","version":"...","description":"...",
 *    "contact":"...","init_schema":{"type":1,"schema":"..."},"id":999,"event_source":"...",
 *    "fields":"<raw JSON text>","extract_event_sources":"<raw JSON text>"}
 *
 * A string member is absent when its symbol is missing or the getter returned NULL.
 * Exit status: 0 on success, 1 on usage errors (on stderr) or when the report cannot be written,
 * 2 when dlopen fails (the JSON object is then {"error":"..."}).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every symbol of the plugin API (libs userspace/plugin/plugin_api.h, API 3.12.0). */
static const char *const api_symbols[] = {
	"plugin_get_required_api_version",
	"plugin_get_version",
	"plugin_get_name",
	"plugin_get_description",
	"plugin_get_contact",
	"plugin_init",
	"plugin_destroy",
	"plugin_get_last_error",
	"plugin_get_init_schema",
	"plugin_get_id",
	"plugin_get_event_source",
	"plugin_open",
	"plugin_close",
	"plugin_next_batch",
	"plugin_get_progress",
	"plugin_list_open_params",
	"plugin_event_to_string",
	"plugin_get_fields",
	"plugin_extract_fields",
	"plugin_get_extract_event_sources",
	"plugin_get_extract_event_types",
	"plugin_parse_event",
	"plugin_get_parse_event_types",
	"plugin_get_parse_event_sources",
	"plugin_get_async_events",
	"plugin_set_async_event_handler",
	"plugin_get_async_event_sources",
	"plugin_dump_state",
	"plugin_set_config",
	"plugin_get_metrics",
	"plugin_capture_open",
	"plugin_capture_close",
	"plugin_get_required_event_schema_version",
};

typedef const char *(*string_getter)(void);
typedef const char *(*schema_getter)(int32_t *schema_type);
typedef uint32_t (*id_getter)(void);

static void *plugin;
static int report = -1; /* the report file */
static FILE *out;       /* the JSON object, built in memory and written to the report at the end */

/* Writes all of buf to the report; exits with 1 when it cannot. */
static void report_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(report, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		buf += n;
		len -= (size_t)n;
	}
}

/* Writes s as a JSON string literal. Bytes >= 0x80 pass through (plugins return UTF-8). */
static void print_json_string(const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static char *json_buf;
static size_t json_len;

/* Writes the JSON object (with a final new line) to the report, as its last line. */
static void finish_report(void)
{
	fputc('\n', out);
	if (fclose(out) != 0)
		_exit(1);
	report_write(json_buf, json_len);
}

static void *lookup(const char *symbol)
{
	return dlsym(plugin, symbol);
}

static void announce(const char *symbol)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "calling %s\n", symbol);
	if (n > 0 && (size_t)n < sizeof(line))
		report_write(line, (size_t)n);
}

/* Adds ,"key":"value" when the getter exists and returns non-NULL. */
static void print_string_member(const char *key, const char *symbol)
{
	string_getter get = (string_getter)lookup(symbol);
	if (!get)
		return;
	announce(symbol);
	const char *value = get();
	if (!value)
		return;
	fprintf(out, ",\"%s\":", key);
	print_json_string(value);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <plugin.so> <report>\n", argv[0]);
		return 1;
	}
	report = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (report < 0) {
		fprintf(stderr, "cannot open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	out = open_memstream(&json_buf, &json_len);
	if (!out)
		return 1;

	plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!plugin) {
		const char *err = dlerror();
		fputs("{\"error\":", out);
		print_json_string(err ? err : "dlopen failed");
		fputc('}', out);
		finish_report();
		return 2;
	}

	fputs("{\"symbols\":[", out);
	int first = 1;
	for (size_t i = 0; i < sizeof(api_symbols) / sizeof(api_symbols[0]); i++) {
		if (!lookup(api_symbols[i]))
			continue;
		if (!first)
			fputc(',', out);
		print_json_string(api_symbols[i]);
		first = 0;
	}
	fputc(']', out);

	print_string_member("required_api_version", "plugin_get_required_api_version");
	print_string_member("name", "plugin_get_name");
	print_string_member("version", "plugin_get_version");
	print_string_member("description", "plugin_get_description");
	print_string_member("contact", "plugin_get_contact");

	schema_getter get_schema = (schema_getter)lookup("plugin_get_init_schema");
	if (get_schema) {
		int32_t type = 0; /* SS_PLUGIN_SCHEMA_NONE */
		announce("plugin_get_init_schema");
		const char *schema = get_schema(&type);
		fprintf(out, ",\"init_schema\":{\"type\":%d", (int)type);
		if (schema) {
			fputs(",\"schema\":", out);
			print_json_string(schema);
		}
		fputc('}', out);
	}

	id_getter get_id = (id_getter)lookup("plugin_get_id");
	if (get_id) {
		announce("plugin_get_id");
		fprintf(out, ",\"id\":%u", (unsigned)get_id());
	}
	print_string_member("event_source", "plugin_get_event_source");
	print_string_member("fields", "plugin_get_fields");
	print_string_member("extract_event_sources", "plugin_get_extract_event_sources");

	fputc('}', out);
	finish_report();
	/* The plugin stays loaded: unloading a Go runtime is not supported. */
	return 0;
}
