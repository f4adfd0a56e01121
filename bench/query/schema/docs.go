package schema

// Doc is a document of the benchmark's array and jsonb queries: tags in a
// text array, attributes in a jsonb document.
//
//mizzle:table docs
type Doc struct {
	ID    int64    `db:"id,pk,identity"`
	Tags  []string `db:"tags"`
	Attrs DocAttrs `db:"attrs,type:jsonb"`
}

// DocAttrs are a document's attributes, stored as jsonb.
type DocAttrs struct {
	Lang  string `json:"lang"`
	Level int    `json:"level"`
}
