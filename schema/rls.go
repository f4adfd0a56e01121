package schema

import (
	"cmp"
	"slices"
	"strconv"
)

// RowSecurity is a table's row-level security state: ENABLE and FORCE ROW
// LEVEL SECURITY, each on or off. PostgreSQL keeps the two apart (a table
// may be forced without being enabled, which has no effect until it is).
type RowSecurity struct {
	Enabled bool `json:"enabled,omitempty"`
	// Forced applies the policies to the table's owner too.
	Forced bool `json:"forced,omitempty"`
}

// PolicyCommand is the command a policy applies to; the zero value is ALL.
type PolicyCommand string

// Policy commands, spelled as in CREATE POLICY ... FOR.
const (
	CommandAll    PolicyCommand = ""
	CommandSelect PolicyCommand = "select"
	CommandInsert PolicyCommand = "insert"
	CommandUpdate PolicyCommand = "update"
	CommandDelete PolicyCommand = "delete"
)

// Policy is a row-level security policy of a table. It filters rows only
// while the table has row-level security enabled; PostgreSQL keeps it
// either way.
type Policy struct {
	Name string `json:"name"`
	// Restrictive is AS RESTRICTIVE; the default is PERMISSIVE.
	Restrictive bool          `json:"restrictive,omitempty"`
	Command     PolicyCommand `json:"command,omitempty"`
	// Roles are the roles the policy applies to, sorted, as names; none
	// means PUBLIC (every role). Roles are referenced, never created.
	Roles []string `json:"roles,omitempty"`
	// Using and WithCheck are the USING and WITH CHECK expressions as SQL
	// text, without the outer parentheses; empty means none.
	Using     string `json:"using,omitempty"`
	WithCheck string `json:"withCheck,omitempty"`
	// ParsedUsing and ParsedWithCheck are Using and WithCheck as
	// PostgreSQL prints them back, when known (see Check.Parsed); never
	// in snapshots.
	ParsedUsing     string `json:"-"`
	ParsedWithCheck string `json:"-"`
	// Was is the policy's previous name on its table, a rename hint
	// (//mizzle:policy NAME was:OLDNAME); never in snapshots.
	Was string   `json:"was,omitempty"`
	Pos Position `json:"pos,omitzero"`
}

// sortPolicies puts t's policies in name order and each one's roles in
// order, the canonical form Model.Sort gives.
func (t *Table) sortPolicies() {
	slices.SortFunc(t.Policies, func(a, b Policy) int { return cmp.Compare(a.Name, b.Name) })
	for i := range t.Policies {
		slices.Sort(t.Policies[i].Roles)
	}
}

func (t *Table) clonePolicies() []Policy {
	ps := slices.Clone(t.Policies)
	for i := range ps {
		ps[i].Roles = slices.Clone(ps[i].Roles)
	}
	return ps
}

// validatePolicies reports what is wrong with t's policies to add.
func (t *Table) validatePolicies(what string, add func(format string, args ...any)) {
	seen := map[string]bool{}
	for _, p := range t.Policies {
		if p.Name == "" {
			add("%s: a policy has no name", what)
			continue
		}
		if seen[p.Name] {
			add("%s: policy %q appears twice", what, p.Name)
		}
		seen[p.Name] = true
		switch p.Command {
		case CommandAll, CommandSelect, CommandInsert, CommandUpdate, CommandDelete:
		default:
			add("%s: policy %q has command %q, not one of ALL, SELECT, INSERT, UPDATE, DELETE", what, p.Name, string(p.Command))
		}
		if p.Command == CommandSelect && p.WithCheck != "" || p.Command == CommandDelete && p.WithCheck != "" {
			add("%s: policy %q is FOR %s, which takes no WITH CHECK", what, p.Name, p.Command.SQL())
		}
		if p.Command == CommandInsert && p.Using != "" {
			add("%s: policy %q is FOR INSERT, which takes no USING", what, p.Name)
		}
		roles := map[string]bool{}
		for _, r := range p.Roles {
			if r == "" {
				add("%s: policy %q names an empty role", what, p.Name)
			} else if roles[r] {
				add("%s: policy %q names role %s twice", what, p.Name, strconv.Quote(r))
			}
			roles[r] = true
		}
	}
}

// SQL spells the command as CREATE POLICY's FOR clause does.
func (c PolicyCommand) SQL() string {
	if c == CommandAll {
		return "ALL"
	}
	return upper(string(c))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
