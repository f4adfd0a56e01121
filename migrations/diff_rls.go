package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Row-level security: a table's ENABLE and FORCE settings and its
// policies. Roles are referenced by policies, never created or dropped.
type (
	// SetRowSecurity enables or disables row-level security on a table.
	SetRowSecurity struct {
		Table   TableName
		Enabled bool
	}
	// SetForceRowSecurity makes a table's policies apply to its owner too
	// (FORCE), or not (NO FORCE).
	SetForceRowSecurity struct {
		Table  TableName
		Forced bool
	}
	// CreatePolicy creates a policy on a table.
	CreatePolicy struct {
		Table  TableName
		Policy schema.Policy
	}
	// DropPolicy drops a policy. Recreated says a policy of the same name
	// is created again later in the migration (its command changed, say).
	DropPolicy struct {
		Table     TableName
		Name      string
		Recreated bool
	}
	// RenamePolicy renames a policy after a rename hint (was:); what else
	// changes in it follows as an AlterPolicy.
	RenamePolicy struct {
		Table    TableName
		From, To string
	}
	// AlterPolicy changes a policy's roles, USING or WITH CHECK in place;
	// Policy is the new definition, and Roles, Using and WithCheck say
	// which parts change.
	AlterPolicy struct {
		Table                   TableName
		Policy                  schema.Policy
		Roles, Using, WithCheck bool
	}
)

func (SetRowSecurity) change()      {}
func (SetForceRowSecurity) change() {}
func (CreatePolicy) change()        {}
func (DropPolicy) change()          {}
func (RenamePolicy) change()        {}
func (AlterPolicy) change()         {}

// samePolicy reports whether two policies have the same definition.
func samePolicy(a, b schema.Policy) bool {
	return a.Name == b.Name && a.Restrictive == b.Restrictive && a.Command == b.Command &&
		slices.Equal(a.Roles, b.Roles) && sameUsing(a, b) && sameWithCheck(a, b)
}

func sameUsing(a, b schema.Policy) bool {
	return parsed(a.Using, a.ParsedUsing) == parsed(b.Using, b.ParsedUsing)
}

func sameWithCheck(a, b schema.Policy) bool {
	return parsed(a.WithCheck, a.ParsedWithCheck) == parsed(b.WithCheck, b.ParsedWithCheck)
}

// alterable reports whether ALTER POLICY can turn old into p: it changes
// roles and expressions, but cannot change the command or the kind, nor
// take an expression away.
func alterable(old, p schema.Policy) bool {
	return old.Restrictive == p.Restrictive && old.Command == p.Command &&
		(p.Using != "" || old.Using == "") && (p.WithCheck != "" || old.WithCheck == "")
}

// policyTouched reports whether a policy must be dropped before the
// migration's column changes and created after them: its expressions may
// use a column that is dropped, recreated or retyped (which PostgreSQL
// refuses while a policy uses it), in its own table or, through a
// subquery, in another; a table that is dropped; or an enum that is
// rebuilt. names holds those names (see touchedNames). It errs on the side
// of yes, as mentions does.
func policyTouched(p schema.Policy, names map[string]bool) bool {
	return mentions(p.Using, names) || mentions(p.WithCheck, names)
}

// touchedNames are the names a policy that stays must not use: the columns
// of every kept table that are dropped, recreated, retyped or of a rebuilt
// enum, the tables that are dropped and the enums that are rebuilt.
func (d *differ) touchedNames() map[string]bool {
	names := map[string]bool{}
	for t, c := range d.tables {
		for _, col := range c.Columns {
			if t.Column(col.Name) == nil || d.recreated[c][col.Name] || d.typeChanged[objKey{c, col.Name}] {
				names[col.Name] = true
			}
			for ne := range d.rebuilt {
				if col.Type.Schema == ne.Schema && col.Type.Name == ne.Name {
					names[col.Name] = true
				}
			}
		}
	}
	for _, o := range d.cur.Tables {
		if d.dropped[o] {
			names[o.Name] = true
		}
	}
	for ne := range d.rebuilt {
		names[ne.Name] = true
	}
	return names
}

// renamedPolicy is the index of the policy of t that a rename hint says
// was old's, or -1: the hint counts when old's name is gone from t and the
// new name is not one of c's (then the names pair the policies as they
// are), as the loader insists.
func renamedPolicy(c, t *schema.Table, old string) int {
	i := slices.IndexFunc(t.Policies, func(p schema.Policy) bool { return p.Was == old })
	if i < 0 || slices.ContainsFunc(t.Policies, func(p schema.Policy) bool { return p.Name == old }) ||
		slices.ContainsFunc(c.Policies, func(p schema.Policy) bool { return p.Name == t.Policies[i].Name }) {
		return -1
	}
	return i
}

// dropPolicies decides, for each kept table, which policies stay, which
// are renamed, which ALTER POLICY changes and which are dropped (and
// maybe created again), and emits the renames, the drops and the
// disabling of row security: before any column changes, so that no policy
// is in the way of one.
func (d *differ) dropPolicies() {
	d.policyKept = map[objKey]bool{}
	touched := d.touchedNames()
	for _, t := range d.to.Tables {
		c := d.tables[t]
		if c == nil {
			continue
		}
		for k, old := range c.Policies {
			i := slices.IndexFunc(t.Policies, func(p schema.Policy) bool { return p.Name == old.Name })
			renamed := false
			if i < 0 {
				i = renamedPolicy(c, t, old.Name)
				renamed = i >= 0
			}
			if i >= 0 && alterable(old, t.Policies[i]) && !policyTouched(old, touched) {
				if renamed {
					// cur follows: createPolicies finds it by its new name.
					d.emit(RenamePolicy{Table: nameOf(c), From: old.Name, To: t.Policies[i].Name})
					c.Policies[k].Name = t.Policies[i].Name
				}
				d.policyKept[objKey{c, t.Policies[i].Name}] = true
				continue
			}
			// A renamed policy that cannot be altered is created under its
			// new name: dropping the old one loses nothing either.
			d.emit(DropPolicy{Table: nameOf(c), Name: old.Name, Recreated: i >= 0})
		}
		if c.RowSecurity.Forced && !t.RowSecurity.Forced {
			d.emit(SetForceRowSecurity{Table: nameOf(c)})
		}
		if c.RowSecurity.Enabled && !t.RowSecurity.Enabled {
			d.emit(SetRowSecurity{Table: nameOf(c)})
		}
	}
}

// createPolicies enables row security where it is new and creates and
// alters policies, last of all: a policy may use any table and column.
func (d *differ) createPolicies() {
	for _, t := range d.to.Tables {
		c := d.tables[t]
		tn := nameOf(t)
		var was schema.RowSecurity
		if c != nil {
			was = c.RowSecurity
		}
		if t.RowSecurity.Enabled && !was.Enabled {
			d.emit(SetRowSecurity{Table: tn, Enabled: true})
		}
		if t.RowSecurity.Forced && !was.Forced {
			d.emit(SetForceRowSecurity{Table: tn, Forced: true})
		}
		for _, p := range t.Policies {
			if c == nil || !d.policyKept[objKey{c, p.Name}] {
				d.emit(CreatePolicy{Table: tn, Policy: p})
				continue
			}
			old := c.Policies[slices.IndexFunc(c.Policies, func(o schema.Policy) bool { return o.Name == p.Name })]
			if samePolicy(old, p) {
				continue
			}
			d.emit(AlterPolicy{Table: tn, Policy: p,
				Roles: !slices.Equal(old.Roles, p.Roles), Using: !sameUsing(old, p), WithCheck: !sameWithCheck(old, p)})
		}
	}
}

// rlsStatements spells the row security changes; ok is false for any
// other change.
func rlsStatements(c Change) (sql []string, warning string, ok bool) {
	switch c := c.(type) {
	case SetRowSecurity:
		if c.Enabled {
			return []string{fmt.Sprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;", c.Table)}, "", true
		}
		return []string{fmt.Sprintf("ALTER TABLE %s DISABLE ROW LEVEL SECURITY;", c.Table)},
			fmt.Sprintf("disables row-level security on %s: its policies no longer filter any row", c.Table), true
	case SetForceRowSecurity:
		if c.Forced {
			return []string{fmt.Sprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY;", c.Table)}, "", true
		}
		return []string{fmt.Sprintf("ALTER TABLE %s NO FORCE ROW LEVEL SECURITY;", c.Table)},
			fmt.Sprintf("stops applying the policies of %s to its owner", c.Table), true
	case CreatePolicy:
		return []string{createPolicy(c.Table, c.Policy)}, "", true
	case DropPolicy:
		if !c.Recreated {
			warning = fmt.Sprintf("drops policy %s of %s: the rows it let through are no longer let through by it (or, restrictive, no longer held back)",
				quote.Ident(c.Name), c.Table)
		}
		return []string{fmt.Sprintf("DROP POLICY %s ON %s;", quote.Ident(c.Name), c.Table)}, warning, true
	case RenamePolicy:
		return []string{fmt.Sprintf("ALTER POLICY %s ON %s RENAME TO %s;", quote.Ident(c.From), c.Table, quote.Ident(c.To))}, "", true
	case AlterPolicy:
		s := fmt.Sprintf("ALTER POLICY %s ON %s", quote.Ident(c.Policy.Name), c.Table)
		if c.Roles {
			s += " TO " + roleList(c.Policy.Roles)
		}
		if c.Using {
			s += " USING (" + c.Policy.Using + ")"
		}
		if c.WithCheck {
			s += " WITH CHECK (" + c.Policy.WithCheck + ")"
		}
		return []string{s + ";"}, "", true
	}
	return nil, "", false
}

// createPolicy spells CREATE POLICY, leaving out what is PostgreSQL's
// default (PERMISSIVE, FOR ALL, TO PUBLIC).
func createPolicy(t TableName, p schema.Policy) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE POLICY %s ON %s", quote.Ident(p.Name), t)
	if p.Restrictive {
		b.WriteString(" AS RESTRICTIVE")
	}
	if p.Command != schema.CommandAll {
		b.WriteString(" FOR " + p.Command.SQL())
	}
	if len(p.Roles) > 0 {
		b.WriteString(" TO " + roleList(p.Roles))
	}
	if p.Using != "" {
		b.WriteString(" USING (" + p.Using + ")")
	}
	if p.WithCheck != "" {
		b.WriteString(" WITH CHECK (" + p.WithCheck + ")")
	}
	return b.String() + ";"
}

// roleList spells a policy's roles, PUBLIC for none.
func roleList(roles []string) string {
	if len(roles) == 0 {
		return "PUBLIC"
	}
	return identList(roles)
}

// describeRLS names a row security change for a migration's name.
func describeRLS(c Change) string {
	switch c := c.(type) {
	case SetRowSecurity:
		if c.Enabled {
			return "enable_rls_" + c.Table.Name
		}
		return "disable_rls_" + c.Table.Name
	case SetForceRowSecurity:
		if c.Forced {
			return "force_rls_" + c.Table.Name
		}
		return "no_force_rls_" + c.Table.Name
	case CreatePolicy:
		return "add_" + c.Policy.Name
	case DropPolicy:
		return "drop_" + c.Name
	case RenamePolicy:
		return "rename_" + c.To
	case AlterPolicy:
		return "alter_" + c.Policy.Name
	}
	return ""
}
