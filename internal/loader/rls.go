package loader

import (
	"slices"
	"strings"

	"github.com/mizzle/mizzle/internal/grammar"
	"github.com/mizzle/mizzle/schema"
)

// rlsMarker reads //mizzle:rls [force]: row-level security enabled, and
// with force applied to the table's owner too.
func (b *tableBuilder) rlsMarker(mk *marker) {
	sc := grammar.NewScanner(mk.Args)
	rs := schema.RowSecurity{Enabled: true}
	if sc.Keyword("force") {
		rs.Forced = true
	}
	b.extra(mk, sc)
	b.ti.t.RowSecurity = rs
}

// policyMarker reads //mizzle:policy NAME [was:OLDNAME] [AS
// PERMISSIVE|RESTRICTIVE] [FOR command] [TO role, ...] [USING (expr)]
// [WITH CHECK (expr)], its clauses in that order, as CREATE POLICY has
// them, after the rename hint.
func (b *tableBuilder) policyMarker(mk *marker) {
	t := b.ti.t
	l := b.l
	sc := grammar.NewScanner(mk.Args)
	name, ok := b.markerName(mk, sc)
	if !ok {
		return
	}
	p := schema.Policy{Name: name, Pos: mk.pos}
	wasAt := 0
	if was, off, found, err := sc.Option("was:"); found {
		switch {
		case err != nil:
			l.markerError(mk, err)
			return
		case was == "":
			l.errs.Addf(mk.at(off), "//mizzle:policy: was: needs the name the policy had before a rename")
			return
		case was == name:
			// The differ pairs a policy with its own name anyway.
			l.errs.Addf(mk.at(off), "//mizzle:policy: was:%s names the policy's own name: was: gives the name the policy had before a rename (remove it once the rename is applied)", was)
			return
		}
		l.checkName(mk.at(off), "policy", was)
		p.Was, wasAt = was, off
	}
	if sc.Keyword("as") {
		switch {
		case sc.Keyword("permissive"):
		case sc.Keyword("restrictive"):
			p.Restrictive = true
		default:
			_, off := sc.Rest()
			l.errs.Addf(mk.at(off), "//mizzle:policy: AS needs PERMISSIVE or RESTRICTIVE")
			return
		}
	}
	if sc.Keyword("for") {
		cmds := []schema.PolicyCommand{schema.CommandAll, schema.CommandSelect, schema.CommandInsert, schema.CommandUpdate, schema.CommandDelete}
		found := false
		for _, c := range cmds {
			if sc.Keyword(c.SQL()) {
				p.Command, found = c, true
				break
			}
		}
		if !found {
			_, off := sc.Rest()
			l.errs.Addf(mk.at(off), "//mizzle:policy: FOR needs ALL, SELECT, INSERT, UPDATE or DELETE")
			return
		}
	}
	if sc.Keyword("to") {
		roles, offs, err := sc.NameList()
		if err != nil {
			l.markerError(mk, err)
			return
		}
		public := false
		for i, r := range roles {
			lower := strings.ToLower(r)
			quoted := strings.HasPrefix(mk.Args[offs[i]:], `"`)
			switch {
			case (lower == "using" || lower == "with") && !quoted:
				l.errs.Addf(mk.at(offs[i]), "//mizzle:policy: TO needs a role name before %s (leave TO out for PUBLIC)", strings.ToUpper(r))
				return
			case lower == "public" && !quoted:
				public = true
				continue
			case (lower == "current_user" || lower == "session_user" || lower == "current_role") && !quoted:
				l.errs.Addf(mk.at(offs[i]), "//mizzle:policy: %s is not kept as such (PostgreSQL stores the role it stands for when the policy is created): name the role", strings.ToUpper(r))
				return
			}
			if slices.Contains(p.Roles, r) {
				l.errs.Addf(mk.at(offs[i]), "//mizzle:policy: role %q is named twice", r)
				return
			}
			l.checkName(mk.at(offs[i]), "role", r)
			p.Roles = append(p.Roles, r)
		}
		if public && len(p.Roles) > 0 {
			l.errs.Addf(mk.at(offs[0]), "//mizzle:policy: PUBLIC already means every role: name it alone or leave it out")
			return
		}
		slices.Sort(p.Roles)
	}
	expr := func(kw string, dst *string) bool {
		inside, off, err := sc.Group("the " + kw + " expression")
		if err != nil {
			l.markerError(mk, err)
			return false
		}
		if strings.TrimSpace(inside) == "" {
			l.errs.Addf(mk.at(off), "//mizzle:policy: the %s expression is empty", kw)
			return false
		}
		if !l.checkExpr("//mizzle:policy: "+kw+":", inside, func(o int) schema.Position { return mk.at(off + o) }) {
			return false
		}
		*dst = strings.TrimSpace(inside)
		return true
	}
	usingAt := 0
	if sc.Keyword("using") {
		usingAt = sc.Offset()
		if !expr("USING", &p.Using) {
			return
		}
	}
	checkAt := 0
	if sc.Keyword("with", "check") {
		checkAt = sc.Offset()
		if !expr("WITH CHECK", &p.WithCheck) {
			return
		}
	}
	b.extra(mk, sc)
	switch {
	case p.Command == schema.CommandInsert && p.Using != "":
		l.errs.Addf(mk.at(usingAt), "//mizzle:policy: a policy FOR INSERT takes no USING (only WITH CHECK): PostgreSQL refuses it")
		return
	case (p.Command == schema.CommandSelect || p.Command == schema.CommandDelete) && p.WithCheck != "":
		l.errs.Addf(mk.at(checkAt), "//mizzle:policy: a policy FOR %s takes no WITH CHECK (only USING): PostgreSQL refuses it", p.Command.SQL())
		return
	}
	if i := slices.IndexFunc(t.Policies, func(o schema.Policy) bool { return o.Name == name }); i >= 0 {
		l.errs.Addf(mk.pos, "//mizzle:policy: policy %q on table %q declared twice (first at line %d)", name, t.Name, t.Policies[i].Pos.Line)
		return
	}
	// A rename hint names a policy the table no longer has, and one old
	// policy becomes one new policy.
	for _, o := range t.Policies {
		switch {
		case p.Was != "" && o.Name == p.Was:
			l.errs.Addf(mk.at(wasAt), "//mizzle:policy: was:%s names policy %q, which table %q still declares (line %d): a renamed policy's old name is gone", p.Was, p.Was, t.Name, o.Pos.Line)
			return
		case o.Was != "" && o.Was == name:
			l.errs.Addf(mk.pos, "//mizzle:policy: policy %q on table %q is also the old name of policy %q (line %d), renamed from it: a renamed policy's old name is gone", name, t.Name, o.Name, o.Pos.Line)
			return
		case p.Was != "" && o.Was == p.Was:
			l.errs.Addf(mk.at(wasAt), "//mizzle:policy: was:%s: policy %q (line %d) is already renamed from %q", p.Was, o.Name, o.Pos.Line, p.Was)
			return
		}
	}
	t.Policies = append(t.Policies, p)
}
