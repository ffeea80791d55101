/*
 * inspector: loads a Falco plugin the way Falco does and prints its metadata as JSON.
 *
 *   inspector <path.so>     (the path needs a '/': dlopen searches the library path otherwise)
 *
 * The plugin is opened with dlopen(RTLD_NOW | RTLD_LOCAL), as libs' plugin_loader.c does, so
 * unresolved symbols fail here exactly as they would in Falco. Only the stateless getters are
 * called; nothing that needs plugin_init() state. Output (one JSON object on stdout):
 *
 *   {"symbols":[...present plugin_* symbols...],
 *    "required_api_version":"3.11.0","name":"...","version":"...","description":"...",
 *    "contact":"...","init_schema":{"type":1,"schema":"..."},"id":999,"event_source":"...",
 *    "fields":"<raw JSON text>","extract_event_sources":"<raw JSON text>"}
 *
 * A string member is absent when its symbol is missing or the getter returned NULL.
 * Exit status: 0 on success, 1 on usage errors, 2 when dlopen fails ({"error":"..."}).
 * Before each call into the plugin, "calling <symbol>" goes to stderr, so that whoever runs us can
 * tell which getter crashed.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

/* Writes s as a JSON string literal. Bytes >= 0x80 pass through (plugins return UTF-8). */
static void print_json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void *lookup(const char *symbol)
{
	return dlsym(plugin, symbol);
}

static void announce(const char *symbol)
{
	fprintf(stderr, "calling %s\n", symbol);
	fflush(stderr);
}

/* Prints ,"key":"value" when the getter exists and returns non-NULL. */
static void print_string_member(const char *key, const char *symbol)
{
	string_getter get = (string_getter)lookup(symbol);
	if (!get)
		return;
	announce(symbol);
	const char *value = get();
	if (!value)
		return;
	printf(",\"%s\":", key);
	print_json_string(value);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <plugin.so>\n", argv[0]);
		return 1;
	}

	plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!plugin) {
		const char *err = dlerror();
		fputs("{\"error\":", stdout);
		print_json_string(err ? err : "dlopen failed");
		fputs("}\n", stdout);
		return 2;
	}

	fputs("{\"symbols\":[", stdout);
	int first = 1;
	for (size_t i = 0; i < sizeof(api_symbols) / sizeof(api_symbols[0]); i++) {
		if (!lookup(api_symbols[i]))
			continue;
		if (!first)
			putchar(',');
		print_json_string(api_symbols[i]);
		first = 0;
	}
	putchar(']');

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
		printf(",\"init_schema\":{\"type\":%d", (int)type);
		if (schema) {
			fputs(",\"schema\":", stdout);
			print_json_string(schema);
		}
		putchar('}');
	}

	id_getter get_id = (id_getter)lookup("plugin_get_id");
	if (get_id) {
		announce("plugin_get_id");
		printf(",\"id\":%u", (unsigned)get_id());
	}
	print_string_member("event_source", "plugin_get_event_source");
	print_string_member("fields", "plugin_get_fields");
	print_string_member("extract_event_sources", "plugin_get_extract_event_sources");

	fputs("}\n", stdout);
	fflush(stdout);
	/* The plugin stays loaded: unloading a Go runtime is not supported. */
	return 0;
}
