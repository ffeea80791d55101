// A test registry that serves the OCI 1.1 referrers API, on 127.0.0.1 only.
//
// It is go-containerregistry's registry (pkg/registry, the one crane serves) with
// referrers support switched on; the tests use it beside Debian's docker-registry 2.8,
// which has no referrers API, so both ways of attaching cosign v3 bundles are exercised.
// Built by scripts/install-referrers-registry.sh.
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (host:port)")
	dir := flag.String("blobs", "", "directory for blobs (default: memory)")
	verbose := flag.Bool("v", false, "log every request")
	flag.Parse()

	opts := []registry.Option{registry.WithReferrersSupport(true)}
	if *dir != "" {
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(*dir)))
	}
	logger := log.New(io.Discard, "", 0)
	if *verbose {
		logger = log.New(os.Stderr, "", log.LstdFlags)
	}
	opts = append(opts, registry.Logger(logger))

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The test helper reads the bound address from this first line.
	os.Stdout.WriteString("listening on " + listener.Addr().String() + "\n")
	server := &http.Server{Handler: registry.New(opts...), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}
