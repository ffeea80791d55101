module example.com/hello

go 1.22

require github.com/falcosecurity/plugin-sdk-go v0.8.3
