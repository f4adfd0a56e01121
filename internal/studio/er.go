package studio

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"math"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// handleER serves the ER diagram of a schema (of every user schema when
// none is named) as an SVG image, drawn here so that the page needs no
// layout library and shows it as an <img>, where no script in it runs.
func (s *Server) handleER(w http.ResponseWriter, r *http.Request) (any, error) {
	d, err := s.readSchema(r.Context(), r.URL.Query().Get("schema"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	renderER(&b, d)
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
	return nil, nil
}

// The diagram's metrics. Text is monospace, so a box's width follows from
// its longest line; erCharW is a 12px monospace glyph's advance with some
// room, since the viewer picks the font.
const (
	erFontSize = 12
	erCharW    = 7.4
	erRowH     = 18.0
	erHeadH    = 24.0
	erPadX     = 8.0
	erMargin   = 20.0
	erGapX     = 96.0 // between columns of boxes, where the edges run
	erGapY     = 24.0
	// erMinPerColumn is the fewest boxes a column holds before a layer
	// wraps into another column; larger schemas allow the square root
	// of their size, so the diagram stays closer to a square.
	erMinPerColumn = 12
)

// erBox is a table's box on the diagram.
type erBox struct {
	t          *dbTable
	label      string
	marks      []string // per column: "PK", "FK", "PK FK" or ""
	markChars  int
	x, y, w, h float64
	layer      int
	isolated   bool // no foreign key from or to another table
}

// row returns the y of the middle of column c's row, or of the header
// when the box does not list c.
func (b *erBox) row(c string) float64 {
	for i, col := range b.t.Columns {
		if col.Name == c {
			return b.y + erHeadH + erRowH*float64(i) + erRowH/2
		}
	}
	return b.y + erHeadH/2
}

// layoutER places a box per table. Tables are layered by their foreign
// keys: a table referencing nothing is in the first layer, one that
// references others one layer right of the last of them, so that edges
// run right to left, from the referencing table to the referenced one.
// The foreign keys of a cycle that close it (found by a depth-first walk
// in name order) do not count. Within a layer, boxes are ordered by the
// mean position of their neighbours in the layers already ordered, in a
// few sweeps right and back, which removes most crossings; tables
// without foreign keys come last. A layer taller than a column wraps
// into more columns. The result depends on the schema alone.
func layoutER(d *dbSchema) (boxes []*erBox, width, height float64) {
	n := len(d.Tables)
	type key struct{ schema, name string }
	index := make(map[key]int, n)
	boxes = make([]*erBox, n)
	for i, t := range d.Tables {
		index[key{t.Schema, t.Name}] = i
		boxes[i] = newERBox(t, d)
	}
	parents := make([][]int, n)
	neighbours := make([][]int, n)
	for _, e := range d.Edges {
		c, okc := index[key{e.From.Schema, e.From.Table}]
		p, okp := index[key{e.To.Schema, e.To.Table}]
		if !okc || !okp || c == p {
			continue
		}
		if !slices.Contains(parents[c], p) {
			parents[c] = append(parents[c], p)
			neighbours[c] = append(neighbours[c], p)
			neighbours[p] = append(neighbours[p], c)
		}
	}
	for i := range parents {
		slices.Sort(parents[i])
		boxes[i].isolated = len(neighbours[i]) == 0
	}

	// Drop the edges that close a cycle: those to a table still on the
	// walk's stack.
	const (
		unseen = iota
		onStack
		done
	)
	state := make([]int, n)
	dag := make([][]int, n)
	var walk func(i int)
	walk = func(i int) {
		state[i] = onStack
		for _, p := range parents[i] {
			switch state[p] {
			case onStack:
				continue
			case unseen:
				walk(p)
			}
			dag[i] = append(dag[i], p)
		}
		state[i] = done
	}
	for i := range n {
		if state[i] == unseen {
			walk(i)
		}
	}
	layerOf := make([]int, n)
	for i := range layerOf {
		layerOf[i] = -1
	}
	var layer func(i int) int
	layer = func(i int) int {
		if layerOf[i] < 0 {
			l := 0
			for _, p := range dag[i] {
				l = max(l, layer(p)+1)
			}
			layerOf[i] = l
		}
		return layerOf[i]
	}
	var layers [][]int
	for i := range n {
		l := layer(i)
		boxes[i].layer = l
		for len(layers) <= l {
			layers = append(layers, nil)
		}
		layers[l] = append(layers[l], i)
	}

	// Order within layers: isolated tables last, then sweeps.
	pos := make([]float64, n) // a box's place in its layer, from 0 to 1
	setPos := func(l []int) {
		for k, i := range l {
			pos[i] = (float64(k) + 0.5) / float64(len(l))
		}
	}
	for _, l := range layers {
		slices.SortStableFunc(l, func(a, b int) int { return boolCmp(boxes[a].isolated, boxes[b].isolated) })
		setPos(l)
	}
	bary := make([]float64, n)
	order := func(l []int, side func(int) bool) {
		for _, i := range l {
			sum, k := 0.0, 0
			for _, j := range neighbours[i] {
				if side(boxes[j].layer) {
					sum += pos[j]
					k++
				}
			}
			switch {
			case boxes[i].isolated:
				bary[i] = 2 + pos[i]
			case k == 0:
				bary[i] = pos[i]
			default:
				bary[i] = sum / float64(k)
			}
		}
		slices.SortStableFunc(l, func(a, b int) int { return cmp.Compare(bary[a], bary[b]) })
		setPos(l)
	}
	for range 4 {
		for li := 1; li < len(layers); li++ {
			order(layers[li], func(l int) bool { return l < li })
		}
		for li := len(layers) - 2; li >= 0; li-- {
			order(layers[li], func(l int) bool { return l > li })
		}
	}

	perColumn := max(erMinPerColumn, int(math.Ceil(math.Sqrt(float64(n)))))
	x := erMargin
	height = erMargin
	for _, l := range layers {
		for start := 0; start < len(l); start += perColumn {
			col := l[start:min(start+perColumn, len(l))]
			y, w := erMargin, 0.0
			for _, i := range col {
				b := boxes[i]
				b.x, b.y = x, y
				y += b.h + erGapY
				w = max(w, b.w)
			}
			height = max(height, y-erGapY+erMargin)
			x += w + erGapX
		}
	}
	// On the right, room for what goes round a box's right side: a
	// foreign key to its own table, or between boxes of one column.
	width = x - erGapX + erGapX/2
	return boxes, math.Max(width, 2*erMargin), height
}

// newERBox sizes t's box.
func newERBox(t *dbTable, d *dbSchema) *erBox {
	b := &erBox{t: t, label: t.Name}
	if t.External || len(d.Schemas) != 1 || d.Schemas[0] != t.Schema {
		b.label = t.Schema + "." + t.Name
	}
	if t.Kind != "table" {
		b.label += " (" + t.Kind + ")"
	}
	name, typ := 0, 0
	for _, c := range t.Columns {
		m := ""
		switch {
		case c.PK && c.FK:
			m = "PK FK"
		case c.PK:
			m = "PK"
		case c.FK:
			m = "FK"
		}
		b.marks = append(b.marks, m)
		b.markChars = max(b.markChars, len(m))
		name = max(name, utf8.RuneCountInString(c.Name))
		typ = max(typ, utf8.RuneCountInString(c.Type))
	}
	if b.markChars > 0 {
		b.markChars++
	}
	chars := b.markChars + name
	if typ > 0 {
		chars += 2 + typ
	}
	chars = max(chars, utf8.RuneCountInString(b.label), 8)
	b.w = 2*erPadX + erCharW*float64(chars)
	b.h = erHeadH + erRowH*float64(max(len(t.Columns), 1)) + 4
	return b
}

// renderER writes d's diagram as a standalone SVG document sized to fit
// it. Every name goes through xml.EscapeText, in text and attributes
// alike: a table named <script> is text.
func renderER(b *bytes.Buffer, d *dbSchema) {
	boxes, width, height := layoutER(d)
	if len(boxes) == 0 {
		width, height = 360, 60
	}
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + num(width) + `" height="` + num(height) +
		`" viewBox="0 0 ` + num(width) + " " + num(height) + `" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="` + strconv.Itoa(erFontSize) + "\">\n")
	b.WriteString(`<rect class="background" width="` + num(width) + `" height="` + num(height) + `" fill="#ffffff"/>` + "\n")
	if len(boxes) == 0 {
		msg := "No tables"
		if len(d.Schemas) == 1 {
			msg += " in schema " + d.Schemas[0]
		}
		b.WriteString(`<text x="20" y="34" fill="#475569">`)
		escape(b, msg)
		b.WriteString("</text>\n</svg>\n")
		return
	}
	type key struct{ schema, name string }
	byName := make(map[key]*erBox, len(boxes))
	for _, x := range boxes {
		byName[key{x.t.Schema, x.t.Name}] = x
	}
	for _, e := range d.Edges {
		from, to := byName[key{e.From.Schema, e.From.Table}], byName[key{e.To.Schema, e.To.Table}]
		if from == nil || to == nil {
			continue // readSchema adds every table an edge names
		}
		renderEdge(b, e, from, to, boxes)
	}
	for _, x := range boxes {
		renderBox(b, x)
	}
	b.WriteString("</svg>\n")
}

// renderEdge draws foreign key e as a curve from its first column's row in
// the referencing box to the referenced column's row, in crow's foot
// notation: at the referencing end, a circle (a row may have no row
// referencing it) and a crow's foot (many) or a bar (one); at the
// referenced end, two bars (exactly one) or a bar and a circle (zero or
// one, when a referencing column is nullable).
func renderEdge(b *bytes.Buffer, e dbEdge, from, to *erBox, boxes []*erBox) {
	y1, y2 := from.row(first(e.From.Columns)), to.row(first(e.To.Columns))
	var x1, x2, d1, d2 float64 // ends, and the way each leaves its box
	switch {
	case from == to:
		x1, d1, x2, d2 = from.x+from.w, 1, to.x+to.w, 1
	case from.x >= to.x+to.w:
		x1, d1, x2, d2 = from.x, -1, to.x+to.w, 1
	case from.x+from.w <= to.x:
		x1, d1, x2, d2 = from.x+from.w, 1, to.x, -1
	default: // one above the other in a column: around its right side
		x1, d1, x2, d2 = from.x+from.w, 1, to.x+to.w, 1
	}
	k := math.Max(48, math.Abs(x2-x1)/2)
	b.WriteString(`<g class="edge"><title>`)
	escape(b, e.Name+": "+refText(e.From)+" → "+refText(e.To)+", "+e.Cardinality)
	b.WriteString("</title>\n")
	path := "M" + num(x1) + " " + num(y1) + " C" + num(x1+d1*k) + " " + num(y1) + " " + num(x2+d2*k) + " " + num(y2) + " " + num(x2) + " " + num(y2)
	if lane, ok := detour(x1, y1, x2, y2, d1 != d2, boxes); ok {
		// Down the gap beside one box, along below the boxes in the way,
		// and up the gap beside the other: a curve straight across would
		// pass behind them, as if it ended there.
		g := erGapX / 2
		path = "M" + num(x1) + " " + num(y1) + " C" + num(x1+d1*g) + " " + num(y1) + " " + num(x1+d1*g) + " " + num(lane) + " " + num(x1+d1*g) + " " + num(lane) +
			" L" + num(x2+d2*g) + " " + num(lane) +
			" C" + num(x2+d2*g) + " " + num(lane) + " " + num(x2+d2*g) + " " + num(y2) + " " + num(x2) + " " + num(y2)
	}
	b.WriteString(`<path d="` + path + `" fill="none" stroke="#64748b" stroke-width="1.2"/>` + "\n")
	// The referencing end.
	circle(b, x1+d1*18, y1)
	if e.Cardinality == "one-to-one" {
		bar(b, x1+d1*9, y1)
	} else {
		b.WriteString(`<path d="M` + num(x1+d1*12) + " " + num(y1) + " L" + num(x1) + " " + num(y1-6) + " M" + num(x1+d1*12) + " " + num(y1) + " L" + num(x1) + " " + num(y1) +
			" M" + num(x1+d1*12) + " " + num(y1) + " L" + num(x1) + " " + num(y1+6) + `" fill="none" stroke="#64748b" stroke-width="1.2"/>` + "\n")
	}
	// The referenced end.
	bar(b, x2+d2*7, y2)
	if e.Optional {
		circle(b, x2+d2*16, y2)
	} else {
		bar(b, x2+d2*12, y2)
	}
	b.WriteString("</g>\n")
}

// detour returns the y of a lane below the boxes standing between the
// ends of an edge that crosses columns (across), when one of them is in
// the way of a curve straight from one end to the other.
func detour(x1, y1, x2, y2 float64, across bool, boxes []*erBox) (lane float64, ok bool) {
	if !across {
		return 0, false
	}
	left, right := min(x1, x2), max(x1, x2)
	top, bottom := min(y1, y2)-erRowH, max(y1, y2)+erRowH
	for _, bx := range boxes {
		if bx.x < left || bx.x+bx.w > right {
			continue // not between the ends
		}
		lane = max(lane, bx.y+bx.h+erGapY/2)
		ok = ok || (bx.y < bottom && top < bx.y+bx.h)
	}
	return lane, ok
}

func bar(b *bytes.Buffer, x, y float64) {
	b.WriteString(`<path d="M` + num(x) + " " + num(y-6) + " L" + num(x) + " " + num(y+6) + `" stroke="#64748b" stroke-width="1.2"/>` + "\n")
}

func circle(b *bytes.Buffer, x, y float64) {
	b.WriteString(`<circle cx="` + num(x) + `" cy="` + num(y) + `" r="4" fill="#ffffff" stroke="#64748b" stroke-width="1.2"/>` + "\n")
}

// renderBox draws a table: its name in the header, then a row per column
// with its key marks, name and type.
func renderBox(b *bytes.Buffer, bx *erBox) {
	t := bx.t
	stroke, fill, dash := "#94a3b8", "#ffffff", ""
	if t.External {
		fill, dash = "#f8fafc", ` stroke-dasharray="4 3"`
	}
	b.WriteString(`<g class="table"><title>`)
	title := t.Schema + "." + t.Name + " (" + t.Kind + ")"
	if t.External {
		title += ", in another schema"
	}
	escape(b, title)
	b.WriteString("</title>\n")
	b.WriteString(`<rect x="` + num(bx.x) + `" y="` + num(bx.y) + `" width="` + num(bx.w) + `" height="` + num(bx.h) + `" rx="4" fill="` + fill + `" stroke="` + stroke + `"` + dash + "/>\n")
	b.WriteString(`<path d="M` + num(bx.x) + " " + num(bx.y+erHeadH) + " H" + num(bx.x+bx.w) + `" stroke="` + stroke + `"/>` + "\n")
	b.WriteString(`<text x="` + num(bx.x+erPadX) + `" y="` + num(bx.y+16) + `" font-weight="bold" fill="#0f172a">`)
	escape(b, bx.label)
	b.WriteString("</text>\n")
	for i, c := range t.Columns {
		y := num(bx.y + erHeadH + erRowH*float64(i) + 13)
		if m := bx.marks[i]; m != "" {
			color := "#2563eb"
			if c.PK {
				color = "#b45309"
			}
			b.WriteString(`<text x="` + num(bx.x+erPadX) + `" y="` + y + `" fill="` + color + `">` + m + "</text>\n")
		}
		b.WriteString(`<text x="` + num(bx.x+erPadX+erCharW*float64(bx.markChars)) + `" y="` + y + `" fill="#0f172a">`)
		escape(b, c.Name)
		b.WriteString("</text>\n")
		if c.Type != "" {
			b.WriteString(`<text x="` + num(bx.x+bx.w-erPadX) + `" y="` + y + `" text-anchor="end" fill="#64748b">`)
			escape(b, c.Type)
			b.WriteString("</text>\n")
		}
	}
	b.WriteString("</g>\n")
}

// escape writes s as XML character data, which is also safe inside a
// quoted attribute: xml.EscapeText escapes quotes, and replaces what XML
// cannot hold (control characters) with U+FFFD.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // a bytes.Buffer does not fail
}

func refText(r dbRef) string {
	s := r.Schema + "." + r.Table + "("
	for i, c := range r.Columns {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s + ")"
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// num writes a coordinate to a tenth of a pixel, the same on every
// machine.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
