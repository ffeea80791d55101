// Package hello implements the "hello" Falco plugin: a small extractor that adds
// two fields to syscall events. It has no event source of its own, so Falco
// loads it next to its syscall source and calls it only for the fields that
// rules and outputs use.
package hello

import (
	"encoding/json"
	"fmt"

	"github.com/falcosecurity/plugin-sdk-go/pkg/sdk"
	"github.com/falcosecurity/plugin-sdk-go/pkg/sdk/plugins"
)

// The plugin's identity. Falco and falcoctl read these from the built .so
// (plugin_get_name, plugin_get_version, ...), so the release tag must match
// Version: tag v0.1.0 releases version 0.1.0.
const (
	Name        = "hello"
	Version     = "0.1.0"
	Description = "Example plugin that greets syscall events"
	Contact     = "https://github.com/example/falco-plugin-hello"
)

// Field IDs: the index of each field in Fields().
const (
	fieldGreeting = iota
	fieldEventNumber
)

// Config is the plugin's init_config in falco.yaml, for example:
//
//	plugins:
//	  - name: hello
//	    library_path: libhello.so
//	    init_config:
//	      greeting: "Hi there"
type Config struct {
	Greeting string `json:"greeting"`
}

// Plugin is the plugin state. BasePlugin provides the buffers the SDK needs
// (last error, extraction requests, ...).
type Plugin struct {
	plugins.BasePlugin
	config Config
}

// Info describes the plugin. RequiredAPIVersion is left empty so that the SDK
// puts its own default (3.11.0 for plugin-sdk-go v0.8.3).
func (p *Plugin) Info() *plugins.Info {
	return &plugins.Info{
		Name:        Name,
		Version:     Version,
		Description: Description,
		Contact:     Contact,
		// The event sources whose events this plugin can extract fields from.
		ExtractEventSources: []string{"syscall"},
	}
}

// InitSchema lets Falco validate init_config before calling Init.
func (p *Plugin) InitSchema() *sdk.SchemaInfo {
	return &sdk.SchemaInfo{
		Schema: `{"type":"object","properties":{"greeting":{"type":"string"}},"additionalProperties":false}`,
	}
}

// Init parses init_config (a JSON string, possibly empty).
func (p *Plugin) Init(config string) error {
	p.config = Config{Greeting: "Hello, Falco!"}
	if config != "" {
		if err := json.Unmarshal([]byte(config), &p.config); err != nil {
			return fmt.Errorf("invalid init_config: %w", err)
		}
	}
	return nil
}

// Fields lists the fields this plugin extracts, as rules refer to them.
func (p *Plugin) Fields() []sdk.FieldEntry {
	return []sdk.FieldEntry{
		{Type: "string", Name: "hello.greeting", Display: "Greeting", Desc: "The configured greeting"},
		{Type: "uint64", Name: "hello.evtnum", Display: "Event number", Desc: "The number Falco gave the event"},
	}
}

// Extract computes one field for one event.
func (p *Plugin) Extract(req sdk.ExtractRequest, evt sdk.EventReader) error {
	switch req.FieldID() {
	case fieldGreeting:
		req.SetValue(p.config.Greeting)
	case fieldEventNumber:
		req.SetValue(evt.EventNum())
	default:
		return fmt.Errorf("unsupported field: %s", req.Field())
	}
	return nil
}
