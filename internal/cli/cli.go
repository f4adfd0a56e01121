// Package cli is the mizzle command line: it parses flags and the config
// file, finds the database, prints, prompts, and picks exit codes (0
// success, 1 failure, 2 usage error). The work is done by the libraries it
// calls; it knows no SQL and no Go syntax of its own.
//
// Everything a command reads or writes goes through the arguments of Do,
// so commands can run side by side in one process (as the tests do).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Do runs the command line args (without the program name) and returns
// the exit code. Prompts read stdin and are only shown when stdin and
// stderr are terminals; an interrupt (Ctrl-C) cancels the command.
func Do(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, newEnv(stdin, stdout, stderr), args)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// reported marks an error whose details were already printed.
var errReported = errors.New("failed")

// run runs the command line args in env and returns the exit code.
func run(ctx context.Context, env *env, args []string) int {
	stdout, stderr := env.stdout, env.stderr
	root := newRoot(env)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errReported):
		return exitFailure
	case wantsJSON(cmd, args):
		code := exitFailure
		if errors.As(err, &ue) {
			code = exitUsage
		}
		env.printErrorJSON(err, code)
		return code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mizzle: %s\nRun 'mizzle help' for usage.\n", ue.msg)
		return exitUsage
	default:
		env.printError(err)
		return exitFailure
	}
}

// wantsJSON reports whether the command line asked cmd for --json output.
// A flag error can stop parsing before --json is reached, so the
// arguments are looked at too.
func wantsJSON(cmd *cobra.Command, args []string) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	if f == nil {
		return false
	}
	if f.Changed {
		return f.Value.String() == "true"
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

func newRoot(env *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "mizzle",
		Short: "Typed PostgreSQL queries and migrations from Go structs",
		Long: `mizzle reads the tables declared as tagged Go structs in a schema package,
generates typed query code and migration SQL from them, and manages
PostgreSQL databases with the result.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// The root runs only for words that are not subcommands.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return &usageError{msg}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err.Error()}
	})
	root.SuggestionsMinimumDistance = 2
	root.CompletionOptions.DisableDefaultCmd = true
	root.PersistentFlags().StringVar(&env.configFile, "config", "", "the config file (default: "+configName+" in the working directory or a parent)")
	root.AddCommand(newVersionCmd(env), newSchemaCmd(env), newGenerateCmd(env), newMigrateCmd(env), newStatusCmd(env), newCheckCmd(env), newDropCmd(env), newLintCmd(env), newPushCmd(env), newPullCmd(env), newDevCmd(env), newStudioCmd(env), newSeedCmd(env), newResetCmd(env))
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("%s takes no arguments, got %s", cmd.CommandPath(), strings.Join(args, " "))}
	}
	return nil
}

// positiveDuration is a duration flag that refuses zero and negative
// values, which would otherwise mean "the default" or nothing sensible to
// the library.
type positiveDuration struct{ d *time.Duration }

func (p positiveDuration) String() string {
	if p.d == nil {
		return "0s"
	}
	return p.d.String()
}

func (p positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return errors.New("must be more than zero")
	}
	*p.d = d
	return nil
}

func (p positiveDuration) Type() string { return "duration" }
