package gen_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mizzle/mizzle/gen"
	"github.com/mizzle/mizzle/internal/loader"
	"github.com/mizzle/mizzle/internal/testmod"
)

// BenchmarkGenerate generates the query package of schemas of 100 and
// 1,000 tables of eleven columns each (a foreign key to the previous table
// among them), from models loaded once beforehand: the time is gen's own,
// from the model to the formatted files, without the go command.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{100, 1000} {
		dir, env := testmod.Write(b, benchArchive(n))
		m, err := loader.Load(context.Background(), loader.Config{Dir: dir, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("tables=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				files, err := gen.Generate(m, gen.Options{Package: "db"})
				if err != nil {
					b.Fatal(err)
				}
				size = 0
				for _, f := range files {
					size += len(f.Data)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/table")
			b.ReportMetric(float64(size), "bytes/run")
		})
	}
}

// benchArchive is a schema package of n tables, each referencing the one
// before it (the first itself), with columns of the types that change the
// generated text most: an identity key, nullable fields, defaults, an
// enum, an array and a JSON document.
func benchArchive(n int) *txtar.Archive {
	var b strings.Builder
	b.WriteString(`package schema

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Status is the state of a row.
type Status string

const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)
`)
	for i := range n {
		fmt.Fprintf(&b, `
// Table%04[1]d is a generated table.
//
//mizzle:table table_%04[1]d
type Table%04[1]d struct {
	ID         int64           `+"`"+`db:"id,pk,identity"`+"`"+`
	ParentID   *int64          `+"`"+`db:"parent_id,ref:Table%04[2]d.ID,ondelete:set null"`+"`"+`
	Name       string          `+"`"+`db:"name"`+"`"+`
	Note       *string         `+"`"+`db:"note"`+"`"+`
	CreatedAt  time.Time       `+"`"+`db:"created_at,default:now()"`+"`"+`
	ExternalID uuid.UUID       `+"`"+`db:"external_id,default:gen_random_uuid()"`+"`"+`
	Amount     decimal.Decimal `+"`"+`db:"amount,type:numeric(18,8)"`+"`"+`
	Active     bool            `+"`"+`db:"active,default:true"`+"`"+`
	Status     Status          `+"`"+`db:"status,default:'open'"`+"`"+`
	Tags       []string        `+"`"+`db:"tags"`+"`"+`
	Data       json.RawMessage `+"`"+`db:"data"`+"`"+`
}
`, i, max(i-1, 0))
	}
	return &txtar.Archive{Files: []txtar.File{{Name: "schema.go", Data: []byte(b.String())}}}
}
