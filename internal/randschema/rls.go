package randschema

import (
	"fmt"
	"slices"

	"github.com/mizzle/mizzle/schema"
)

// Row-level security. Policies name built-in roles only, which every
// cluster has; their expressions are constants or "c IS NOT NULL" on a
// column of the table, which reads the same whatever the column's type, so
// that a type change keeps it valid (the differ drops and creates the
// policy around it). The test connects as a superuser, whom row security
// never filters, so the rows stay visible whatever the policies say.

// policyRoles are the TO lists a random policy gets; nil is PUBLIC.
var policyRoles = [][]string{nil, nil, {"pg_monitor"}, {"pg_monitor", "pg_read_all_stats"}, {"pg_signal_backend"}}

// policyExpr picks a USING or WITH CHECK expression for a policy on t, as
// PostgreSQL prints it back (without the outer parentheses).
func (g *gen) policyExpr(t *schema.Table) string {
	if len(t.Columns) > 0 && g.chance(0.5) {
		return ident(pick(g, t.Columns).Name) + " IS NOT NULL"
	}
	return pick(g, []string{"true", "false", "1 = 1"})
}

// newPolicy adds a random policy to t.
func (g *gen) newPolicy(t *schema.Table) schema.Policy {
	p := schema.Policy{Name: g.objectName(), Restrictive: g.chance(0.3),
		Command: pick(g, []schema.PolicyCommand{schema.CommandAll, schema.CommandAll, schema.CommandSelect,
			schema.CommandInsert, schema.CommandUpdate, schema.CommandDelete})}
	p.Roles = slices.Clone(pick(g, policyRoles))
	g.policyExprs(t, &p)
	t.Policies = append(t.Policies, p)
	return p
}

// policyExprs gives p a USING and a WITH CHECK expression as its command
// allows them.
func (g *gen) policyExprs(t *schema.Table, p *schema.Policy) {
	p.Using, p.WithCheck = "", ""
	using := p.Command != schema.CommandInsert && g.chance(0.8)
	check := (p.Command == schema.CommandAll || p.Command == schema.CommandUpdate || p.Command == schema.CommandInsert) && g.chance(0.6)
	if using {
		p.Using = g.policyExpr(t)
	}
	if check {
		p.WithCheck = g.policyExpr(t)
	}
}

// rowSecurity gives t random row security and policies.
func (g *gen) rowSecurity(t *schema.Table) {
	if g.chance(0.4) {
		t.RowSecurity = schema.RowSecurity{Enabled: true, Forced: g.chance(0.3)}
	}
	for range []int{0, 0, 0, 1, 2}[g.r.IntN(5)] {
		g.newPolicy(t)
	}
}

func (c *changer) toggleRowSecurity() (string, bool) {
	t := c.randomTable()
	if t == nil {
		return "", false
	}
	t.RowSecurity.Enabled = !t.RowSecurity.Enabled
	// The grammar forces only enabled row security.
	t.RowSecurity.Forced = t.RowSecurity.Enabled && c.chance(0.3)
	return fmt.Sprintf("row security of %s: %+v", t.Name, t.RowSecurity), true
}

func (c *changer) toggleForce() (string, bool) {
	t := c.randomTable()
	if t == nil || !t.RowSecurity.Enabled {
		return "", false
	}
	t.RowSecurity.Forced = !t.RowSecurity.Forced
	return fmt.Sprintf("force row security of %s: %v", t.Name, t.RowSecurity.Forced), true
}

func (c *changer) addPolicy() (string, bool) {
	t := c.randomTable()
	if t == nil {
		return "", false
	}
	p := c.newPolicy(t)
	return fmt.Sprintf("add policy %s on %s", p.Name, t.Name), true
}

func (c *changer) dropPolicy() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Policies) == 0 {
		return "", false
	}
	i := c.r.IntN(len(t.Policies))
	name := t.Policies[i].Name
	t.Policies = slices.Delete(t.Policies, i, i+1)
	return fmt.Sprintf("drop policy %s of %s", name, t.Name), true
}

// changePolicy changes a policy's roles, expressions, command or kind,
// keeping its name: ALTER POLICY for the first two, drop and create for
// the others.
func (c *changer) changePolicy() (string, bool) {
	t := c.randomTable()
	if t == nil || len(t.Policies) == 0 {
		return "", false
	}
	p := &t.Policies[c.r.IntN(len(t.Policies))]
	old := fmt.Sprintf("%+v", *p)
	switch c.r.IntN(4) {
	case 0:
		p.Roles = slices.Clone(pick(&c.gen, policyRoles))
	case 1:
		c.policyExprs(t, p)
	case 2:
		p.Command = pick(&c.gen, []schema.PolicyCommand{schema.CommandAll, schema.CommandSelect,
			schema.CommandInsert, schema.CommandUpdate, schema.CommandDelete})
		c.policyExprs(t, p)
	default:
		p.Restrictive = !p.Restrictive
	}
	return fmt.Sprintf("change policy %s of %s from %s to %+v", p.Name, t.Name, old, *p), true
}

// renamePolicy renames a policy with a rename hint, as a user does with
// was:, and sometimes changes it too: ALTER POLICY renames it and then
// changes it, or it is dropped and created under the new name.
func (c *changer) renamePolicy() (string, bool) {
	t := c.randomTable()
	if t == nil {
		return "", false
	}
	// A policy renamed in this change already has its hint.
	var fresh []int
	for i, p := range t.Policies {
		if p.Was == "" {
			fresh = append(fresh, i)
		}
	}
	if len(fresh) == 0 {
		return "", false
	}
	p := &t.Policies[pick(&c.gen, fresh)]
	old := p.Name
	p.Was, p.Name = old, c.objectName()
	desc := fmt.Sprintf("rename policy %s of %s to %s", old, t.Name, p.Name)
	switch c.r.IntN(4) {
	case 0:
		c.policyExprs(t, p)
		desc += fmt.Sprintf(", its expressions now %q and %q", p.Using, p.WithCheck)
	case 1:
		p.Restrictive = !p.Restrictive
		desc += fmt.Sprintf(", restrictive now %v", p.Restrictive)
	}
	return desc, true
}

// policiesOnColumn drops the policies of t whose expressions use the
// column, as a user dropping the column must (PostgreSQL refuses it
// otherwise).
func policiesOnColumn(t *schema.Table, name string) {
	t.Policies = slices.DeleteFunc(t.Policies, func(p schema.Policy) bool {
		return references(p.Using, name) || references(p.WithCheck, name)
	})
}

// renamePolicyRefs follows a column rename in t's policies.
func renamePolicyRefs(t *schema.Table, from, to string) {
	for i := range t.Policies {
		p := &t.Policies[i]
		p.Using, p.WithCheck = renameRef(p.Using, from, to), renameRef(p.WithCheck, from, to)
	}
}
