package loader

import (
	"fmt"
	"path/filepath"

	"github.com/mizzle/mizzle/schema"
)

// owner says which object holds a name, for messages about clashes.
type owner struct {
	what string
	pos  schema.Position
}

func (o owner) String() string {
	return fmt.Sprintf("%s (%s:%d)", o.what, filepath.Base(o.pos.Filename), o.pos.Line)
}

// checkNames reports names PostgreSQL would reject as duplicates: tables,
// indexes and the indexes behind primary keys and unique constraints share
// one namespace per schema; enums share theirs with tables' row types; and a
// table's constraints need distinct names.
func (l *loader) checkNames(m *schema.Model) {
	relations := map[[2]string]owner{}
	claim := func(schemaName, name string, o owner) bool {
		key := [2]string{schemaName, name}
		if first, taken := relations[key]; taken {
			l.errs.Addf(o.pos, "name %q of %s is already used in schema %q by %s", name, o.what, schemaName, first)
			return false
		}
		relations[key] = o
		return true
	}
	// A table whose name is taken is not checked further: its derived
	// names (t_pkey, ...) would clash too, and say nothing new.
	clashed := map[*tableInfo]bool{}
	for _, ti := range l.order {
		t := ti.t
		clashed[ti] = !claim(t.Schema, t.Name, owner{fmt.Sprintf("table %s", ti.decl.obj.Name()), t.Pos})
	}
	// A partition is a table of its parent's schema.
	for _, ti := range l.order {
		if p := ti.t.Partition; p != nil && !clashed[ti] {
			for _, part := range p.Partitions {
				claim(ti.t.Schema, part.Name, owner{fmt.Sprintf("partition of %s", ti.decl.obj.Name()), part.Pos})
			}
		}
	}
	l.claimViews(m, claim)
	for _, e := range m.Enums {
		key := [2]string{e.Schema, e.Name}
		if first, taken := relations[key]; taken {
			l.errs.Addf(e.Pos, "enum name %q is already used in schema %q by %s: a table's row type has its name", e.Name, e.Schema, first)
		}
	}
	enums := map[[2]string]owner{}
	for _, e := range m.Enums {
		key := [2]string{e.Schema, e.Name}
		if first, taken := enums[key]; taken {
			l.errs.Addf(e.Pos, "enum name %q is already used in schema %q by %s", e.Name, e.Schema, first)
			continue
		}
		enums[key] = owner{"enum " + e.GoType.Name, e.Pos}
	}
	for _, ti := range l.order {
		if clashed[ti] {
			continue
		}
		t := ti.t
		constraints := map[string]owner{}
		constraint := func(name string, o owner) {
			if first, taken := constraints[name]; taken {
				l.errs.Addf(o.pos, "constraint name %q of %s is already used in table %q by %s", name, o.what, t.Name, first)
				return
			}
			constraints[name] = o
		}
		if pk := t.PrimaryKey; pk != nil {
			o := owner{fmt.Sprintf("the primary key of %q", t.Name), pk.Pos}
			constraint(pk.Name, o)
			claim(t.Schema, pk.Name, o)
		}
		for _, u := range t.Uniques {
			o := owner{fmt.Sprintf("unique constraint of %q", t.Name), u.Pos}
			constraint(u.Name, o)
			claim(t.Schema, u.Name, o)
		}
		for _, c := range t.Checks {
			constraint(c.Name, owner{fmt.Sprintf("check of %q", t.Name), c.Pos})
		}
		for _, fk := range t.ForeignKeys {
			constraint(fk.Name, owner{fmt.Sprintf("foreign key of %q", t.Name), fk.Pos})
		}
		for _, ix := range t.Indexes {
			claim(t.Schema, ix.Name, owner{fmt.Sprintf("index of %q", t.Name), ix.Pos})
		}
	}
	for _, s := range m.Sequences {
		claim(s.Schema, s.Name, owner{"sequence " + s.Name, s.Pos})
	}
}
