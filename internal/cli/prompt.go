package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mizzle/mizzle/migrations"
	"github.com/mizzle/mizzle/schema"
)

// renamePrompt asks, for each ambiguity, whether the new object is new or
// which vanished object it was renamed from, like drizzle-kit does.
type renamePrompt struct {
	env *env
}

func newRenamePrompt(env *env) *renamePrompt {
	return &renamePrompt{env: env}
}

// resolve implements migrations.Options.Resolve.
func (p *renamePrompt) resolve(a migrations.Ambiguity) (migrations.QName, error) {
	w := p.env.stderr
	where := ""
	if a.Table != (migrations.QName{}) {
		where = " in table " + a.Table.String()
	}
	fmt.Fprintf(w, "\nIs %s %s%s new, or renamed from one that is gone?\n", a.Kind, a.Name, where)
	fmt.Fprintf(w, "  1) new %s (the old one is dropped with its data)\n", a.Kind)
	for i, c := range a.Candidates {
		fmt.Fprintf(w, "  %d) renamed from %s\n", i+2, c)
	}
	for {
		fmt.Fprintf(w, "Choose 1-%d: ", len(a.Candidates)+1)
		line, err := p.env.stdin.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return migrations.QName{}, fmt.Errorf("no answer for %s %s: %w", a.Kind, a.Name, err)
		}
		n, convErr := strconv.Atoi(strings.TrimSpace(line))
		switch {
		case convErr == nil && n == 1:
			return migrations.QName{}, nil
		case convErr == nil && n >= 2 && n <= len(a.Candidates)+1:
			return a.Candidates[n-2], nil
		}
		if err != nil {
			return migrations.QName{}, fmt.Errorf("no answer for %s %s", a.Kind, a.Name)
		}
		fmt.Fprintf(w, "%q is not a choice.\n", strings.TrimSpace(line))
	}
}

// ambiguityHelp explains a rename the command would have had to guess
// and the two ways out.
func ambiguityHelp(a migrations.Ambiguity) string {
	var b strings.Builder
	where := ""
	if a.Table != (migrations.QName{}) {
		where = " of table " + a.Table.String()
	}
	gone := make([]string, len(a.Candidates))
	for i, c := range a.Candidates {
		gone[i] = c.String()
	}
	fmt.Fprintf(&b, "%s %s%s is new and %s %s gone: is it a rename?\n", a.Kind, a.Name, where,
		strings.Join(gone, ", "), plural(len(gone), "is", "are"))
	// A rename hint gives the old name alone; the differ finds its schema.
	old := a.Candidates[0].Name
	switch a.Kind {
	case "column":
		fmt.Fprintf(&b, "  to rename, add was:%s to the field's db tag\n", old)
	case "sequence":
		fmt.Fprintf(&b, "  to rename, add WAS %s to its //mizzle:sequence marker\n", old)
	default:
		fmt.Fprintf(&b, "  to rename, add //mizzle:was %s to the type's doc comment\n", old)
	}
	fmt.Fprintf(&b, "  to drop the old %s with its data and create the new one, run again with --drop-and-add", a.Kind)
	return b.String()
}

// plan plans as the commands do: renames settled by hints, then by the
// prompt on a terminal, or all treated as drop and add. An ambiguity left
// over is printed with both ways out, followed by nothing (what the
// command did not do), and reported as errReported.
func plan(env *env, from, to *schema.Model, dropAndAdd bool, nothing string) (*migrations.Plan, error) {
	opts := migrations.Options{DropAndAdd: dropAndAdd}
	if !dropAndAdd && env.interactive {
		opts.Resolve = newRenamePrompt(env).resolve
	}
	p, err := migrations.NewPlan(from, to, opts)
	var ae *migrations.AmbiguityError
	if errors.As(err, &ae) {
		for _, a := range ae.Ambiguities {
			fmt.Fprintf(env.stderr, "%s %s\n", env.paint(red, "mizzle:"), ambiguityHelp(a))
		}
		fmt.Fprintln(env.stderr, nothing)
		return nil, errReported
	}
	return p, err
}
