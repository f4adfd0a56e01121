package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(env *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mizzle's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(env.stdout, "mizzle %s %s %s/%s\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

const modulePath = "github.com/mizzle/mizzle"

// version is the module version the binary was built from: a tag for
// "go install ...@v1.2.3", "(devel)" for a build in the repository.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	// Under "go run github.com/mizzle/mizzle/cmd/mizzle" in a user's module,
	// mizzle is a dependency of the main module.
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil {
				return d.Version + " (replaced)"
			}
			return d.Version
		}
	}
	return "(devel)"
}
