package goschema

import (
	"regexp"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// rlsMarkers writes a table's row security as //mizzle:rls and its
// policies as //mizzle:policy, leaving out PostgreSQL's defaults. FORCE
// without ENABLE, which the grammar cannot write (and which has no effect
// until row security is enabled), is left out with a warning.
func (w *writer) rlsMarkers(t *schema.Table) []string {
	var out []string
	on := quote.Ident(t.Schema, t.Name)
	switch {
	case t.RowSecurity.Enabled && t.RowSecurity.Forced:
		out = append(out, "//mizzle:rls force")
	case t.RowSecurity.Enabled:
		out = append(out, "//mizzle:rls")
	case t.RowSecurity.Forced:
		w.warn("table %s has FORCE ROW LEVEL SECURITY without ENABLE, which the grammar cannot write (it has no effect until row security is enabled): left out", on)
		t.RowSecurity.Forced = false
	}
	for i := range t.Policies {
		p := &t.Policies[i]
		s := "//mizzle:policy " + grammar.Name(p.Name)
		if p.Restrictive {
			s += " AS RESTRICTIVE"
		}
		if p.Command != schema.CommandAll {
			s += " FOR " + p.Command.SQL()
		}
		if len(p.Roles) > 0 {
			roles := make([]string, len(p.Roles))
			for k, r := range p.Roles {
				roles[k] = roleName(r)
			}
			s += " TO " + strings.Join(roles, ", ")
		}
		if p.Using != "" {
			p.Using = w.oneLine(p.Using, "the USING expression of policy "+quote.Ident(p.Name)+" on "+on)
			s += " USING (" + p.Using + ")"
		}
		if p.WithCheck != "" {
			p.WithCheck = w.oneLine(p.WithCheck, "the WITH CHECK expression of policy "+quote.Ident(p.Name)+" on "+on)
			s += " WITH CHECK (" + p.WithCheck + ")"
		}
		out = append(out, s)
	}
	return out
}

var bareRole = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// roleKeywords are the words a policy's TO list reads as keywords, not as
// role names, when they are not quoted.
var roleKeywords = []string{"public", "current_user", "session_user", "current_role", "using", "with"}

// roleName writes a role of a policy's TO list: bare when the loader reads
// it back as that role, else double-quoted.
func roleName(r string) string {
	if bareRole.MatchString(r) && !slices.Contains(roleKeywords, strings.ToLower(r)) {
		return r
	}
	return quote.Ident(r)
}
