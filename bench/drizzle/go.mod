// The benchmark's schema generator is its own module so that the root
// module's ./... (go test, go vet) never reaches it or node_modules.
module github.com/mizzle/mizzle/bench/drizzle

go 1.26.0
