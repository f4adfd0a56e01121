package studio

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// syntheticSchema is n tables, each referencing the one at half its
// number and one more before it (a tree with cross links), and every
// tenth table on its own.
func syntheticSchema(n int) *dbSchema {
	d := &dbSchema{Schemas: []string{"public"}}
	name := func(i int) string { return fmt.Sprintf("t%03d", i) }
	for i := range n {
		t := &dbTable{Schema: "public", Name: name(i), Kind: "table", Columns: []dbColumn{
			{Name: "id", Type: "bigint", PK: true},
			{Name: "name", Type: "text"},
			{Name: "created_at", Type: "timestamp with time zone", Nullable: true},
		}}
		if i > 0 && i%10 != 0 {
			t.Columns = append(t.Columns, dbColumn{Name: "parent_id", Type: "bigint", FK: true}, dbColumn{Name: "other_id", Type: "bigint", FK: true, Nullable: true})
			d.Edges = append(d.Edges,
				dbEdge{Name: name(i) + "_parent", From: dbRef{"public", name(i), []string{"parent_id"}}, To: dbRef{"public", name(i / 2), []string{"id"}}, Cardinality: "many-to-one"},
				dbEdge{Name: name(i) + "_other", From: dbRef{"public", name(i), []string{"other_id"}}, To: dbRef{"public", name(i * 7 % i), []string{"id"}}, Cardinality: "many-to-one", Optional: true})
		}
		d.Tables = append(d.Tables, t)
	}
	return d
}

// TestLayoutNoOverlap checks that no two boxes overlap and that every box
// lies inside the drawing, for schemas of several sizes and shapes.
func TestLayoutNoOverlap(t *testing.T) {
	for _, n := range []int{1, 2, 13, 50, 200, 1000} {
		boxes, w, h := layoutER(syntheticSchema(n))
		if len(boxes) != n {
			t.Fatalf("%d tables: %d boxes", n, len(boxes))
		}
		for i, a := range boxes {
			if a.x < 0 || a.y < 0 || a.x+a.w > w || a.y+a.h > h {
				t.Errorf("%d tables: %s at (%v,%v)+(%v,%v) is outside %vx%v", n, a.t.Name, a.x, a.y, a.w, a.h, w, h)
			}
			for _, b := range boxes[i+1:] {
				if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
					t.Errorf("%d tables: %s and %s overlap", n, a.t.Name, b.t.Name)
				}
			}
		}
	}
}

// TestLayoutLayers checks that a referenced table is left of the tables
// referencing it, outside cycles, so edges run one way.
func TestLayoutLayers(t *testing.T) {
	d := syntheticSchema(60)
	boxes, _, _ := layoutER(d)
	at := map[string]*erBox{}
	for _, b := range boxes {
		at[b.t.Name] = b
	}
	for _, e := range d.Edges {
		from, to := at[e.From.Table], at[e.To.Table]
		if from != to && from.layer <= to.layer {
			t.Errorf("%s: %s in layer %d, the table it references %s in layer %d", e.Name, from.t.Name, from.layer, to.t.Name, to.layer)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	renderER(&a, syntheticSchema(120))
	renderER(&b, syntheticSchema(120))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same schema drew two diagrams")
	}
}

// BenchmarkRenderER measures the layout and drawing of a 200-table schema,
// without the catalog read (TestER200Tables covers the whole request).
func BenchmarkRenderER(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := syntheticSchema(n)
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				renderER(&buf, d)
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}

// TestEdgeDetour checks that an edge spanning a column with a box in its
// way runs below that box, and one between neighbouring columns does not.
func TestEdgeDetour(t *testing.T) {
	col := func(name string, fk bool) []dbColumn {
		return []dbColumn{{Name: "id", Type: "int", PK: true}, {Name: name, Type: "int", FK: fk}}
	}
	ref := func(name, from, col, to string) dbEdge {
		return dbEdge{Name: name, From: dbRef{"public", from, []string{col}}, To: dbRef{"public", to, []string{"id"}}, Cardinality: "many-to-one"}
	}
	d := &dbSchema{
		Schemas: []string{"public"},
		Tables: []*dbTable{
			{Schema: "public", Name: "a", Kind: "table", Columns: col("x", false)},
			{Schema: "public", Name: "b", Kind: "table", Columns: col("a_id", true)},
			{Schema: "public", Name: "c", Kind: "table", Columns: append(col("b_id", true), dbColumn{Name: "a_id", Type: "int", FK: true})},
		},
		Edges: []dbEdge{ref("b_a", "b", "a_id", "a"), ref("c_a", "c", "a_id", "a"), ref("c_b", "c", "b_id", "b")},
	}
	var buf bytes.Buffer
	renderER(&buf, d)
	svg := buf.String()
	boxes, _, _ := layoutER(d)
	b := boxes[1]
	paths := map[string]string{}
	for _, e := range d.Edges {
		i := strings.Index(svg, "<title>"+e.Name+":")
		j := strings.Index(svg[i:], `<path d="`) + i + len(`<path d="`)
		paths[e.Name] = svg[j : j+strings.IndexByte(svg[j:], '"')]
	}
	if strings.Contains(paths["b_a"], " L") || strings.Contains(paths["c_b"], " L") {
		t.Errorf("an edge between neighbouring columns detours: %q, %q", paths["b_a"], paths["c_b"])
	}
	lane := fmt.Sprintf(" L%s %s", num(boxes[0].x+boxes[0].w+erGapX/2), num(b.y+b.h+erGapY/2))
	if !strings.Contains(paths["c_a"], lane) {
		t.Errorf("c_a's path %q does not run below b (%s)", paths["c_a"], lane)
	}
}

// TestDrawingInBounds checks that every point of every path (control
// points included, which bound the curves) and every circle lies inside
// the drawing: a loop round the right side of the last column was cut
// off once.
func TestDrawingInBounds(t *testing.T) {
	d := syntheticSchema(40)
	for _, tb := range d.Tables {
		tb.Columns = append(tb.Columns, dbColumn{Name: "self_id", Type: "bigint", FK: true})
		d.Edges = append(d.Edges, dbEdge{Name: tb.Name + "_self", From: dbRef{"public", tb.Name, []string{"self_id"}}, To: dbRef{"public", tb.Name, []string{"id"}}, Cardinality: "many-to-one"})
	}
	var buf bytes.Buffer
	renderER(&buf, d)
	svg := buf.String()
	_, w, h := layoutER(d)
	in := func(what string, x, y float64) {
		if x < 0 || y < 0 || x > w+0.05 || y > h+0.05 { // num rounds to a tenth
			t.Errorf("%s: (%v, %v) is outside %vx%v", what, x, y, w, h)
		}
	}
	for rest := svg; ; {
		i := strings.Index(rest, ` d="`)
		if i < 0 {
			break
		}
		rest = rest[i+4:]
		d := rest[:strings.IndexByte(rest, '"')]
		var nums []float64
		cmd := byte(0)
		for _, f := range strings.Fields(d) {
			if c := f[0]; c >= 'A' && c <= 'Z' {
				cmd, f = c, f[1:]
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatalf("path %q: %v", d, err)
			}
			if cmd == 'H' {
				in(d, v, 0)
				continue
			}
			nums = append(nums, v)
			if len(nums) == 2 {
				in(d, nums[0], nums[1])
				nums = nums[:0]
			}
		}
	}
	for rest := svg; ; {
		i := strings.Index(rest, `<circle cx="`)
		if i < 0 {
			break
		}
		rest = rest[i:]
		var cx, cy float64
		if _, err := fmt.Sscanf(rest, `<circle cx="%g" cy="%g"`, &cx, &cy); err != nil {
			t.Fatal(err)
		}
		in("circle", cx+4, cy+4)
		rest = rest[1:]
	}
}
