package schema

import (
	"strings"
	"testing"
)

func TestValidatePolicies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policies []Policy
		want     string
	}{
		{"ok", []Policy{{Name: "a", Command: CommandSelect, Roles: []string{"r"}, Using: "true"}, {Name: "b", WithCheck: "true"}}, ""},
		{"no name", []Policy{{}}, `table "public"."t": a policy has no name`},
		{"twice", []Policy{{Name: "a"}, {Name: "a"}}, `policy "a" appears twice`},
		{"command", []Policy{{Name: "a", Command: "truncate"}}, `policy "a" has command "truncate"`},
		{"select check", []Policy{{Name: "a", Command: CommandSelect, WithCheck: "true"}}, `policy "a" is FOR SELECT, which takes no WITH CHECK`},
		{"delete check", []Policy{{Name: "a", Command: CommandDelete, WithCheck: "true"}}, `policy "a" is FOR DELETE, which takes no WITH CHECK`},
		{"insert using", []Policy{{Name: "a", Command: CommandInsert, Using: "true"}}, `policy "a" is FOR INSERT, which takes no USING`},
		{"empty role", []Policy{{Name: "a", Roles: []string{""}}}, `policy "a" names an empty role`},
		{"role twice", []Policy{{Name: "a", Roles: []string{"r", "r"}}}, `policy "a" names role "r" twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{{Name: "id", Type: Type{Name: "int"}}}, Policies: tc.policies}}}
			err := m.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestClonePolicies(t *testing.T) {
	m := &Model{Tables: []*Table{{Schema: "public", Name: "t", Policies: []Policy{{Name: "a", Roles: []string{"r"}}}}}}
	c := m.Clone()
	c.Tables[0].Policies[0].Roles[0] = "x"
	c.Tables[0].Policies[0].Name = "b"
	if p := m.Tables[0].Policies[0]; p.Name != "a" || p.Roles[0] != "r" {
		t.Errorf("changing the clone changed the model: %+v", p)
	}
}
