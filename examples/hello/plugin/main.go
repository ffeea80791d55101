// Command plugin is the entry point of the hello plugin's shared library:
//
//	CGO_ENABLED=1 go build -buildmode=c-shared -o libhello.so ./plugin
//
// A c-shared library has no real main: the work happens in init(), which
// runs when Falco loads the library.
package main

import (
	"example.com/hello/pkg/hello"
	"github.com/falcosecurity/plugin-sdk-go/pkg/sdk/plugins"
	"github.com/falcosecurity/plugin-sdk-go/pkg/sdk/plugins/extractor"
)

func init() {
	// SetFactory publishes the plugin's metadata and tells the SDK how to make
	// a new plugin state whenever Falco calls plugin_init.
	plugins.SetFactory(func() plugins.Plugin {
		p := &hello.Plugin{}
		// Register exports the extraction capability
		// (plugin_get_fields and plugin_extract_fields).
		extractor.Register(p)
		return p
	})
}

func main() {}
